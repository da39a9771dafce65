package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.SessionCache;
import dev.tuncrypt.tcpcrypt.v05.ClientKeyExchange;
import dev.tuncrypt.tcpcrypt.v05.FrameOpener;
import dev.tuncrypt.tcpcrypt.v05.FrameSealer;
import dev.tuncrypt.tcpcrypt.v05.FrameStatus;
import dev.tuncrypt.tcpcrypt.v05.Init2;
import dev.tuncrypt.tcpcrypt.v05.ServerKeyExchange;
import dev.tuncrypt.tcpcrypt.v05.SessionSecrets;
import dev.tuncrypt.tcpcrypt.v05.Tcpcrypt05;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The tcpcrypt-0.5 codec of one connection for {@link FramedStream}: Init1/Init2 as tcpcryptd 0.5
 * sends them, AES-GCM frames whose IV is the frame's offset after the Init message, one frame per
 * segment (protocol notes §3.2-3.4), and a bare FIN at the end as tcpcryptd sends it.
 */
final class Tcpcrypt05Codec implements DialectCodec {
    private final TcpCrypt crypt;
    private final Tep tep;
    private final List<SymCipher> ciphers;
    private final Role role;
    /** Both ends are this stack and agreed on it ({@code v05.WideWindow}): no 64-frame cap. */
    private final boolean wideWindow;
    private ClientKeyExchange client;
    private byte[] localPublicKey = new byte[0];

    Tcpcrypt05Codec(TcpCrypt crypt, TcpCryptConfig config, EnoOutcome outcome, Role role, boolean wideWindow) {
        this.crypt = crypt;
        this.tep = outcome.tepOrNull();
        this.ciphers = config.ciphers(Dialect.TCPCRYPT_05);
        this.role = role;
        this.wideWindow = wideWindow;
    }

    @Override
    public String dialect() {
        return Tcpcrypt05.DIALECT;
    }

    @Override
    public int frameOverhead() {
        return Tcpcrypt05.FRAME_OVERHEAD;
    }

    @Override
    public int maxFramePayload() {
        return FrameSealer.MAX_DATA;
    }

    @Override
    public boolean segmentAligned() {
        return true; // tcpcryptd 0.5 opens one frame per segment
    }

    @Override
    public boolean limitsFramesInFlight() {
        return !wideWindow; // the peer may be tcpcryptd 0.5, whose sequence map holds 100 segments
    }

    @Override
    public boolean authenticatedEnd() {
        return false;
    }

    @Override
    public boolean offsetsAfterInit() {
        return true;
    }

    @Override
    public int nonceLength() {
        return Tcpcrypt05.NONCE_LENGTH;
    }

    @Override
    public int frameHeaderLength() {
        return Tcpcrypt05.FRAME_HEADER_LENGTH;
    }

    @Override
    public int announcedFrameLength(ByteBuffer header) {
        return FrameOpener.announcedFrameLength(header, 0);
    }

    @Override
    public void checkFrameLength(int length) {
        // the opener refuses a frame too short for its flags and tag
    }

    @Override
    public int plainRoom(int length) {
        return length - Tcpcrypt05.FRAME_HEADER_LENGTH - Tcpcrypt05.FRAME_TAG_LENGTH;
    }

    @Override
    public int initLength(ByteBuffer header) {
        long declared = Integer.toUnsignedLong(header.getInt(4));
        return declared < INIT_HEADER || declared > 4096 ? INIT_HEADER : (int) declared; // the codec rejects it with its own reason
    }

    @Override
    public int wholeInitLength(ByteBuffer header, int available) {
        long declared = Integer.toUnsignedLong(header.getInt(4));
        return declared < INIT_HEADER || declared > available ? -1 : (int) declared;
    }

    @Override
    public byte[] init1(byte[] nonce) {
        client = ClientKeyExchange.withSecrets(tep, ciphers, nonce, crypt.keys.currentEc(tep));
        localPublicKey = client.init1().publicKey().encoded();
        return client.init1().encoded();
    }

    @Override
    public byte[] localPublicKey() {
        return localPublicKey;
    }

    @Override
    public Agreement agreeAsA(byte[] init2, byte[] transcript) {
        var r = client.onInit2(ByteBuffer.wrap(init2), transcript);
        if (!r.isOk()) {
            return new Agreement.Refused(r.errorOrNull());
        }
        byte[] peerKey = Init2.parse(tep, ByteBuffer.wrap(init2), ciphers).valueOrNull().publicKey().encoded();
        return new Agreement.Agreed(new Keys(r.valueOrNull()), localPublicKey, peerKey, null);
    }

    @Override
    public Agreement agreeAsB(byte[] init1, byte[] transcript, byte[] nonce) {
        var keyPair = crypt.keys.currentEc(tep);
        var r = ServerKeyExchange.onInit1(tep, ByteBuffer.wrap(init1), ciphers, transcript, nonce, keyPair);
        if (!r.isOk()) {
            return new Agreement.Refused(r.errorOrNull());
        }
        var a = r.valueOrNull();
        return new Agreement.Agreed(new Keys(a.secrets()), keyPair.publicKey().encoded(),
                a.init1().publicKey().encoded(), a.init2().encoded());
    }

    @Override
    public SessionKeys resume(EnoOutcome.Resumed resumed) {
        return new Keys(SessionSecrets.resume(resumed.session()));
    }

    @Override
    public SessionCache<InetAddress> cache() {
        return crypt.cache;
    }

    /** tcpcrypt-0.5 session keys: one sealer and one opener keyed by this side's role. */
    private final class Keys extends SessionKeys {
        private final SessionSecrets secrets;
        private final FrameSealer sealer;
        private final FrameOpener opener;

        Keys(SessionSecrets secrets) {
            super(secrets);
            this.secrets = secrets;
            this.sealer = secrets.newSealer(role);
            this.opener = secrets.newOpener(role);
        }

        @Override
        Enum<?> open(ByteBuffer frame, long offset, ByteBuffer plain) {
            FrameStatus status = opener.open(frame, offset, plain);
            return status == FrameStatus.OK ? null : status;
        }

        @Override
        boolean endedStream() {
            return opener.fin();
        }

        @Override
        void seal(ByteBuffer data, boolean fin, long offset, ByteBuffer wire) {
            sealer.seal(data, fin ? Tcpcrypt05.FLAG_FIN : 0, offset, wire);
        }

        @Override
        CachedSession cacheEntry() {
            return secrets.toCacheEntry(role, wideWindow);
        }

        @Override
        void closeFrames() {
            sealer.close();
            opener.close();
        }
    }
}
