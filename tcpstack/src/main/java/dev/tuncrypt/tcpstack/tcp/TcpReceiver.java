package dev.tuncrypt.tcpstack.tcp;

import static dev.tuncrypt.tcpstack.wire.TcpView.FIN;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;

import java.nio.ByteBuffer;

/**
 * The receiving half of a connection: RCV.NXT (RFC 9293 §3.3.1) through the reassembly queue and
 * the peer's FIN, the acceptability test of §3.10.7.4, segment text (seventh step), the window to
 * advertise with receiver SWS avoidance (§3.8.6.2.2), and when to acknowledge: quick ACKs at the
 * start, delayed ACKs (RFC 5681 §4.2), immediate ACKs for out-of-order data, D-SACK reports
 * (RFC 2883) and the paced answer to invalid segments. Confined to the connection's loop thread.
 */
final class TcpReceiver {
    private static final long NONE = Long.MAX_VALUE;
    /** Linux's quick-ACK start: ACK every segment until this many have arrived. */
    private static final int QUICK_ACKS = 16;

    private final TcpConnection c;
    final ReceiveBuffer buffer;
    final ReassemblyQueue reassembly;

    /** RCV.NXT + RCV.WND as last advertised: never moved left (RFC 9293 §3.8.6.2.2). */
    private int rcvAdvEdge;
    /** The peer's FIN is in order: RCV.NXT covers it. */
    private boolean finReceived;
    /** 1 once the peer's FIN is in: it occupies one sequence number after the data. */
    private int finRcvNxtBump;
    /** Sequence number of a FIN that arrived ahead of missing data. */
    private int pendingFinSeq;
    private boolean pendingFin;
    /** The {@link ReceiveWindowBudget} period in which this receiver was last counted. */
    long budgetEpoch = Long.MIN_VALUE;
    /** Octets received in order: how far the window has grown past its start ({@link ReceiveWindowBudget#limit}). */
    private long windowGrowth;
    /** Last.ACK.sent (RFC 7323 §4.3). */
    private int lastAckSent;

    /** RFC 2883: a duplicate segment to report as the first SACK block of the next ACK. */
    private boolean dsackPending;
    private int dsackLeft;
    private int dsackRight;

    // ACK policy
    /** When the pending ACK is due (0: at once), {@code NONE} when none is scheduled. */
    private long delAckAt = NONE;
    private boolean ackPending;
    private int unackedSegments;
    private int quickAcks = QUICK_ACKS;
    private final InvalidSegmentAcks invalidAcks = new InvalidSegmentAcks();
    /** An invalid segment is to be answered with a pure ACK ({@link #answerInvalid}). */
    private boolean invalidAnswerDue;

    TcpReceiver(TcpConnection c, ReceiveBuffer buffer) {
        this.c = c;
        this.buffer = buffer;
        this.reassembly = new ReassemblyQueue(buffer);
    }

    /** The first sequence number expected after the peer's SYN. */
    void start(int rcvNxt) {
        reassembly.reset(rcvNxt);
        windowGrowth = 0;
        c.layer.windowBudget.received(this, c.layer.now()); // about to receive: counted from the handshake
    }

    /** RCV.NXT: the next sequence number expected (data via the reassembly queue, plus FIN). */
    int rcvNxt() {
        return reassembly.rcvNxt() + finRcvNxtBump;
    }

    int lastAckSent() {
        return lastAckSent;
    }

    boolean finReceived() {
        return finReceived;
    }

    /** The peer's FIN is in order (RFC 9293 §3.10.7.4, eighth): RCV.NXT advances over it. */
    void acceptFin() {
        finReceived = true;
        finRcvNxtBump = 1;
    }

    // ------------------------------------------------------------------ arrival

    /**
     * RFC 9293 §3.10.7.4 first check, the four acceptability cases, with RCV.WND as advertised
     * widened by {@code slack} octets.
     */
    boolean acceptable(InboundSegment seg, int slack) {
        int rcvNxt = rcvNxt();
        int rcvWnd = Math.max(0, SeqNum.diff(rcvAdvEdge, rcvNxt)) + slack;
        int len = seg.segLen();
        if (len == 0) {
            return rcvWnd == 0 ? seg.seq == rcvNxt : SeqNum.inWindow(seg.seq, rcvNxt, rcvWnd);
        }
        if (rcvWnd == 0) {
            return false;
        }
        return SeqNum.inWindow(seg.seq, rcvNxt, rcvWnd) || SeqNum.inWindow(seg.seq + len - 1, rcvNxt, rcvWnd);
    }

    /** An unacceptable segment: one wholly before RCV.NXT is reported as a duplicate (RFC 2883 §4 (1)). */
    void onUnacceptable(InboundSegment seg) {
        if (seg.payloadLength > 0 && SeqNum.le(seg.seq + seg.payloadLength, rcvNxt())) {
            noteDsack(seg.seq, seg.seq + seg.payloadLength);
        }
    }

    /**
     * Seventh and eighth steps: segment text and FIN (RFC 9293 §3.10.7.4). In-order data goes to
     * the connection ({@link ApplicationStream#dataArrived}), an in-order FIN to
     * {@link TcpConnection#peerFin}; the ACK is scheduled as RFC 5681 §4.2 asks.
     */
    void onText(InboundSegment seg, long now) {
        if (!c.state.canReceive()) {
            return; // data after the peer's FIN is ignored
        }
        int before = rcvNxt();
        int seq = seg.seq;
        int len = seg.payloadLength;
        boolean hadHoles = reassembly.rangeCount() > 0;
        if (len > 0 && SeqNum.lt(seq, before)) {
            noteDsack(seq, SeqNum.min(seq + len, before)); // RFC 2883 §4 (1): partly a duplicate
        }
        if (len > 0) {
            ByteBuffer b = seg.buffer;
            int lim = b.limit();
            int pos = b.position();
            b.limit(seg.payloadOffset + len).position(seg.payloadOffset);
            int advanced = reassembly.insert(seq, b);
            b.limit(lim).position(pos);
            c.stats.bytesReceived += advanced;
            windowGrowth += advanced;
            c.layer.windowBudget.received(this, now);
            if (advanced > 0 && !c.app.dataArrived()) {
                return;
            }
        }
        // out of order, or filling (part of) a hole: RFC 5681 §4.2 wants an immediate ACK
        boolean outOfOrder = SeqNum.gt(seq, before) || reassembly.rangeCount() > 0 || hadHoles;
        if (seg.has(FIN)) {
            pendingFin = true;
            pendingFinSeq = seq + len;
        }
        if (pendingFin && pendingFinSeq == rcvNxt()) {
            pendingFin = false;
            c.peerFin(now);
            if (c.state != TcpState.CLOSED) {
                ackNow();
            }
            return;
        }
        if (outOfOrder || (len > 0 && rcvNxt() == before)) {
            ackNow(); // RFC 5681 §4.2: out-of-order or hole-filling data is acknowledged at once
            return;
        }
        if (len > 0) {
            // a super-packet counts as the segments it stands for: one ACK answers it at once
            int full = seg.gsoSize > 0 ? (len + seg.gsoSize - 1) / seg.gsoSize : len >= c.smss ? 1 : 0;
            scheduleAck(now, full);
            if (SeqNum.diff(rcvAdvEdge, rcvNxt()) < c.smss && budgetLimit() < buffer.free()) {
                // the peer has used up a window the budget held small: a delayed ACK would only
                // stall it (RFC 9293 §3.8.6.3 allows ACKing sooner; Linux does so for a closing window)
                ackNow();
            }
        }
    }

    /** RFC 2883 §4: remember a received duplicate for the first SACK block of the next ACK. */
    private void noteDsack(int left, int right) {
        if (c.sackOk) {
            dsackPending = true;
            dsackLeft = left;
            dsackRight = right;
        }
    }

    /** Gives the receive ring back when it holds nothing, in order or not. */
    void releaseRingIfIdle() {
        if (buffer.readable() == 0 && reassembly.rangeCount() == 0) {
            buffer.releaseRingIfEmpty();
        }
    }

    /** Drops what was received and not read (ABORT, RFC 9293 §3.10.5). */
    void discard() {
        buffer.clear();
        reassembly.reset(rcvNxt());
    }

    // ------------------------------------------------------------------ window

    /**
     * RCV.WND: free receive buffer space from RCV.NXT (out-of-order data sits inside it), at most
     * what the loop's {@link ReceiveWindowBudget} allows this connection.
     */
    int receiveWindow() {
        if (finReceived) {
            return 0;
        }
        int free = c.stream != null ? c.stream.peerWindow(buffer.free()) : buffer.free();
        return Math.min(free, budgetLimit());
    }

    /**
     * What the loop's {@link ReceiveWindowBudget} allows this connection's window now; never less
     * than a full segment once scaled down to the window field's granularity, since a sender of
     * sealed frames (tcpcrypt-0.5: one frame a segment) cannot send less than a segment.
     */
    private int budgetLimit() {
        if (c.stream != null) {
            // not for protected streams yet: a tcpcrypt-0.5 transfer of super-packets between two
            // stacks stalled with budget-held windows (EncryptedSuperPacketTest), cause not found
            return Integer.MAX_VALUE;
        }
        int limit = c.layer.windowBudget.limit(c.smss, windowGrowth, c.layer.now());
        return Math.max(limit, c.smss + (1 << c.rcvShift) - 1);
    }

    /** The window field to send now, scaled, never moving the right edge left. */
    int windowToAdvertise() {
        int rcvNxt = rcvNxt();
        long wnd = receiveWindow();
        int edgeOffset = SeqNum.diff(rcvAdvEdge, rcvNxt);
        // RFC 9293 §3.8.6.2.2: move the edge by at least min(Fr x RCV.BUFF, Eff.snd.MSS), Fr = 1/2;
        // while the window budget caps this connection, its share is the buffer it may offer
        int offerable = Math.min(buffer.capacity(), budgetLimit());
        if (edgeOffset > 0 && wnd - edgeOffset < Math.min(offerable / 2, c.smss)) {
            wnd = edgeOffset; // receiver SWS avoidance: keep the old edge
        }
        wnd = Math.max(wnd, Math.max(edgeOffset, 0));
        long max = 65535L << c.rcvShift;
        wnd = Math.min(wnd, max);
        int field = (int) (wnd >>> c.rcvShift);
        rcvAdvEdge = rcvNxt + (field << c.rcvShift);
        return field;
    }

    /**
     * After the application read: whether the window opened enough for an update of its own.
     * RFC 9293 §3.8.6.2.2: the right edge may move once it grows by min(buffer/2, MSS); a
     * segment just for that is worth it only when the window at least doubles (as Linux),
     * otherwise the next ACK carries it.
     */
    boolean windowUpdateDue() {
        int wnd = receiveWindow();
        int advertised = Math.max(0, SeqNum.diff(rcvAdvEdge, rcvNxt()));
        return wnd - advertised >= Math.min(buffer.capacity() / 2, c.smss) && wnd >= 2L * advertised;
    }

    // ------------------------------------------------------------------ ACK policy

    /** An ACK is to go at once. */
    void ackNow() {
        ackPending = true;
        delAckAt = 0; // due immediately
    }

    private void scheduleAck(long now, int fullSegments) {
        ackPending = true;
        unackedSegments += fullSegments;
        // RFC 5681 §4.2: ACK at least every second full-sized segment; quick ACKs at start.
        if (unackedSegments >= 2 || quickAcks > 0) {
            if (quickAcks > 0) {
                quickAcks--;
            }
            delAckAt = 0;
        } else if (delAckAt == NONE) {
            delAckAt = now + c.config.delayedAckNanos();
        }
    }

    /**
     * Answers an invalid segment with a pure ACK of its own, at most once per
     * {@link InvalidSegmentAcks#INTERVAL_NANOS} for segments without data (the ACK-loop breaker;
     * segments with data are always answered).
     */
    void answerInvalid(InboundSegment seg, long now) {
        if (invalidAcks.mayAnswer(seg.payloadLength > 0 || seg.has(SYN), now)) {
            ackNow();
            invalidAnswerDue = true;
        }
    }

    /** Whether an invalid segment's answer is due; clears it. */
    boolean takeInvalidAnswer() {
        boolean due = invalidAnswerDue;
        invalidAnswerDue = false;
        return due;
    }

    boolean ackPending() {
        return ackPending;
    }

    /** Whether the pending ACK is due at {@code now}. */
    boolean ackDue(long now) {
        return ackPending && delAckAt != NONE && now - delAckAt >= 0;
    }

    /** When the pending ACK is due, or {@code Long.MAX_VALUE}. */
    long ackDeadline() {
        return ackPending ? delAckAt : NONE;
    }

    /** No ACK to send (nothing to acknowledge in this state, or the connection is gone). */
    void cancelAck() {
        ackPending = false;
        delAckAt = NONE;
    }

    /** The delayed-ACK timer stops (TIME-WAIT); an ACK asked for later still goes. */
    void stopDelayedAck() {
        delAckAt = NONE;
    }

    /** A segment carrying ACK = {@code ack} went out: the pending ACK is sent. */
    void ackSent(int ack) {
        lastAckSent = ack;
        ackPending = false;
        unackedSegments = 0;
        delAckAt = NONE;
    }

    /** The right edge our SYN offered: RFC 7323 §2.2, the window of a SYN is never scaled. */
    void synWindowOffered() {
        rcvAdvEdge = rcvNxt() + Math.min(receiveWindow(), 65535);
    }

    /** Our SYN,ACK went out acknowledging {@code ack} and offering the unscaled {@code window}. */
    void synAckSent(int ack, int window) {
        ackSent(ack);
        rcvAdvEdge = ack + window;
    }

    /** Pure ACKs not sent in answer to invalid segments (the ACK-loop breaker). */
    long invalidAcksSkipped() {
        return invalidAcks.skipped();
    }

    // ------------------------------------------------------------------ SACK blocks

    /** Whether the next ACK has SACK blocks to report (RFC 2018, RFC 2883). */
    boolean hasSackBlocks() {
        return reassembly.rangeCount() > 0 || dsackPending;
    }

    /**
     * Fills up to {@code room} SACK blocks: a pending D-SACK block first, once (RFC 2883 §4),
     * then the out-of-order ranges, most recent first (RFC 2018 §4).
     *
     * @param moreLeft scratch for the ranges after a D-SACK block (with {@code moreRight}), as long as {@code left}
     * @return blocks written
     */
    int sackBlocks(long[] left, long[] right, long[] moreLeft, long[] moreRight, int room) {
        if (room <= 0) {
            return 0;
        }
        if (!dsackPending) {
            return reassembly.sackBlocks(left, right, room);
        }
        dsackPending = false;
        left[0] = Integer.toUnsignedLong(dsackLeft);
        right[0] = Integer.toUnsignedLong(dsackRight);
        int n = 1;
        int more = room - 1;
        if (more > 0 && reassembly.rangeCount() > 0) {
            int m = reassembly.sackBlocks(moreLeft, moreRight, more);
            System.arraycopy(moreLeft, 0, left, 1, m);
            System.arraycopy(moreRight, 0, right, 1, m);
            n += m;
        }
        return n;
    }
}
