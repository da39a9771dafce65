package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.v05.ClientKeyExchange;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.v05.FrameOpener;
import dev.tuncrypt.tcpcrypt.v05.FrameSealer;
import dev.tuncrypt.tcpcrypt.v05.FrameStatus;
import dev.tuncrypt.tcpcrypt.v05.Init2;
import dev.tuncrypt.tcpcrypt.v05.InitError;
import dev.tuncrypt.tcpcrypt.v05.ServerKeyExchange;
import dev.tuncrypt.tcpcrypt.v05.SessionSecrets;
import dev.tuncrypt.tcpcrypt.v05.Tcpcrypt05;
import dev.tuncrypt.tcpstack.tcp.ProtectionException;
import dev.tuncrypt.tcpstack.tcp.StreamIo;
import dev.tuncrypt.tcpstack.tcp.StreamProtection;
import java.nio.ByteBuffer;

/**
 * The tcpcrypt-0.5 byte stream of one connection: Init1 (role A) and Init2 (role B) as the
 * first bytes of each direction, key agreement on a worker (never on the stack loop), then one
 * AES-GCM frame per data segment whose IV is the frame's wire offset after the Init message
 * (protocol notes §3.2-3.4). Any failure after negotiation resets the connection: it never
 * falls back to plain text, and nothing unauthenticated is delivered.
 */
final class TcpCryptStream implements StreamProtection {
    /** Failures of the stream itself (the Init and frame codecs have their own reasons). */
    enum Failure {
        /** A frame or Init message was cut short by the peer's FIN. */
        TRUNCATED_AT_FIN,
        /** Data followed a frame that carried the FIN flag. */
        DATA_AFTER_FIN_FRAME
    }

    private enum State { AWAIT_INIT, AGREEING, OPEN }

    private static final int INIT_HEADER = 8; // magic u32 + message length u32

    private final TcpCryptProtection owner;
    private final TcpCrypt crypt;
    private final EnoOutcome outcome;
    private final byte[] transcript;
    private final Role role;
    private StreamIo io;
    private State state = State.AWAIT_INIT;
    private ClientKeyExchange client;
    private byte[] localPublicKey = new byte[0];
    private int sentOpening;
    private int receivedOpening;
    private SessionSecrets secrets;
    private FrameSealer sealer;
    private FrameOpener opener;
    private boolean cached;
    private boolean finFrameSeen;

    /** Set by a worker when key agreement finished; picked up on the loop. */
    private volatile Object agreed;
    private volatile byte[] pendingEmit;

    /**
     * Scratch for opening frames, one pair per thread: frames are opened on the stack loop that
     * owns the connection, so connections share them instead of holding 128 KiB each (heap
     * buffers: the JDK's GCM is faster with them).
     */
    private static final ThreadLocal<ByteBuffer[]> SCRATCH = ThreadLocal.withInitial(() -> new ByteBuffer[] {
        ByteBuffer.allocate(Tcpcrypt05.FRAME_HEADER_LENGTH + 0xffff), ByteBuffer.allocate(0xffff)});
    private final ByteBuffer header = ByteBuffer.allocate(INIT_HEADER);

    /** Both ends are this stack and agreed on it ({@code WideWindow}): no 64-frame cap. */
    private final boolean wideWindow;

    TcpCryptStream(TcpCryptProtection owner, EnoOutcome outcome, byte[] transcript, boolean wideWindow) {
        this.wideWindow = wideWindow;
        this.owner = owner;
        this.crypt = owner.crypt;
        this.outcome = outcome;
        this.transcript = transcript;
        this.role = owner.active ? Role.A : Role.B;
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
    public void start(StreamIo io) {
        this.io = io;
        if (outcome instanceof EnoOutcome.Resumed r) {
            open(SessionSecrets.resume(r.session()), new byte[0]);
            crypt.resumptions.incrementAndGet();
            return;
        }
        if (role == Role.A) {
            // Init1 rides in the first data: a nonce and the current ephemeral key, no EC work here
            byte[] nonce = new byte[Tcpcrypt05.NONCE_LENGTH];
            crypt.random.nextBytes(nonce);
            client = ClientKeyExchange.withSecrets(outcome.tepOrNull(), owner.config.ciphers(Dialect.TCPCRYPT_05), nonce,
                    crypt.keys.currentEc(outcome.tepOrNull()));
            byte[] init1 = client.init1().encoded();
            localPublicKey = client.init1().publicKey().encoded();
            sentOpening = init1.length;
            io.emit(ByteBuffer.wrap(init1));
        }
    }

    @Override
    public void onWireData(StreamIo io) throws ProtectionException {
        if (state == State.AGREEING) {
            if (!finishAgreement()) {
                return;
            }
        }
        if (state == State.AWAIT_INIT) {
            takeInitMessage();
            if (state != State.OPEN) {
                return;
            }
        }
        openFrames();
    }

    /** Reads the peer's Init message once it is whole and hands the key agreement to a worker. */
    private void takeInitMessage() {
        if (io.wireAvailable() < INIT_HEADER) {
            return;
        }
        header.clear();
        io.peekWire(header, 0);
        long declared = Integer.toUnsignedLong(header.getInt(4));
        if (declared < INIT_HEADER || declared > 4096) {
            declared = INIT_HEADER; // let the codec reject it with its own reason
        }
        if (io.wireAvailable() < declared) {
            return;
        }
        ByteBuffer message = ByteBuffer.allocate((int) declared);
        io.peekWire(message, 0);
        message.flip();
        io.consumeWire((int) declared);
        receivedOpening = (int) declared;
        state = State.AGREEING;
        var tep = outcome.tepOrNull();
        long handedOver = crypt.nanoTime.getAsLong();
        if (role == Role.A) {
            crypt.workers.execute(() -> {
                var r = client.onInit2(message.duplicate(), transcript);
                byte[] peerKey = r.isOk()
                        ? Init2.parse(tep, message.duplicate(), owner.config.ciphers(Dialect.TCPCRYPT_05)).valueOrNull().publicKey().encoded()
                        : null;
                if (r.isOk()) {
                    crypt.keyAgreementLatency.record(crypt.nanoTime.getAsLong() - handedOver);
                }
                agreed = r.isOk() ? new Agreed(r.valueOrNull(), peerKey, null) : r.errorOrNull();
                io.wakeup();
            });
        } else {
            byte[] nonce = new byte[Tcpcrypt05.NONCE_LENGTH];
            crypt.random.nextBytes(nonce);
            crypt.workers.execute(() -> {
                var keyPair = crypt.keys.currentEc(tep);
                var r = ServerKeyExchange.onInit1(tep, message.duplicate(), owner.config.ciphers(Dialect.TCPCRYPT_05), transcript, nonce,
                        keyPair);
                if (r.isOk()) {
                    crypt.keyAgreementLatency.record(crypt.nanoTime.getAsLong() - handedOver);
                    var a = r.valueOrNull();
                    agreed = new Agreed(a.secrets(), a.init1().publicKey().encoded(), a.init2().encoded());
                    localPublicKey = keyPair.publicKey().encoded();
                } else {
                    agreed = r.errorOrNull();
                }
                io.wakeup();
            });
        }
    }

    private record Agreed(SessionSecrets secrets, byte[] peerPublicKey, byte[] init2) {}

    /** @return whether the stream is open now */
    private boolean finishAgreement() throws ProtectionException {
        Object a = agreed;
        if (a == null) {
            return false;
        }
        agreed = null;
        if (a instanceof InitError e) {
            throw new ProtectionException(e, "bad " + (role == Role.A ? "Init2" : "Init1") + ": " + e);
        }
        Agreed ok = (Agreed) a;
        if (ok.init2() != null) {
            sentOpening = ok.init2().length;
            io.emit(ByteBuffer.wrap(ok.init2()));
        }
        open(ok.secrets(), ok.peerPublicKey());
        crypt.handshakes.incrementAndGet();
        return true;
    }

    private void open(SessionSecrets s, byte[] peerPublicKey) {
        secrets = s;
        sealer = s.newSealer(role);
        opener = s.newOpener(role);
        state = State.OPEN;
        owner.established(new TcpCryptInfo(Tcpcrypt05.DIALECT, s.sessionId(), s.tep(), s.cipher(), s.isResumed(),
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

    /** Opens every whole frame that the application has room for. */
    private void openFrames() throws ProtectionException {
        ByteBuffer[] scratch = SCRATCH.get();
        ByteBuffer frame = scratch[0];
        ByteBuffer plain = scratch[1];
        while (io.wireAvailable() >= Tcpcrypt05.FRAME_HEADER_LENGTH) {
            frame.clear().limit(Tcpcrypt05.FRAME_HEADER_LENGTH);
            io.peekWire(frame, 0);
            int length = FrameOpener.announcedFrameLength(frame, 0);
            int dataMax = length - Tcpcrypt05.FRAME_HEADER_LENGTH - Tcpcrypt05.FRAME_TAG_LENGTH;
            if (io.wireAvailable() < length || io.deliverable() < dataMax) {
                return;
            }
            if (finFrameSeen) {
                throw new ProtectionException(Failure.DATA_AFTER_FIN_FRAME, "data after the frame carrying FIN");
            }
            long offset = io.receivedWireOffset() - receivedOpening;
            frame.clear().limit(length);
            io.peekWire(frame, 0);
            frame.flip();
            plain.clear();
            FrameStatus status = opener.open(frame, offset, plain);
            if (status != FrameStatus.OK) {
                throw new ProtectionException(status, "frame at offset " + offset + ": " + status);
            }
            io.consumeWire(length);
            finFrameSeen = opener.fin();
            plain.flip();
            io.deliver(plain);
            if (!cached && owner.config.sessionCache() && !owner.cacheForgotten()) {
                // cache once the peer proved it holds the same keys (its first frame authenticated)
                cached = true;
                crypt.cache.put(owner.peer(), secrets.toCacheEntry(role, wideWindow));
            }
        }
    }

    @Override
    public boolean canSeal() {
        return state == State.OPEN;
    }

    @Override
    public void seal(ByteBuffer data, int length, boolean fin, long streamOffset, ByteBuffer wire) {
        long offset = streamOffset - sentOpening;
        data.limit(data.position() + length);
        sealer.seal(data, fin ? Tcpcrypt05.FLAG_FIN : 0, offset, wire);
    }

    @Override
    public void onPeerFin(long wireOffset) throws ProtectionException {
        int left = io.wireAvailable();
        if (left == 0) {
            return;
        }
        int skip = 0;
        if (state == State.AWAIT_INIT) {
            // the Init message may be whole but not yet taken; only a partial one is truncated
            if (left < INIT_HEADER) {
                throw new ProtectionException(Failure.TRUNCATED_AT_FIN, "FIN inside the Init message");
            }
            ByteBuffer ih = ByteBuffer.allocate(INIT_HEADER);
            io.peekWire(ih, 0);
            long declared = Integer.toUnsignedLong(ih.getInt(4));
            if (declared < INIT_HEADER || declared > left) {
                throw new ProtectionException(Failure.TRUNCATED_AT_FIN, "FIN inside the Init message");
            }
            skip = (int) declared;
        }
        // AGREEING: the Init message was taken and keys are being agreed on a worker; what is left
        // are frames, opened once the keys exist. Whole frames may also wait for room in the
        // application's buffer; a partial one cannot complete.
        ByteBuffer h = ByteBuffer.allocate(Tcpcrypt05.FRAME_HEADER_LENGTH);
        while (skip < left) {
            if (left - skip < Tcpcrypt05.FRAME_HEADER_LENGTH) {
                throw new ProtectionException(Failure.TRUNCATED_AT_FIN, "FIN inside a frame header");
            }
            h.clear();
            io.peekWire(h, skip);
            int length = FrameOpener.announcedFrameLength(h, 0);
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
