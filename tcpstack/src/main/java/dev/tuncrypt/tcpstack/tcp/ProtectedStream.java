package dev.tuncrypt.tcpstack.tcp;

import java.nio.ByteBuffer;

/**
 * The stream side of a connection whose segment protection transforms the byte stream: the
 * application's plaintext on both sides, the frames the protection seals into the send buffer
 * (the wire stream TCP carries and retransmits unchanged), and the frame boundaries that a
 * segment-aligned protection needs kept as segment boundaries. Loop thread only.
 */
final class ProtectedStream implements StreamIo, SequenceMapping {
    /**
     * Most frames a segment-aligned stream keeps unacknowledged, and about the most its
     * advertised window lets the peer send. tcpcryptd 0.5 maps sequence numbers through a ring
     * of its last 100 segments per direction ({@code MAX_SEQMAP}); an ACK or a retransmission
     * of an older segment is mapped wrongly, and its kernel then drops what carries it. Applies
     * only while {@link StreamProtection#limitsFramesInFlight()} (the peer may be tcpcryptd);
     * otherwise the window is the ordinary TCP window.
     */
    static final int MAX_FRAMES_IN_FLIGHT = 64;

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
    /** A frame carrying the end of the stream was sealed. */
    private boolean finSealed;
    private long wireConsumed;
    /**
     * Overhead (wire bytes beyond the plaintext) of every frame sealed, and of every frame
     * opened: wire bytes consumed once keys existed less the plaintext delivered. Opening
     * messages are not counted. See "Sequence numbers around a FIN" below.
     */
    private long sentFrameOverhead;
    private long openedFrameBytes;
    private long openedPlaintext;
    /** The peer's FIN is in, but frames before it wait to be opened: its ACK waits for them. */
    private boolean finAckDeferred;
    /** The protection (and its keys) is closed. */
    private boolean closed;
    /** The connection ended with frames left to open or read: close once they are read. */
    private boolean closeWhenDrained;

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
        if (finAckDeferred && c.receiveBuffer.readable() == 0) {
            finAckDeferred = false; // every frame is open: the FIN can be acknowledged now
            c.receiver.ackNow();
            wakeup();
        }
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
        return appClosed ? -1 : appOut.offer(src);
    }

    /** The plaintext ready for the application, for a splice that moves it ring to ring. */
    ReceiveBuffer appIn() {
        return appIn;
    }

    /** As {@link #appSend}, moving the bytes from another connection's ring. */
    int appSendFrom(ReceiveBuffer src) {
        return appClosed ? -1 : src.moveTo(appOut);
    }

    int appWritable() {
        return appClosed ? 0 : appOut.free();
    }

    void closeOutput() {
        appClosed = true;
    }

    /** Whether everything the application wrote has been sealed (a FIN may follow). */
    boolean outputSealed() {
        return appOut.readable() == 0 && (!appClosed || finSealed || !protection.sealsFinalFrame());
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
            if (n <= 0 || (protection.limitsFramesInFlight() && frameCount >= MAX_FRAMES_IN_FLIGHT)) {
                break;
            }
            boolean inFlight = c.sender.sndMax != c.sender.sndUna || c.sendBuffer.bytesFrom(c.sender.sndNxt) > 0;
            if (n < maxPlain && n == appOut.readable() && inFlight && !c.sender.noDelay && !appClosed) {
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
            sentFrameOverhead += wire.remaining() - n;
            c.sendBuffer.append(wire);
            markFrameEnd(c.sendBuffer.end());
            finFramed = fin;
            finSealed |= fin;
        }
        while (!finSealed && appOut.readable() == 0 && protection.wantsFrame() && c.sendBuffer.free() >= overhead) {
            // a frame the protection owes with nothing to say (RFC 8548 §3.8: the answer to a key update)
            plain.clear().flip();
            wire.clear();
            long offset = Integer.toUnsignedLong(SeqNum.diff(c.sendBuffer.end(), c.iss + 1));
            protection.seal(plain, 0, false, offset, wire);
            wire.flip();
            sentFrameOverhead += wire.remaining();
            c.sendBuffer.append(wire);
            markFrameEnd(c.sendBuffer.end());
        }
        if (appClosed && !finSealed && appOut.readable() == 0 && protection.sealsFinalFrame()
                && c.sendBuffer.free() >= overhead) {
            // the end of the stream in a frame of its own: nothing was pending when the application closed
            plain.clear().flip();
            wire.clear();
            long offset = Integer.toUnsignedLong(SeqNum.diff(c.sendBuffer.end(), c.iss + 1));
            protection.seal(plain, 0, true, offset, wire);
            wire.flip();
            sentFrameOverhead += wire.remaining();
            c.sendBuffer.append(wire);
            markFrameEnd(c.sendBuffer.end());
            finFramed = true;
            finSealed = true;
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
        // frame ends are in sequence order: binary search for the first one past seq
        int lo = 0;
        int hi = frameCount;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (SeqNum.gt(frameEnds[(frameHead + mid) % frameEnds.length], seq)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo == frameCount ? 0 : SeqNum.diff(frameEnds[(frameHead + lo) % frameEnds.length], seq);
    }

    // ------------------------------------------------------------------ tcpcryptd 0.5's sequence space
    //
    // tcpcryptd 0.5 strips frames in its kernel's path and maps sequence numbers per segment
    // (tcpcrypt.c fixup_seq_add, seqmap_find_end / _ack_in / _ack_out). A SEQ or ACK that falls
    // exactly on the end of a recorded segment is mapped; any other is moved by the opening
    // message's length only. So what follows a FIN (its ACK, and SEQ = FIN + 1) is numbered on
    // the wire as FIN + 1 less the overhead of every frame before it, and tcpcryptd expects the
    // same from its peer: an ACK of the true FIN + 1 reaches its kernel as an ACK of unsent data,
    // and Linux drops every segment that carries it. Golden vector full-handshake-p256: B's FIN
    // frame is seq 3440836123 + 33; A's ACK is 3440836137 and B's last ACK has seq 3440836137.
    // tcpcryptd does not map the window field either: its kernel fills a window with plaintext
    // and each segment grows by a frame on the wire. A segment-aligned protection is one whose
    // peer numbers its stream like this.

    /**
     * The numbering TCP uses on the wire for this stream: this one's for a segment-aligned
     * protection (its peer numbers the stream as tcpcryptd 0.5 does), else TCP's own.
     */
    SequenceMapping sequenceMapping() {
        return protection.segmentAligned() ? this : SequenceMapping.IDENTITY;
    }

    /** The SEQ to put on the wire for {@code seq}: after our FIN, short by our frames' overhead. */
    @Override
    public int wireSeq(int seq) {
        if (!protection.segmentAligned() || sentFrameOverhead == 0 || seq != c.sendBuffer.end() + 1) {
            return seq;
        }
        return seq - (int) sentFrameOverhead;
    }

    /** The ACK to put on the wire for RCV.NXT {@code rcvNxt}: once the peer's FIN is in, short by its frames' overhead. */
    @Override
    public int wireAck(int rcvNxt) {
        if (!c.receiver.finReceived() || !protection.segmentAligned()) {
            return rcvNxt;
        }
        if (c.receiveBuffer.readable() > 0) {
            // the overhead of frames not yet opened is unknown: ACK up to the last frame, the FIN later
            finAckDeferred = true;
            return rcvNxt - 1;
        }
        return rcvNxt - (int) (openedFrameBytes - openedPlaintext);
    }

    /** Maps a peer segment's SEQ and ACK back from that numbering, before TCP looks at them. */
    @Override
    public void mapPeerSegment(InboundSegment seg) {
        if (!protection.segmentAligned()) {
            return;
        }
        if (c.receiver.finReceived() && c.receiveBuffer.readable() == 0) {
            int shortfall = (int) (openedFrameBytes - openedPlaintext);
            int rcvNxt = c.rcvNxt();
            if (shortfall != 0 && seg.seq == rcvNxt - shortfall) {
                seg.seq = rcvNxt;
            }
        }
        seg.ack = peerAck(seg.ack);
    }

    /**
     * The peer's ACK {@code ack} as SND.UNA takes it: its ACK of our FIN comes short by our
     * frames' overhead. Taken so only once our FIN is out, and only if the value is not also
     * the end of a frame still waiting for its ACK (then it may be just that).
     */
    private int peerAck(int ack) {
        if (sentFrameOverhead == 0 || !SeqNum.gt(c.sender.sndMax, c.sendBuffer.end())) {
            return ack;
        }
        int finAcked = c.sendBuffer.end() + 1;
        if (ack != finAcked - (int) sentFrameOverhead || ack == finAcked) {
            return ack;
        }
        if (SeqNum.gt(ack, c.sender.sndUna)) {
            for (int i = 0; i < frameCount; i++) {
                if (frameEnds[(frameHead + i) % frameEnds.length] == ack) {
                    return ack;
                }
            }
        }
        return finAcked;
    }

    /**
     * Receive-buffer bytes kept beyond the advertised window, for the frame overhead a
     * tcpcryptd peer adds to a window it fills with plaintext; segments that far beyond the
     * edge are taken whole (never cut inside a frame, whose ACK tcpcryptd could not map).
     */
    @Override
    public int windowSlack() {
        return protection.segmentAligned() ? protection.frameOverhead() * (MAX_FRAMES_IN_FLIGHT + 2) : 0;
    }

    /** RCV.WND to advertise when {@code free} bytes of the receive buffer are free. */
    int peerWindow(int free) {
        if (!protection.segmentAligned()) {
            return free;
        }
        if (!protection.limitsFramesInFlight()) {
            return Math.max(0, free - windowSlack());
        }
        int perFrame = Math.max(1, c.smss - protection.frameOverhead());
        return Math.max(0, Math.min(free - windowSlack(), MAX_FRAMES_IN_FLIGHT * perFrame));
    }

    /** Drops what the application has not read or sent yet (the connection was reset or aborted). */
    void discard() {
        appIn.clear();
        appOut.clear();
        appIn.releaseRingIfEmpty();
        appOut.releaseRingIfEmpty();
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeWhenDrained = false;
        protection.close();
        appOut.releaseRingIfEmpty();
        appIn.releaseRingIfEmpty();
    }

    /**
     * The connection ended in order (CLOSED or TIME-WAIT reopened) with received frames not yet
     * opened or read: the keys stay until the application has read them (or gives up), so no
     * byte the peer sent and TCP acknowledged is lost to an early end of stream.
     */
    void closeWhenDrained() {
        if (drained()) {
            close();
        } else {
            closeWhenDrained = true;
        }
    }

    /** After the connection ended: opens what the application made room for; closes once all is read. */
    void pumpAfterEnd() {
        if (closed) {
            return;
        }
        try {
            pumpWire();
        } catch (ProtectionException e) {
            discard(); // a frame failed to open after the end: nothing more is delivered
            close();
            return;
        }
        if (closeWhenDrained && drained()) {
            close();
        }
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
        int consumed = before - c.receiveBuffer.readable();
        wireConsumed += consumed;
        if (protection.canSeal()) {
            openedFrameBytes += consumed; // opening messages are consumed before keys exist
        }
        c.receiver.releaseRingIfIdle();
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
        openedPlaintext += n;
        c.stats.bytesDecrypted += n;
    }

    @Override
    public void emit(ByteBuffer bytes) {
        if (c.sendBuffer.free() < bytes.remaining()) {
            throw new IllegalStateException("send buffer too small for an opening message");
        }
        c.sendBuffer.append(bytes);
        markFrameEnd(c.sendBuffer.end());
        pushEnd = c.sendBuffer.end();
        pushPending = true;
    }

    /** One past the last byte of the last opening message: its segment carries PSH. */
    private int pushEnd;
    private boolean pushPending;

    /** Whether the segment {@code [seq, seq + len)} carries the last byte of an opening message (PSH). */
    boolean pushIn(int seq, int len) {
        return pushPending && SeqNum.lt(seq, pushEnd) && SeqNum.le(pushEnd, seq + len);
    }

    @Override
    public void wakeup() {
        c.layer.ctx.post(c::resumeStream);
    }
}
