package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.DialectCodec.Agreement;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.rfc8548.Rfc8548;
import dev.tuncrypt.tcpcrypt.v05.Tcpcrypt05;
import dev.tuncrypt.tcpstack.tcp.ProtectionException;
import dev.tuncrypt.tcpstack.tcp.StreamIo;
import dev.tuncrypt.tcpstack.tcp.StreamProtection;
import java.nio.ByteBuffer;

/**
 * The tcpcrypt byte stream of one connection, whatever the dialect ({@link DialectCodec}): Init1
 * (role A) and Init2 (role B) as the first bytes of each direction (RFC 8548 §3.3, §4.1;
 * tcpcrypt-0.5 protocol notes §3.2), key agreement on a worker (never on the stack loop), then
 * frames, each opened once all of it is in and the application has room for its data. A resumed
 * session (RFC 8548 §3.5) sends no Init message. Retransmissions resend the sealed bytes kept in
 * the send buffer, never re-seal.
 *
 * <p>Any failure after negotiation resets the connection with a typed reason (RFC 8547 §4.6: once
 * encryption is enabled, no fallback to plain TCP); nothing unauthenticated is delivered.
 */
final class FramedStream implements StreamProtection {
    /** Failures of the stream itself (the codecs have their own reasons). */
    enum Failure {
        /** The peer's FIN cut a frame or an Init message short. */
        TRUNCATED_AT_FIN,
        /** The peer's FIN followed whole frames, but none ended the stream: the end is not authentic (RFC 8547 §5). */
        FIN_WITHOUT_FINAL,
        /** A frame followed the one that ended the stream. */
        DATA_AFTER_FINAL
    }

    private enum State { AWAIT_INIT, AGREEING, OPEN }

    private final TcpCryptProtection owner;
    private final TcpCrypt crypt;
    private final DialectCodec codec;
    private final EnoOutcome outcome;
    private final byte[] transcript;
    private final Role role;
    private StreamIo io;
    private State state = State.AWAIT_INIT;
    private byte[] localPublicKey = new byte[0];
    /** Bytes of the Init message this side sent and the peer sent (0 if frame offsets count them). */
    private int sentOpening;
    private int receivedOpening;
    private SessionKeys keys;
    private boolean cached;
    /** The peer's FIN is in: bytes that do not complete a frame never will. */
    private boolean finIn;
    /** The peer's frame that ended its stream was opened. */
    private boolean endSeen;

    /** Set by a worker when key agreement ended; picked up on the loop (the volatile write publishes all of it). */
    private volatile Agreement agreement;

    /** Both dialects' frames: a 3-byte header whose u16 counts the bytes that follow it (at most 0xffff). */
    private static final int MAX_FRAME_HEADER = Math.max(Tcpcrypt05.FRAME_HEADER_LENGTH, Rfc8548.FRAME_HEADER_LENGTH);
    private static final int MAX_FRAME_BODY = Math.max(Tcpcrypt05.MAX_FRAME_BODY, Rfc8548.MAX_FRAME_BODY);

    /**
     * Scratch for opening frames, one pair per thread: frames are opened on the stack loop that
     * owns the connection, so connections share them instead of holding 128 KiB each (heap
     * buffers: the JDK's GCM is faster with them). Large enough for a frame of either dialect.
     */
    private static final ThreadLocal<ByteBuffer[]> SCRATCH = ThreadLocal.withInitial(() -> new ByteBuffer[] {
        ByteBuffer.allocate(MAX_FRAME_HEADER + MAX_FRAME_BODY), ByteBuffer.allocate(MAX_FRAME_BODY)});
    private final ByteBuffer header = ByteBuffer.allocate(DialectCodec.INIT_HEADER);

    FramedStream(TcpCryptProtection owner, DialectCodec codec, EnoOutcome outcome, byte[] transcript, Role role) {
        this.owner = owner;
        this.crypt = owner.crypt;
        this.codec = codec;
        this.outcome = outcome;
        this.transcript = transcript;
        this.role = role;
    }

    @Override
    public int frameOverhead() {
        return codec.frameOverhead();
    }

    @Override
    public int maxFramePayload() {
        return codec.maxFramePayload();
    }

    @Override
    public boolean segmentAligned() {
        return codec.segmentAligned();
    }

    @Override
    public boolean limitsFramesInFlight() {
        return codec.limitsFramesInFlight();
    }

    /** RFC 8547 §5 / RFC 8548 §3.7: where the end of the stream is authenticated it travels in a frame, never as a bare FIN. */
    @Override
    public boolean sealsFinalFrame() {
        return codec.authenticatedEnd();
    }

    /** RFC 8548 §3.8: a key update of the peer's waits for our frame with rekey = 1. */
    @Override
    public boolean wantsFrame() {
        return state == State.OPEN && keys.frameOwed();
    }

    @Override
    public void start(StreamIo io) {
        this.io = io;
        if (outcome instanceof EnoOutcome.Resumed r) {
            open(codec.resume(r), new byte[0]);
            crypt.resumptions.incrementAndGet();
            return;
        }
        if (role == Role.A) {
            // Init1 rides in the first data: a nonce and the current ephemeral key, no EC work here
            byte[] nonce = new byte[codec.nonceLength()];
            crypt.random.nextBytes(nonce);
            byte[] init1 = codec.init1(nonce);
            localPublicKey = codec.localPublicKey();
            sentOpening = codec.offsetsAfterInit() ? init1.length : 0;
            io.emit(ByteBuffer.wrap(init1)); // RFC 8548 §3.3: its last segment carries PSH
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

    /** Reads the peer's Init message once it is whole (its length field delimits it) and hands it to a worker. */
    private void takeInitMessage() throws ProtectionException {
        if (io.wireAvailable() < DialectCodec.INIT_HEADER) {
            return;
        }
        header.clear();
        io.peekWire(header, 0);
        int declared = codec.initLength(header);
        if (io.wireAvailable() < declared) {
            return;
        }
        ByteBuffer message = ByteBuffer.allocate(declared);
        io.peekWire(message, 0);
        io.consumeWire(declared);
        receivedOpening = codec.offsetsAfterInit() ? declared : 0;
        state = State.AGREEING;
        byte[] bytes = message.array();
        long handedOver = crypt.nanoTime.getAsLong();
        if (role == Role.A) {
            crypt.workers.execute(() -> agreed(codec.agreeAsA(bytes, transcript), handedOver));
        } else {
            byte[] nonce = new byte[codec.nonceLength()];
            crypt.random.nextBytes(nonce);
            crypt.workers.execute(() -> agreed(codec.agreeAsB(bytes, transcript, nonce), handedOver));
        }
    }

    /** On the worker: records the latency of a success and hands the result back to the loop. */
    private void agreed(Agreement a, long handedOver) {
        if (a instanceof Agreement.Agreed) {
            crypt.keyAgreementLatency.record(crypt.nanoTime.getAsLong() - handedOver);
        }
        agreement = a;
        io.wakeup();
    }

    /** @return whether the stream is open now */
    private boolean finishAgreement() throws ProtectionException {
        Agreement a = agreement;
        if (a == null) {
            return false;
        }
        agreement = null;
        if (a instanceof Agreement.Refused(Enum<?> reason)) {
            throw new ProtectionException(reason, "bad " + (role == Role.A ? "Init2" : "Init1") + ": " + reason);
        }
        Agreement.Agreed ok = (Agreement.Agreed) a;
        if (role == Role.B) {
            localPublicKey = ok.localPublicKey();
        }
        if (ok.init2() != null) {
            sentOpening = codec.offsetsAfterInit() ? ok.init2().length : 0;
            io.emit(ByteBuffer.wrap(ok.init2())); // RFC 8548 §3.3: its last segment carries PSH
        }
        open(ok.keys(), ok.peerPublicKey());
        crypt.handshakes.incrementAndGet();
        return true;
    }

    private void open(SessionKeys k, byte[] peerPublicKey) {
        keys = k;
        state = State.OPEN;
        owner.established(new TcpCryptInfo(codec.dialect(), k.sessionId(), k.tep(), k.cipher(), k.isResumed(),
                peerAppAware(), localPublicKey.clone(), peerPublicKey.clone()));
        io.wakeup(); // sealing may start
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
        int headerLength = codec.frameHeaderLength();
        while (io.wireAvailable() >= headerLength) {
            frame.clear().limit(headerLength);
            io.peekWire(frame, 0);
            int length = codec.announcedFrameLength(frame);
            codec.checkFrameLength(length);
            if (io.wireAvailable() < length) {
                truncatedIfFinIn();
                return;
            }
            if (io.deliverable() < codec.plainRoom(length)) {
                return;
            }
            if (endSeen) {
                throw new ProtectionException(Failure.DATA_AFTER_FINAL, "a frame after the one that ended the stream");
            }
            // RFC 8548 §3.6: the frame's offset in the TCP data stream (reading R5: Init included);
            // tcpcrypt-0.5 counts from the byte after the Init message
            long offset = io.receivedWireOffset() - receivedOpening;
            frame.clear().limit(length);
            io.peekWire(frame, 0);
            frame.flip();
            plain.clear();
            Enum<?> refused = keys.open(frame, offset, plain);
            if (refused != null) {
                throw new ProtectionException(refused, "frame at offset " + offset + ": " + refused);
            }
            io.consumeWire(length);
            endSeen = keys.endedStream();
            if (keys.followPeerKeys()) {
                io.wakeup();
            }
            plain.flip();
            if (plain.hasRemaining()) {
                io.deliver(plain);
            }
            if (!cached && owner.config.sessionCache() && !owner.cacheForgotten()) {
                // the peer's first frame authenticated, data or not (its final frame, or its answer
                // to a key update, on a one-way flow): it holds the same keys, so the next session's
                // secret is worth caching (RFC 8548 §3.5)
                cached = true;
                codec.cache().put(owner.peer(), keys.cacheEntry());
            }
        }
        if (io.wireAvailable() > 0) {
            truncatedIfFinIn();
        } else if (finIn && !endSeen && codec.authenticatedEnd()) {
            // RFC 8547 §5: the end of the stream must be authentic; a FIN after whole frames none
            // of which ended the stream may be an attacker's truncation
            throw new ProtectionException(Failure.FIN_WITHOUT_FINAL, "FIN without a frame ending the stream");
        }
    }

    private void truncatedIfFinIn() throws ProtectionException {
        if (finIn) {
            throw new ProtectionException(Failure.TRUNCATED_AT_FIN, "FIN inside a frame");
        }
    }

    @Override
    public boolean canSeal() {
        return state == State.OPEN;
    }

    @Override
    public void seal(ByteBuffer data, int length, boolean fin, long streamOffset, ByteBuffer wire) {
        data.limit(data.position() + length);
        // RFC 8548 §3.6: the offset in the TCP data stream (Init message included, reading R5)
        keys.seal(data, fin, streamOffset - sentOpening, wire);
    }

    /**
     * The peer's FIN: bytes that cannot complete an Init message or a frame any more are a
     * truncation (RFC 8547 §5); where the end must be authenticated, a FIN after whole frames
     * none of which ended the stream is one too.
     */
    @Override
    public void onPeerFin(long wireOffset) throws ProtectionException {
        finIn = true;
        int left = io.wireAvailable();
        boolean authenticated = codec.authenticatedEnd();
        if (left == 0) {
            if (authenticated && state == State.OPEN && !endSeen) {
                throw new ProtectionException(Failure.FIN_WITHOUT_FINAL, "FIN without a frame ending the stream");
            }
            if (authenticated && state == State.AWAIT_INIT) {
                throw new ProtectionException(Failure.TRUNCATED_AT_FIN, "FIN before the Init message");
            }
            return;
        }
        int skip = 0;
        if (state == State.AWAIT_INIT) {
            // the Init message may be whole but not yet taken; only a partial one is truncated
            header.clear();
            int whole = left < DialectCodec.INIT_HEADER || io.peekWire(header, 0) < 0 ? -1
                    : codec.wholeInitLength(header, left);
            if (whole < 0) {
                throw new ProtectionException(Failure.TRUNCATED_AT_FIN, "FIN inside the Init message");
            }
            if (authenticated) {
                return; // what follows the Init message is checked once keys exist
            }
            skip = whole;
        } else if (state != State.OPEN && authenticated) {
            return; // key agreement runs: frames are checked once it is done
        }
        // whole frames may also wait for room in the application's buffer; a partial one cannot complete
        int headerLength = codec.frameHeaderLength();
        ByteBuffer h = ByteBuffer.allocate(headerLength);
        while (skip < left) {
            if (left - skip < headerLength) {
                throw new ProtectionException(Failure.TRUNCATED_AT_FIN, "FIN inside a frame header");
            }
            h.clear();
            io.peekWire(h, skip);
            int length = codec.announcedFrameLength(h);
            if (left - skip < length) {
                throw new ProtectionException(Failure.TRUNCATED_AT_FIN, "FIN inside a frame");
            }
            skip += length;
        }
    }

    @Override
    public void close() {
        if (keys != null) {
            keys.close();
        }
    }
}
