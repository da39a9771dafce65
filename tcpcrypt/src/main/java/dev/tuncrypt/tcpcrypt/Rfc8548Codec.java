package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.crypto.AgreementKeyPair;
import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.SessionCache;
import dev.tuncrypt.tcpcrypt.rfc8548.FrameOpener8548;
import dev.tuncrypt.tcpcrypt.rfc8548.FrameSealer8548;
import dev.tuncrypt.tcpcrypt.rfc8548.FrameStatus8548;
import dev.tuncrypt.tcpcrypt.rfc8548.Init1Message;
import dev.tuncrypt.tcpcrypt.rfc8548.InitCodec8548;
import dev.tuncrypt.tcpcrypt.rfc8548.InitError8548;
import dev.tuncrypt.tcpcrypt.rfc8548.KeyExchange8548;
import dev.tuncrypt.tcpcrypt.rfc8548.PublicKeys8548;
import dev.tuncrypt.tcpcrypt.rfc8548.Rfc8548;
import dev.tuncrypt.tcpcrypt.rfc8548.SessionSecrets8548;
import dev.tuncrypt.tcpstack.tcp.ProtectionException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The rfc8548 codec of one connection for {@link FramedStream}: Init1/Init2 (RFC 8548 §4.1),
 * stream frames that TCP may split across segments and coalesce (§4.2) at their offset in the
 * TCP data stream, key updates (§3.8), and the end of the stream in a frame with FINAL (§3.7).
 */
final class Rfc8548Codec implements DialectCodec {
    private final TcpCrypt crypt;
    private final Tep tep;
    private final List<SymCipher> ciphers;
    private final long rekeyAfterBytes;
    /** RFC 8548 §3.5: sn[i] of a resumed session (nonce_a | nonce_b), else empty. */
    private final byte[] sessionNonce;
    private Init1Message init1;
    private AgreementKeyPair keyPair;
    private byte[] localPublicKey = new byte[0];

    Rfc8548Codec(TcpCrypt crypt, TcpCryptConfig config, EnoOutcome outcome, byte[] sessionNonce) {
        this.crypt = crypt;
        this.tep = outcome.tepOrNull();
        this.ciphers = config.ciphers(Dialect.RFC8548);
        this.rekeyAfterBytes = config.rekeyAfterBytes();
        this.sessionNonce = sessionNonce != null ? sessionNonce : new byte[0];
    }

    @Override
    public String dialect() {
        return Rfc8548.DIALECT;
    }

    @Override
    public int frameOverhead() {
        return Rfc8548.FRAME_OVERHEAD;
    }

    @Override
    public int maxFramePayload() {
        return Rfc8548.MAX_FRAME_DATA;
    }

    @Override
    public boolean segmentAligned() {
        return false; // RFC 8548 §4.2: frames are records of the stream, independent of segments
    }

    @Override
    public boolean limitsFramesInFlight() {
        return false;
    }

    /** RFC 8547 §5, RFC 8548 §3.7: FINp on the last frame; a FIN without it aborts. */
    @Override
    public boolean authenticatedEnd() {
        return true;
    }

    /** RFC 8548 §3.6: the offset in the TCP data stream (reading R5: Init message included). */
    @Override
    public boolean offsetsAfterInit() {
        return false;
    }

    @Override
    public int nonceLength() {
        return Rfc8548.NONCE_LENGTH;
    }

    @Override
    public int frameHeaderLength() {
        return Rfc8548.FRAME_HEADER_LENGTH;
    }

    @Override
    public int announcedFrameLength(ByteBuffer header) {
        return FrameOpener8548.announcedFrameLength(header, 0);
    }

    @Override
    public void checkFrameLength(int length) throws ProtectionException {
        if (length < Rfc8548.FRAME_OVERHEAD) {
            throw new ProtectionException(FrameStatus8548.BAD_LENGTH, "frame length " + length);
        }
    }

    @Override
    public int plainRoom(int length) {
        return length - Rfc8548.FRAME_OVERHEAD;
    }

    /** RFC 8548 §4.1: message_len delimits the message. */
    @Override
    public int initLength(ByteBuffer header) throws ProtectionException {
        int declared = InitCodec8548.declaredLength(header);
        if (declared < 0) {
            throw new ProtectionException(InitError8548.BAD_LENGTH, "Init message_len " + Integer.toUnsignedString(header.getInt(4)));
        }
        return declared;
    }

    @Override
    public int wholeInitLength(ByteBuffer header, int available) {
        int declared = InitCodec8548.declaredLength(header);
        return declared < 0 || declared > available ? -1 : declared;
    }

    @Override
    public byte[] init1(byte[] nonce) {
        keyPair = crypt.keys.current(tep);
        localPublicKey = PublicKeys8548.encode(keyPair);
        init1 = Init1Message.create(tep, ciphers, nonce, localPublicKey);
        return init1.encoded();
    }

    @Override
    public byte[] localPublicKey() {
        return localPublicKey;
    }

    @Override
    public Agreement agreeAsA(byte[] init2, byte[] transcript) {
        var r = KeyExchange8548.onInit2(init1, keyPair, init2, transcript, ciphers);
        return r.isOk() ? new Agreement.Agreed(new Keys(r.valueOrNull()), localPublicKey, init2PublicKey(init2), null)
                : new Agreement.Refused(r.errorOrNull());
    }

    /** Pub_B of an Init2 that parsed: after magic, message_len, sym_cipher and N_B (RFC 8548 §4.1). */
    private byte[] init2PublicKey(byte[] init2) {
        int at = InitCodec8548.HEADER + 2 + Rfc8548.NONCE_LENGTH;
        return Arrays.copyOfRange(init2, at, at + PublicKeys8548.wireLength(tep));
    }

    @Override
    public Agreement agreeAsB(byte[] init1Bytes, byte[] transcript, byte[] nonce) {
        AgreementKeyPair kp = crypt.keys.current(tep);
        var r = KeyExchange8548.onInit1(tep, init1Bytes, ciphers, transcript, nonce, kp);
        if (!r.isOk()) {
            return new Agreement.Refused(r.errorOrNull());
        }
        var a = r.valueOrNull();
        return new Agreement.Agreed(new Keys(a.secrets()), PublicKeys8548.encode(kp), a.init1().publicKey(),
                a.init2().encoded());
    }

    @Override
    public SessionKeys resume(EnoOutcome.Resumed resumed) {
        return new Keys(SessionSecrets8548.resume(resumed.session(), sessionNonce));
    }

    @Override
    public SessionCache<InetAddress> cache() {
        return crypt.cache8548;
    }

    /** rfc8548 session keys: a sealer and an opener that follow key updates by generation (RFC 8548 §3.8). */
    private final class Keys extends SessionKeys {
        private final SessionSecrets8548 secrets;
        private final FrameSealer8548 sealer;
        private final FrameOpener8548 opener;
        private long rekeysSeen;

        Keys(SessionSecrets8548 secrets) {
            super(secrets);
            this.secrets = secrets;
            this.sealer = secrets.newSealer(rekeyAfterBytes);
            this.opener = secrets.newOpener();
        }

        @Override
        Enum<?> open(ByteBuffer frame, long offset, ByteBuffer plain) {
            FrameStatus8548 status = opener.open(frame, offset, plain);
            return status == FrameStatus8548.OK ? null : status;
        }

        @Override
        boolean endedStream() {
            return opener.fin();
        }

        /**
         * RFC 8548 §3.8: the remote generation passed the local one: follow it and answer at once
         * with a frame carrying rekey = 1 (empty if nothing is pending).
         */
        @Override
        boolean followPeerKeys() {
            if (opener.generation() == rekeysSeen) {
                return false;
            }
            rekeysSeen = opener.generation();
            crypt.rekeysReceived.incrementAndGet();
            return sealer.followRemote(rekeysSeen);
        }

        @Override
        boolean frameOwed() {
            return sealer.rekeyOwed();
        }

        @Override
        void seal(ByteBuffer data, boolean fin, long offset, ByteBuffer wire) {
            long before = sealer.rekeys();
            sealer.seal(data, fin ? Rfc8548.FLAG_FINAL : 0, offset, wire);
            if (sealer.rekeys() != before) {
                crypt.rekeysSent.incrementAndGet();
            }
        }

        /** RFC 8548 §3.5: ss[i+1], looked up by role A's half of resume[i+1]. */
        @Override
        CachedSession cacheEntry() {
            return secrets.toCacheEntry();
        }

        @Override
        void closeFrames() {
            sealer.close();
            opener.close();
        }
    }
}
