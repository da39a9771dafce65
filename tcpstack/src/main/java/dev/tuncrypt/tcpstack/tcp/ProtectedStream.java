package dev.tuncrypt.tcpstack.tcp;

import java.nio.ByteBuffer;

/**
 * The stream side of a connection whose segment protection transforms the byte stream: the
 * application's plaintext on both sides, the frames the protection seals into the send buffer
 * (the wire stream TCP carries and retransmits unchanged), and the frame boundaries that a
 * segment-aligned protection needs kept as segment boundaries. Loop thread only.
 */
final class ProtectedStream implements StreamIo {
    private final TcpConnection c;
    private final StreamProtection protection;
    /** Plaintext for the application, opened from the wire stream. */
    private final ReceiveBuffer appIn;
    /** Plaintext from the application, waiting to be sealed. */
    private final ReceiveBuffer appOut;
    /** Sequence numbers one past each frame (or opening message) in the send buffer, oldest first. */
    private int[] frameEnds = new int[64];
    private int frameHead;
    private int frameCount;
    /** The application closed its side: the last frame carries FIN, or a bare FIN follows. */
    private boolean appClosed;
    private long wireConsumed;

    ProtectedStream(TcpConnection c, StreamProtection protection, ReceiveBuffer staged) {
        this.c = c;
        this.protection = protection;
        this.appIn = new ReceiveBuffer(c.config.receiveBuffer(), c.layer.rings);
        this.appOut = staged != null ? staged : new ReceiveBuffer(c.config.sendBuffer(), c.layer.rings);
    }

    void start() throws ProtectionException {
        protection.start(this);
    }

    // ------------------------------------------------------------------ receive side

    /** Lets the protection consume the in-order wire bytes (or finish work it was woken for). */
    void pumpWire() throws ProtectionException {
        protection.onWireData(this);
    }

    int appReadable() {
        return appIn.readable();
    }

    int appReceive(ByteBuffer dst) {
        int n = appIn.read(dst);
        appIn.releaseRingIfEmpty();
        return n;
    }

    /** Whether every received wire byte became plaintext and was read: the end of the stream may be reported. */
    boolean drained() {
        return appIn.readable() == 0 && c.receiveBuffer.readable() == 0;
    }

    void peerFin() throws ProtectionException {
        protection.onPeerFin(wireConsumed + c.receiveBuffer.readable());
    }

    // ------------------------------------------------------------------ send side

    /** Takes application bytes; they are sealed as the protection and Nagle allow. */
    int appSend(ByteBuffer src) {
        return appClosed ? -1 : appOut.write(src);
    }

    int appWritable() {
        return appClosed ? 0 : appOut.free();
    }

    void closeOutput() {
        appClosed = true;
    }

    /** Whether everything the application wrote has been sealed (a FIN may follow). */
    boolean outputSealed() {
        return appOut.readable() == 0;
    }

    /**
     * Seals pending plaintext into frames in the send buffer: full frames at once, a short
     * one only when nothing is in flight, TCP_NODELAY is set or the application closed (Nagle,
     * RFC 9293 §3.7.4, applied to plaintext).
     *
     * @return whether the last frame sealed carries the end of the stream
     */
    boolean seal() throws ProtectionException {
        if (!protection.canSeal()) {
            return false;
        }
        int overhead = protection.frameOverhead();
        int maxPlain = protection.maxFramePayload();
        if (protection.segmentAligned()) {
            maxPlain = Math.min(maxPlain, c.smss - overhead);
        }
        ByteBuffer plain = c.layer.plainScratch;
        ByteBuffer wire = c.layer.wireScratch;
        boolean finFramed = false;
        while (appOut.readable() > 0) {
            int room = c.sendBuffer.free() - overhead;
            int n = Math.min(Math.min(appOut.readable(), maxPlain), room);
            if (n <= 0) {
                break;
            }
            boolean inFlight = c.sndMax != c.sndUna || c.sendBuffer.bytesFrom(c.sndNxt) > 0;
            if (n < maxPlain && n == appOut.readable() && inFlight && !c.noDelay && !appClosed) {
                break; // Nagle: wait for the ACK before sending a short frame
            }
            boolean fin = appClosed && n == appOut.readable();
            plain.clear().limit(n);
            appOut.read(plain);
            plain.flip();
            wire.clear();
            long offset = Integer.toUnsignedLong(SeqNum.diff(c.sendBuffer.end(), c.iss + 1));
            protection.seal(plain, n, fin, offset, wire);
            wire.flip();
            c.sendBuffer.append(wire);
            markFrameEnd(c.sendBuffer.end());
            finFramed = fin;
        }
        appOut.releaseRingIfEmpty();
        return finFramed;
    }

    private void markFrameEnd(int seqEnd) {
        if (frameCount == frameEnds.length) {
            int[] bigger = new int[frameEnds.length * 2];
            for (int i = 0; i < frameCount; i++) {
                bigger[i] = frameEnds[(frameHead + i) % frameEnds.length];
            }
            frameEnds = bigger;
            frameHead = 0;
        }
        frameEnds[(frameHead + frameCount) % frameEnds.length] = seqEnd;
        frameCount++;
    }

    /** Forgets frames wholly acknowledged. */
    void acked(int sndUna) {
        while (frameCount > 0 && SeqNum.le(frameEnds[frameHead], sndUna)) {
            frameHead = (frameHead + 1) % frameEnds.length;
            frameCount--;
        }
    }

    /**
     * For a segment-aligned protection: how many bytes from {@code seq} up to the end of the
     * frame that contains it (0 if unknown, e.g. nothing sealed there).
     */
    int frameRemainder(int seq) {
        if (!protection.segmentAligned()) {
            return Integer.MAX_VALUE;
        }
        for (int i = 0; i < frameCount; i++) {
            int end = frameEnds[(frameHead + i) % frameEnds.length];
            if (SeqNum.gt(end, seq)) {
                return SeqNum.diff(end, seq);
            }
        }
        return 0;
    }

    void close() {
        protection.close();
        appOut.releaseRingIfEmpty();
        appIn.releaseRingIfEmpty();
    }

    // ------------------------------------------------------------------ StreamIo

    @Override
    public int wireAvailable() {
        return c.receiveBuffer.readable();
    }

    @Override
    public int peekWire(ByteBuffer dst, int skip) {
        return c.receiveBuffer.peek(dst, skip);
    }

    @Override
    public void consumeWire(int n) {
        int before = c.receiveBuffer.readable();
        c.receiveBuffer.skip(n);
        wireConsumed += before - c.receiveBuffer.readable();
        c.releaseReceiveRingIfIdle();
    }

    @Override
    public long receivedWireOffset() {
        return wireConsumed;
    }

    @Override
    public int deliverable() {
        return appIn.free();
    }

    @Override
    public void deliver(ByteBuffer plain) {
        int n = plain.remaining();
        if (appIn.write(plain) != n) {
            throw new IllegalStateException("delivered more than deliverable()");
        }
        c.stats.bytesDecrypted += n;
    }

    @Override
    public void emit(ByteBuffer bytes) {
        if (c.sendBuffer.free() < bytes.remaining()) {
            throw new IllegalStateException("send buffer too small for an opening message");
        }
        c.sendBuffer.append(bytes);
        markFrameEnd(c.sendBuffer.end());
    }

    @Override
    public void wakeup() {
        c.layer.ctx.post(c::resumeStream);
    }
}
