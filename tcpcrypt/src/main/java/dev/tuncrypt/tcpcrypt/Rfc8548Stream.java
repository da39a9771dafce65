package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.crypto.AgreementKeyPair;
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
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpstack.tcp.ProtectionException;
import dev.tuncrypt.tcpstack.tcp.StreamIo;
import dev.tuncrypt.tcpstack.tcp.StreamProtection;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The rfc8548 byte stream of one connection: Init1 (role A) and Init2 (role B) as the first
 * bytes of each direction (RFC 8548 §3.3, §4.1), key agreement on a worker, then stream frames
 * (§4.2) that TCP may split across segments and coalesce; a frame is opened once all of it is in.
 * Retransmissions resend the sealed bytes kept in the send buffer, never re-seal. A resumed
 * session (§3.5) sends no Init message and frames from the first byte after the SYN.
 *
 * <p>Any failure after negotiation resets the connection with a typed reason (RFC 8547 §4.6: once encryption is enabled,
 * no fallback to plain TCP); nothing unauthenticated is delivered.
 */
final class Rfc8548Stream implements StreamProtection {
    /** Failures of the stream itself. */
    enum Failure {
        /** The peer's FIN cut a frame or an Init message short. */
        TRUNCATED_AT_FIN,
        /** The peer's FIN followed whole frames, but none carried FINAL: the end of the stream is not authentic. */
        FIN_WITHOUT_FINAL,
        /** A frame followed the one that carried FINAL. */
        DATA_AFTER_FINAL
    }

    private enum State { AWAIT_INIT, AGREEING, OPEN }

    private final TcpCryptProtection owner;
    private final TcpCrypt crypt;
    private final EnoOutcome outcome;
    private final byte[] transcript;
    private final Role role;
    /** RFC 8548 §3.5: sn[i] of a resumed session (nonce_a | nonce_b), else null. */
    private final byte[] sessionNonce;
    private final List<SymCipher> ciphers;
    private StreamIo io;
    private State state = State.AWAIT_INIT;
    private Init1Message init1;
    private AgreementKeyPair keyPair;
    private byte[] localPublicKey = new byte[0];
    private SessionSecrets8548 secrets;
    private FrameSealer8548 sealer;
    private FrameOpener8548 opener;
    private long rekeysSeen;
    private boolean cached;
    /** The peer's FIN is in: bytes that do not complete a frame never will. */
    private boolean finIn;
    /** The peer's frame carrying FINAL was opened. */
    private boolean finalSeen;

    private volatile Object agreed;

    private static final ThreadLocal<ByteBuffer[]> SCRATCH = ThreadLocal.withInitial(() -> new ByteBuffer[] {
        ByteBuffer.allocate(Rfc8548.FRAME_HEADER_LENGTH + Rfc8548.MAX_FRAME_BODY), ByteBuffer.allocate(Rfc8548.MAX_FRAME_BODY)});
    private final ByteBuffer header = ByteBuffer.allocate(InitCodec8548.HEADER);

    Rfc8548Stream(TcpCryptProtection owner, EnoOutcome outcome, byte[] transcript, Role role, byte[] sessionNonce) {
        this.owner = owner;
        this.sessionNonce = sessionNonce != null ? sessionNonce : new byte[0];
        this.crypt = owner.crypt;
        this.outcome = outcome;
        this.transcript = transcript;
        this.role = role;
        this.ciphers = owner.config.ciphers(Dialect.RFC8548);
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
    public void start(StreamIo io) {
        this.io = io;
        if (outcome instanceof EnoOutcome.Resumed r) {
            open(SessionSecrets8548.resume(r.session(), sessionNonce), new byte[0]);
            crypt.resumptions.incrementAndGet();
            return;
        }
        if (role == Role.A) {
            byte[] nonce = new byte[Rfc8548.NONCE_LENGTH];
            crypt.random.nextBytes(nonce);
            keyPair = crypt.keys.current(outcome.tepOrNull());
            localPublicKey = PublicKeys8548.encode(keyPair);
            init1 = Init1Message.create(outcome.tepOrNull(), ciphers, nonce, localPublicKey);
            io.emit(ByteBuffer.wrap(init1.encoded())); // RFC 8548 §3.3: its last segment carries PSH
        }
    }

    @Override
    public void onWireData(StreamIo io) throws ProtectionException {
        if (state == State.AGREEING && !finishAgreement()) {
            return;
        }
        if (state == State.AWAIT_INIT) {
            takeInitMessage();
            if (state != State.OPEN) {
                return;
            }
        }
        openFrames();
    }

    /** Reads the peer's Init message once it is whole (message_len delimits it) and hands it to a worker. */
    private void takeInitMessage() throws ProtectionException {
        if (io.wireAvailable() < InitCodec8548.HEADER) {
            return;
        }
        header.clear();
        io.peekWire(header, 0);
        int declared = InitCodec8548.declaredLength(header);
        if (declared < 0) {
            throw new ProtectionException(InitError8548.BAD_LENGTH, "Init message_len " + Integer.toUnsignedString(header.getInt(4)));
        }
        if (io.wireAvailable() < declared) {
            return;
        }
        ByteBuffer message = ByteBuffer.allocate(declared);
        io.peekWire(message, 0);
        io.consumeWire(declared);
        state = State.AGREEING;
        byte[] bytes = message.array();
        Tep tep = outcome.tepOrNull();
        long handedOver = crypt.nanoTime.getAsLong();
        if (role == Role.A) {
            crypt.workers.execute(() -> {
                var r = KeyExchange8548.onInit2(init1, keyPair, bytes, transcript, ciphers);
                if (r.isOk()) {
                    crypt.keyAgreementLatency.record(crypt.nanoTime.getAsLong() - handedOver);
                }
                agreed = r.isOk() ? new Agreed(r.valueOrNull(), init2PublicKey(tep, bytes), null) : r.errorOrNull();
                io.wakeup();
            });
        } else {
            byte[] nonce = new byte[Rfc8548.NONCE_LENGTH];
            crypt.random.nextBytes(nonce);
            crypt.workers.execute(() -> {
                AgreementKeyPair kp = crypt.keys.current(tep);
                var r = KeyExchange8548.onInit1(tep, bytes, ciphers, transcript, nonce, kp);
                if (r.isOk()) {
                    crypt.keyAgreementLatency.record(crypt.nanoTime.getAsLong() - handedOver);
                    var a = r.valueOrNull();
                    localPublicKey = PublicKeys8548.encode(kp);
                    agreed = new Agreed(a.secrets(), a.init1().publicKey(), a.init2().encoded());
                } else {
                    agreed = r.errorOrNull();
                }
                io.wakeup();
            });
        }
    }

    /** Pub_B of an Init2 that parsed: after magic, message_len, sym_cipher and N_B (RFC 8548 §4.1). */
    private static byte[] init2PublicKey(Tep tep, byte[] init2) {
        int at = InitCodec8548.HEADER + 2 + Rfc8548.NONCE_LENGTH;
        return java.util.Arrays.copyOfRange(init2, at, at + PublicKeys8548.wireLength(tep));
    }

    private record Agreed(SessionSecrets8548 secrets, byte[] peerPublicKey, byte[] init2) {}

    private boolean finishAgreement() throws ProtectionException {
        Object a = agreed;
        if (a == null) {
            return false;
        }
        agreed = null;
        if (a instanceof InitError8548 e) {
            throw new ProtectionException(e, "bad " + (role == Role.A ? "Init2" : "Init1") + ": " + e);
        }
        Agreed ok = (Agreed) a;
        if (ok.init2() != null) {
            io.emit(ByteBuffer.wrap(ok.init2())); // RFC 8548 §3.3: its last segment carries PSH
        }
        open(ok.secrets(), ok.peerPublicKey());
        crypt.handshakes.incrementAndGet();
        return true;
    }

    private void open(SessionSecrets8548 s, byte[] peerPublicKey) {
        secrets = s;
        sealer = s.newSealer(owner.config.rekeyAfterBytes());
        opener = s.newOpener();
        state = State.OPEN;
        owner.established(new TcpCryptInfo(Rfc8548.DIALECT, s.sessionId(), s.tep(), s.cipher(), s.isResumed(),
                peerAppAware(), localPublicKey.clone(), peerPublicKey.clone()));
        io.wakeup();
    }

    private boolean peerAppAware() {
        return switch (outcome) {
            case EnoOutcome.Negotiated n -> n.peerAppAware();
            case EnoOutcome.Resumed r -> r.peerAppAware();
            case EnoOutcome.NotNegotiated n -> false;
        };
    }

    /** Opens every whole frame the application has room for. */
    private void openFrames() throws ProtectionException {
        ByteBuffer[] scratch = SCRATCH.get();
        ByteBuffer frame = scratch[0];
        ByteBuffer plain = scratch[1];
        while (io.wireAvailable() >= Rfc8548.FRAME_HEADER_LENGTH) {
            frame.clear().limit(Rfc8548.FRAME_HEADER_LENGTH);
            io.peekWire(frame, 0);
            int length = FrameOpener8548.announcedFrameLength(frame, 0);
            if (length < Rfc8548.FRAME_OVERHEAD) {
                throw new ProtectionException(FrameStatus8548.BAD_LENGTH, "frame length " + length);
            }
            if (io.wireAvailable() < length) {
                truncatedIfFinIn();
                return;
            }
            if (io.deliverable() < length - Rfc8548.FRAME_OVERHEAD) {
                return;
            }
            if (finalSeen) {
                throw new ProtectionException(Failure.DATA_AFTER_FINAL, "a frame after the one carrying FINAL");
            }
            // RFC 8548 §3.6: the frame's offset in the TCP data stream (reading R5: Init included)
            long offset = io.receivedWireOffset();
            frame.clear().limit(length);
            io.peekWire(frame, 0);
            frame.flip();
            plain.clear();
            FrameStatus8548 status = opener.open(frame, offset, plain);
            if (status != FrameStatus8548.OK) {
                throw new ProtectionException(status, "frame at offset " + offset + ": " + status);
            }
            io.consumeWire(length);
            finalSeen = opener.fin();
            if (opener.generation() != rekeysSeen) {
                rekeysSeen = opener.generation();
                crypt.rekeysReceived.incrementAndGet();
                // RFC 8548 §3.8: the remote generation passed the local one: follow it and answer
                // at once with a frame carrying rekey = 1 (empty if nothing is pending)
                if (sealer.followRemote(rekeysSeen)) {
                    io.wakeup();
                }
            }
            plain.flip();
            if (plain.hasRemaining()) {
                io.deliver(plain);
            }
            if (!cached && owner.config.sessionCache() && !owner.cacheForgotten()) {
                // the peer's first frame authenticated, data or not (its FINp frame, or its answer
                // to a key update, on a one-way flow): it holds the same keys, so ss[i+1] is
                // worth caching (RFC 8548 §3.5)
                cached = true;
                crypt.cache8548.put(owner.peer(), secrets.toCacheEntry());
            }
        }
        if (io.wireAvailable() > 0) {
            truncatedIfFinIn();
        } else if (finIn && !finalSeen) {
            // RFC 8547 §5: the end of the stream must be authentic; a FIN after whole frames none
            // of which said FINAL may be an attacker's truncation
            throw new ProtectionException(Failure.FIN_WITHOUT_FINAL, "FIN without a frame carrying FINAL");
        }
    }

    private void truncatedIfFinIn() throws ProtectionException {
        if (finIn) {
            throw new ProtectionException(Failure.TRUNCATED_AT_FIN, "FIN inside a frame");
        }
    }

    /** RFC 8547 §5 / RFC 8548 §3.7: the end of the stream always travels in a frame (FINp), never as a bare FIN. */
    @Override
    public boolean sealsFinalFrame() {
        return true;
    }

    /** RFC 8548 §3.8: a key update of the peer's waits for our frame with rekey = 1. */
    @Override
    public boolean wantsFrame() {
        return state == State.OPEN && sealer.rekeyOwed();
    }

    @Override
    public boolean canSeal() {
        return state == State.OPEN;
    }

    @Override
    public void seal(ByteBuffer data, int length, boolean fin, long streamOffset, ByteBuffer wire) {
        long before = sealer.rekeys();
        data.limit(data.position() + length);
        // RFC 8548 §3.6: the offset in the TCP data stream (Init message included, reading R5)
        sealer.seal(data, fin ? Rfc8548.FLAG_FINAL : 0, streamOffset, wire);
        if (sealer.rekeys() != before) {
            crypt.rekeysSent.incrementAndGet();
        }
    }

    @Override
    public void onPeerFin(long wireOffset) throws ProtectionException {
        finIn = true;
        int left = io.wireAvailable();
        if (left == 0) {
            if (state == State.OPEN && !finalSeen) {
                throw new ProtectionException(Failure.FIN_WITHOUT_FINAL, "FIN without a frame carrying FINAL");
            }
            if (state == State.AWAIT_INIT) {
                throw new ProtectionException(Failure.TRUNCATED_AT_FIN, "FIN before the Init message");
            }
            return;
        }
        if (state == State.AWAIT_INIT) {
            header.clear();
            if (left < InitCodec8548.HEADER || io.peekWire(header, 0) < 0 || InitCodec8548.declaredLength(header) > left
                    || InitCodec8548.declaredLength(header) < 0) {
                throw new ProtectionException(Failure.TRUNCATED_AT_FIN, "FIN inside the Init message");
            }
            return; // the Init message is whole: what follows it is checked once keys exist
        }
        if (state != State.OPEN) {
            return; // key agreement runs: frames are checked once it is done
        }
        int skip = 0;
        ByteBuffer h = ByteBuffer.allocate(Rfc8548.FRAME_HEADER_LENGTH);
        while (skip < left) {
            if (left - skip < Rfc8548.FRAME_HEADER_LENGTH) {
                throw new ProtectionException(Failure.TRUNCATED_AT_FIN, "FIN inside a frame header");
            }
            h.clear();
            io.peekWire(h, skip);
            int length = FrameOpener8548.announcedFrameLength(h, 0);
            if (left - skip < length) {
                throw new ProtectionException(Failure.TRUNCATED_AT_FIN, "FIN inside a frame");
            }
            skip += length;
        }
    }

    @Override
    public void close() {
        if (sealer != null) {
            sealer.close();
        }
        if (opener != null) {
            opener.close();
        }
        if (secrets != null) {
            secrets.close();
        }
    }
}
