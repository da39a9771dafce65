package dev.tuncrypt.tcpstack.tcp;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.FIN;
import static dev.tuncrypt.tcpstack.wire.TcpView.PSH;

/**
 * The sending half of a connection: the send sequence variables of RFC 9293 §3.3.1 (SND.UNA,
 * SND.NXT, SND.MAX, SND.WND, SND.WL1, SND.WL2), what goes out when ({@link #output}: the
 * windows, Nagle and sender SWS avoidance of RFC 9293 §3.7.4 and §3.8.6.2.1, super-packets on a
 * link with segmentation offload), RTT sampling (RFC 6298, RFC 7323 §4), the retransmission
 * timer (RFC 6298 §5) and the persist timer (RFC 9293 §3.8.6.1). Confined to the connection's
 * loop thread.
 */
final class TcpSender {
    private static final long NONE = Long.MAX_VALUE;

    private final TcpConnection c;
    final SendBuffer sendBuffer;
    final RttEstimator rtt;
    /** Replaced once the SYN options fix the segment size. */
    CongestionControl cc;

    // Send sequence variables (RFC 9293 §3.3.1)
    int sndUna;
    int sndNxt;
    /** Highest sequence number sent plus one (SND.MAX; SND.NXT goes back after a timeout). */
    int sndMax;
    long sndWnd;
    int sndWl1;
    int sndWl2;
    long maxSndWnd;
    boolean finQueued;
    boolean finSent;
    /** Nagle off (TCP_NODELAY). */
    boolean noDelay;
    /** The peer's SYN came again while SYN-RECEIVED: answer with the SYN,ACK, not a bare ACK. */
    private boolean synAckDue;

    NewRenoRecovery recovery;
    /** RFC 6675 scoreboard, present when SACK was negotiated; loss recovery then follows RFC 6675. */
    SackScoreboard scoreboard;
    private int sackDupAcks;
    /** RACK-TLP (RFC 8985) on the scoreboard, when SACK was negotiated and the config chose it. */
    RackTlp rackTlp;
    private boolean recoveringBeforeAck;
    /** Limited Transmit (RFC 3042): a dup ACK lets one new segment beyond cwnd go. */
    private boolean limitedTransmit;

    /** Zero-window probes sent since the window closed (doubles the persist interval). */
    private int persistBackoff;
    /** Probes no ACK has answered yet. */
    private int persistUnanswered;

    // RTT timing without timestamps (Karn's algorithm, RFC 6298 §3)
    private boolean timing;
    private int timedSeq;
    private long timedAt;

    // Timers: absolute deadlines, NONE when off
    long rtoAt = NONE;
    long persistAt = NONE;
    /** When the oldest unacknowledged data was first sent, for the user timeout (RFC 9293 §3.8.3). */
    long unackedSince = NONE;
    int retransmitCount;

    TcpSender(TcpConnection c, SendBuffer sendBuffer, int iss) {
        this.c = c;
        this.sendBuffer = sendBuffer;
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndMax = iss;
        this.rtt = new RttEstimator(RttEstimator.DEFAULT_GRANULARITY_NANOS, c.config.minRtoNanos(),
                c.config.maxRtoNanos(), RttEstimator.INITIAL_RTO_NANOS);
        this.cc = CongestionControls.create(c.config.congestionControl(), c.smss).orElseThrow();
    }

    /** The segment size is known (SYN options or a SYN cookie): the congestion control and loss recovery start. */
    void start(boolean sack) {
        cc = CongestionControls.create(c.config.congestionControl(), c.smss).orElseThrow();
        recovery = new NewRenoRecovery(cc, c.iss);
        if (sack) {
            scoreboard = new SackScoreboard();
            scoreboard.reset(c.iss + 1, c.smss);
            if (c.config.lossRecovery() == LossRecovery.RACK_TLP) {
                rackTlp = new RackTlp(scoreboard, c.smss);
            }
        }
    }

    /** Everything up to ISS + 1 is sent: the handshake is over (a SYN cookie's ACK). */
    void startAfterSyn() {
        sndUna = c.iss + 1;
        sndNxt = c.iss + 1;
        sndMax = c.iss + 1;
    }

    /** The window of the peer's SYN (RFC 7323 §2.2: never scaled) and the segment that carried it. */
    void windowFromSyn(InboundSegment seg) {
        sndWnd = seg.window;
        sndWl1 = seg.seq;
        sndWl2 = seg.ack;
    }

    /** The send window as the handshake ends: SND.WND, SND.WL1, SND.WL2 and the largest window so far. */
    void synchronizeWindow(long wnd, int seq, int ack) {
        sndWnd = wnd;
        sndWl1 = seq;
        sndWl2 = ack;
        maxSndWnd = wnd;
    }

    /** The connection is ESTABLISHED: nothing outstanding, no retransmission timer. */
    void onEstablished() {
        if (sndUna == sndMax) {
            rtoAt = NONE;
        }
    }

    /** A FIN follows the queued data (the application closed its sending side). */
    void queueFin() {
        finQueued = true;
    }

    /** Nagle off (TCP_NODELAY) or on (RFC 9293 §3.7.4). */
    void noDelay(boolean on) {
        noDelay = on;
    }

    /** Our SYN,ACK was probably lost (the peer's SYN came again): the next ACK is the SYN,ACK (as Linux). */
    void answerWithSynAck() {
        synAckDue = true;
    }

    // ------------------------------------------------------------------ ACK arrival

    /** An ACK came: the peer is alive, whatever the persist timer's probes said. */
    void peerAlive() {
        persistUnanswered = 0;
    }

    /** RFC 5961 §5.2: whether SEG.ACK lies in SND.UNA - MAX.SND.WND =< SEG.ACK, SND.MAX being its upper bound. */
    boolean ackTooOld(int ack) {
        return SeqNum.lt(ack, (int) (sndUna - Math.max(maxSndWnd, 1)));
    }

    /**
     * Whether the ACK is a duplicate: RFC 5681 §2 (no data, window unchanged, data outstanding),
     * or with SACK, RFC 6675 §2 (an ACK at SND.UNA that carries new SACK information, so ACKs of
     * duplicated segments do not trigger recovery). Feeds the scoreboard.
     */
    boolean duplicateAck(InboundSegment seg) {
        // not while the window is closed (answers to window probes)
        boolean dupCandidate = seg.payloadLength == 0 && !seg.has(FIN) && seg.ack == sndUna && sndWnd > 0
                && ((long) seg.window << c.sndShift) == sndWnd && SeqNum.gt(sndMax, sndUna);
        if (scoreboard != null && c.state.synchronized_()) {
            recoveringBeforeAck = scoreboard.inRecovery();
            int newlySacked = updateScoreboard(seg);
            dupCandidate = seg.ack == sndUna && newlySacked > 0 && SeqNum.gt(sndMax, sndUna) && sndWnd > 0;
        }
        return dupCandidate;
    }

    /** SEG.ACK moved SND.UNA forward: release, congestion control and loss recovery, RFC 6298 timer. */
    void ackAdvances(int ack, long now) {
        int acked = SeqNum.diff(ack, sndUna);
        int inFlightBefore = SeqNum.diff(sndMax, sndUna);
        sendBuffer.release(ack); // the buffer starts at ISS+1: the SYN's ACK releases nothing
        sendBuffer.releaseRingIfEmpty();
        sndUna = ack;
        if (SeqNum.lt(sndNxt, sndUna)) {
            sndNxt = sndUna; // after a go-back-N rewind the ACK may pass SND.NXT
        }
        c.stats.bytesAcked += acked;
        retransmitCount = 0;
        if (scoreboard != null && c.state.synchronized_()) {
            sackDupAcks = 0;
            if (recoveringBeforeAck) {
                if (!scoreboard.inRecovery()) {
                    cc.onExitRecovery(now, SeqNum.diff(sndMax, sndUna)); // RFC 6675 §5: recovery ends at RecoveryPoint
                }
            } else {
                cc.onAck(now, acked, rtt.hasSample() ? rtt.srtt() : CongestionControl.NO_RTT, inFlightBefore);
            }
        } else if (recovery != null && c.state.synchronized_()) {
            // NewRenoRecovery drives the congestion control itself (growth, partial ACKs, exit).
            RecoveryAction action = recovery.onNewAck(now, ack, acked, rtt.hasSample() ? rtt.srtt() : CongestionControl.NO_RTT,
                    inFlightBefore);
            if (action == RecoveryAction.PARTIAL_ACK || action == RecoveryAction.PARTIAL_ACK_RESTART_TIMER) {
                retransmitFirst(now);
            }
        }
        // RFC 6298 §5.2/5.3: all acknowledged → stop the timer; else restart it.
        if (sndUna == sndMax) {
            rtoAt = NONE;
            unackedSince = NONE;
        } else {
            rtoAt = now + rtt.rto();
            unackedSince = now;
        }
    }

    /** After the ACK was taken: RACK-TLP's loss detection and probe timeout (RFC 8985 §6.2, §7.2). */
    void afterAck(long now) {
        if (rackTlp != null && c.state.synchronized_()) {
            rackTlpAck(now);
        }
    }

    /** Window update (RFC 9293 §3.10.7.4, fifth step): only from newer segments. */
    void updateWindow(InboundSegment seg, long now) {
        if (SeqNum.lt(sndWl1, seg.seq) || (sndWl1 == seg.seq && SeqNum.le(sndWl2, seg.ack))) {
            long wnd = (long) seg.window << c.sndShift;
            if (wnd > 0 && sndWnd == 0) {
                persistAt = NONE; // the window opened: stop probing
                persistBackoff = 0;
                if (SeqNum.lt(sndUna, sndMax)) {
                    // what the closed window refused goes again at once, with what follows
                    sndNxt = sndUna;
                    rtt.reset();
                    rtoAt = now + rtt.rto();
                }
            }
            sndWnd = wnd;
            sndWl1 = seg.seq;
            sndWl2 = seg.ack;
            maxSndWnd = Math.max(maxSndWnd, wnd);
        }
    }

    /** Whether our FIN is sent and acknowledged. */
    boolean finAcked() {
        return finSent && SeqNum.gt(sndUna, sendBuffer.end());
    }

    /** A data segment [seq, seq + len) went out; {@code segment} bytes each for a super-packet. */
    void onDataSent(int seq, int len, int segment, long now) {
        if (rackTlp != null) {
            rackTlp.onSent(seq, len, segment, now); // RFC 8985 §6.1: per-segment send times
        }
    }

    // ------------------------------------------------------------------ timers

    /** Earliest deadline of the sender's timers (Long.MAX_VALUE for none). */
    long deadline() {
        long d = Math.min(rtoAt, persistAt);
        if (rackTlp != null) {
            d = Math.min(d, rackTlp.deadline()); // RFC 8985 §8: reordering timer, probe timeout
        }
        return d;
    }

    boolean retransmissionDue(long now) {
        return rtoAt != NONE && now - rtoAt >= 0;
    }

    boolean persistDue(long now) {
        return persistAt != NONE && now - persistAt >= 0;
    }

    /** Whether RACK-TLP's reordering timer or probe timeout is due. */
    boolean recoveryTimerDue(long now) {
        return rackTlp != null && rackTlp.deadline() != NONE && now - rackTlp.deadline() >= 0;
    }

    /** The retransmission and persist timers stop (the connection ends or waits in TIME-WAIT). */
    void stopTimers() {
        rtoAt = NONE;
        persistAt = NONE;
    }

    /**
     * Packet too big lowered the path MTU (RFC 1191 §6.3, RFC 8201 §5): the scoreboard restarts
     * in the new segment size and the first unacknowledged segment goes again at once.
     */
    void segmentSizeLowered(long now) {
        if (scoreboard != null) {
            scoreboard.reset(sndUna, c.smss); // ranges were in the old segment size's terms
            scoreboard.onNewData(sndMax);
        }
        if (c.state.synchronized_() && SeqNum.lt(sndUna, sndMax)) {
            retransmitFirst(now);
            c.layer.timers.update(c);
        }
    }

    void takeRttSample(InboundSegment seg, long now) {
        if (c.tsOk && seg.options.hasTimestamps() && seg.options.tsEcr() != 0) {
            // RFC 7323 §4.1: RTT from TSecr, one sample per ACK that advances SND.UNA.
            long echoedMs = c.tsClock(now) - (int) seg.options.tsEcr();
            if (echoedMs >= 0 && echoedMs < 600_000) {
                rtt.onTimestampSample(Math.max(echoedMs, 0) * 1_000_000L, true);
            }
            return;
        }
        if (timing && SeqNum.gt(seg.ack, timedSeq)) {
            rtt.onRttSample(now - timedAt, false);
            timing = false;
        }
    }

    void onDuplicateAck(InboundSegment seg, long now) {
        if (scoreboard != null) {
            onSackDuplicateAck(now);
            return;
        }
        if (recovery == null) {
            return;
        }
        RecoveryAction a = recovery.onDupAck(now, seg.ack, sndMax, SeqNum.diff(sndMax, sndUna));
        switch (a) {
            case FAST_RETRANSMIT -> {
                c.stats.fastRetransmits++;
                retransmitFirst(now);
            }
            case LIMITED_TRANSMIT -> limitedTransmit = true;
            default -> { }
        }
    }

    int updateScoreboard(InboundSegment seg) {
        long[] left = c.layer.sackLeft;
        long[] right = c.layer.sackRight;
        int n = seg.options.sackBlockCount();
        for (int i = 0; i < n; i++) {
            left[i] = seg.options.sackLeft(i);
            right[i] = seg.options.sackRight(i);
        }
        return scoreboard.update(seg.ack, sndMax, left, right, n);
    }

    /** RFC 6675 §5 steps 1-4: count duplicates; enter loss recovery on DupThresh or IsLost(HighACK + 1). */
    private void onSackDuplicateAck(long now) {
        sackDupAcks++;
        if (scoreboard.inRecovery() || scoreboard.afterTimeout()) {
            return; // the transmission loop in output() uses the new SACK information
        }
        if ((rackTlp == null && sackDupAcks >= SackScoreboard.DUP_THRESH) || scoreboard.isLost(sndUna)) {
            enterSackRecovery(now);
        } else {
            limitedTransmit = true; // RFC 3042 / RFC 6675 §5 step 2
        }
    }

    /** RFC 8985 §6.2 steps 1-5 and §7.4 after the ACK; RACK's losses start recovery (RFC 8985 §6.2 step 5). */
    private void rackTlpAck(long now) {
        boolean ended = recoveringBeforeAck && !scoreboard.inRecovery();
        long srtt = rtt.hasSample() ? rtt.srtt() : 0;
        if (rackTlp.onAck(now, sndUna, sndNxt, ended, srtt, cc) && !scoreboard.inRecovery() && !scoreboard.afterTimeout()) {
            enterSackRecovery(now);
        }
        rackTlp.schedulePto(now, srtt, rtt.hasSample(), SeqNum.diff(sndMax, sndUna), rtoAt);
    }

    /** RFC 6675 §5 step 4: loss recovery starts. */
    private void enterSackRecovery(long now) {
        {
            int inFlight = SeqNum.diff(sndMax, sndUna);
            if (rackTlp != null) {
                rackTlp.onEnterRecovery(cc, sndUna); // the window to restore if D-SACKs prove it spurious
            }
            cc.onEnterRecovery(now, inFlight); // (4.2) ssthresh = cwnd = f(FlightSize)
            scoreboard.enterRecovery(); // (4.1) RecoveryPoint = HighData
            c.stats.fastRetransmits++;
            // (4.3) retransmit the first segment deemed lost, whatever pipe says
            SackScoreboard.NextSeg rule = scoreboard.nextSeg(0);
            if (rule != SackScoreboard.NextSeg.NONE && rule != SackScoreboard.NextSeg.NEW_DATA) {
                sendRecoverySegment(rule, now);
            }
        }
    }

    /**
     * RFC 6675 §5 (C): while cwnd - pipe >= 1 SMSS, send what NextSeg() picks. Also runs after a
     * timeout (§5.1) so that SACKed data is not sent again.
     */
    private void sackTransmit(long now) {
        while (cc.cwnd() - scoreboard.pipe() >= c.smss) {
            long room = (long) SeqNum.diff(sndUna, sndMax) + sndWnd;
            int sendableNew = (int) Math.max(0, Math.min(sendBuffer.bytesFrom(sndMax), room));
            if (c.stream != null && sendableNew > 0) {
                int frame = c.stream.frameRemainder(sndMax);
                if (frame != Integer.MAX_VALUE && frame > 0) {
                    sendableNew = sendableNew >= frame ? frame : 0; // a whole frame or nothing
                }
            }
            SackScoreboard.NextSeg rule = scoreboard.nextSeg(sendableNew);
            if (rule == SackScoreboard.NextSeg.NONE) {
                return;
            }
            if (!sendRecoverySegment(rule, now)) {
                return; // the peer's window has no room: the persist or retransmission timer goes on
            }
        }
    }

    /** @return whether a segment went out */
    private boolean sendRecoverySegment(SackScoreboard.NextSeg rule, long now) {
        int seq = scoreboard.nextSegSeq();
        int len = scoreboard.nextSegLength();
        if (rule == SackScoreboard.NextSeg.NEW_DATA) {
            c.layer.writer.data(c, sndMax, len, ACK, now);
            c.stats.bytesSent += len;
            sndMax += len;
            sndNxt = sndMax;
            scoreboard.onNewData(sndMax);
        } else {
            len = windowed(seq, c.stream != null ? alignedLength(seq, len) : len);
            if (len == 0) {
                return false;
            }
            int data = Math.min(len, sendBuffer.bytesFrom(seq));
            boolean fin = finSent && seq + data == sendBuffer.end() && len > data;
            c.layer.writer.data(c, seq, data, ACK | (fin ? FIN : 0), now);
            c.stats.retransmits++;
            timing = false;
            if (rule == SackScoreboard.NextSeg.RESCUE) {
                scoreboard.onRescueRetransmitted();
            } else {
                scoreboard.onRetransmitted(seq, Math.max(len, 1));
            }
        }
        if (rtoAt == NONE) {
            rtoAt = now + rtt.rto();
        }
        return true;
    }

    /**
     * A retransmission's length from {@code seq}, kept inside the peer's current window (it may
     * have shrunk; 0 when it is closed: the persist timer probes then). Frames of a
     * segment-aligned protection are never cut.
     */
    private int windowed(int seq, int len) {
        if (c.stream != null && c.stream.frameRemainder(seq) != Integer.MAX_VALUE) {
            return len;
        }
        long room = (long) SeqNum.diff(sndUna, seq) + sndWnd;
        return (int) Math.max(0, Math.min(len, room));
    }

    /**
     * The sequence number for a segment without data (ACK, RST): SND.NXT, unless that lies beyond
     * the peer's window (it shrank, or a probe octet went past it), then the window's right edge;
     * a receiver drops segments beyond its window, and with them the ACK (as Linux's
     * tcp_acceptable_seq).
     */
    int acceptableSeq() {
        // A segment without data carries SND.MAX, not SND.NXT: after a timeout SND.NXT goes back to
        // SND.UNA while the peer may hold everything up to SND.MAX (the timeout was spurious), and
        // a pure ACK numbered below its RCV.NXT is out of window for it (RFC 9293 §3.10.7.4), which
        // it answers with an ACK of its own: an ACK loop. Linux numbers pure ACKs with snd_nxt,
        // which never goes back (tcp_acceptable_seq).
        int windowEnd = sndUna + (int) Math.min(sndWnd, Integer.MAX_VALUE);
        return SeqNum.lt(windowEnd, sndMax) ? windowEnd : sndMax;
    }

    /** A segment length from {@code seq}: for a segment-aligned protection, exactly the rest of its frame. */
    private int alignedLength(int seq, int len) {
        if (c.stream == null) {
            return len;
        }
        int frame = c.stream.frameRemainder(seq);
        return frame == Integer.MAX_VALUE || frame == 0 ? len : frame;
    }

    /** Sends what the windows, Nagle and the c.state allow; then a pending ACK if nothing carried it. */
    void output(long now) {
        if (c.state == TcpState.SYN_RECEIVED) {
            c.receiver.takeInvalidAnswer(); // the pending ACK below is already a pure one
        }
        if (c.state == TcpState.SYN_RECEIVED && c.receiver.ackPending()) {
            if (synAckDue) {
                synAckDue = false;
                c.layer.writer.syn(c, true, now); // also marks the ACK as sent
            } else {
                c.layer.writer.data(c, acceptableSeq(), 0, ACK, now); // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
            }
            return;
        }
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED || c.state == TcpState.CLOSED
                || c.state == TcpState.LISTEN) {
            c.receiver.cancelAck();
            return;
        }
        if (c.receiver.takeInvalidAnswer()) {
            // The answer to an invalid segment goes as a pure ACK numbered SND.MAX, never only on a
            // data segment: after a timeout that segment is a retransmission the peer may already
            // hold, out of its window, and it would discard the ACK with it (RFC 9293 §3.10.7.4,
            // first check). Linux's tcp_send_dupack does the same.
            c.layer.writer.data(c, acceptableSeq(), 0, ACK, now);
        }
        boolean sent = false;
        if (scoreboard != null && (scoreboard.inRecovery() || scoreboard.afterTimeout()) && c.state != TcpState.TIME_WAIT) {
            long before = c.stats.segmentsOut;
            sackTransmit(now);
            sent = c.stats.segmentsOut != before;
        }
        if (c.state != TcpState.TIME_WAIT) {
            while (sendSuperPacket(now) || sendOneSegment(now)) {
                sent = true;
            }
        }
        if (sent && rackTlp != null) {
            rackTlp.schedulePto(now, rtt.hasSample() ? rtt.srtt() : 0, rtt.hasSample(), SeqNum.diff(sndMax, sndUna),
                    rtoAt); // RFC 8985 §7.2: after new data goes out
        }
        if (!sent && c.receiver.ackDue(now)) {
            c.layer.writer.data(c, acceptableSeq(), 0, ACK, now);
        }
        armPersistIfStalled(now);
    }

    /**
     * On a link with segmentation offload, sends new data as one super-packet of k consecutive
     * full segments (2 <= k <= {@link TcpLayer#MAX_SEGMENTS_PER_PACKET}), each exactly SMSS and,
     * for a segment-aligned protection, each one whole frame; the kernel cuts it at SMSS, so the
     * peer sees the segments sendOneSegment would have sent, in one system call. A short tail, a
     * FIN and retransmissions go by {@link #sendOneSegment}.
     *
     * @return whether a super-packet went out
     */
    private boolean sendSuperPacket(long now) {
        if (!c.layer.segmentationOffload || sndNxt != sndMax || finSent || c.protection.pendingOptionLength() > 0) {
            return false;
        }
        int unsent = sendBuffer.bytesFrom(sndNxt);
        if (unsent < 2 * c.smss) {
            return false;
        }
        long wnd = Math.min(sndWnd, cc.cwnd());
        long usable = (long) SeqNum.diff(sndUna, sndNxt) + wnd;
        int headerRoom = 60 + (c.key.isV6() ? 40 : 20);
        int k = (int) Math.min(Math.min(unsent, Math.max(usable, 0)) / c.smss,
                Math.min(TcpLayer.MAX_SEGMENTS_PER_PACKET, (65535 - headerRoom) / c.smss));
        if (k >= 2 && c.stream != null && c.stream.frameRemainder(sndNxt) != Integer.MAX_VALUE) {
            // one frame per segment: take the run of whole frames of exactly SMSS wire bytes
            int frames = 0;
            while (frames < k && c.stream.frameRemainder(sndNxt + frames * c.smss) == c.smss) {
                frames++;
            }
            k = frames;
        }
        if (k < 2) {
            return false;
        }
        int len = k * c.smss;
        limitedTransmit = false;
        int flags = ACK | (len == unsent ? PSH : 0);
        cc.segmentsPerPacket(k);
        c.layer.writer.data(c, sndNxt, len, c.smss, flags, now);
        if (!timing && !c.tsOk) {
            timing = true; // Karn: time only segments sent once
            timedSeq = sndNxt;
            timedAt = now;
        }
        c.stats.bytesSent += len;
        sndNxt += len;
        sndMax = sndNxt;
        if (scoreboard != null) {
            scoreboard.onNewData(sndMax);
        }
        if (rtoAt == NONE) {
            rtoAt = now + rtt.rto();
        }
        if (unackedSince == NONE) {
            unackedSince = now;
        }
        return true;
    }

    /** Sends one segment of new (or after a timeout, resent) data or a FIN, if allowed. */
    private boolean sendOneSegment(long now) {
        int unsent = sendBuffer.bytesFrom(sndNxt);
        boolean finReady = finQueued && (!finSent || SeqNum.le(sndNxt, sendBuffer.end()));
        if (unsent == 0 && !(finReady && sndNxt == sendBuffer.end())) {
            return false;
        }
        long wnd = Math.min(sndWnd, cc.cwnd() + (limitedTransmit ? 2L * c.smss : 0));
        long usable = (long) SeqNum.diff(sndUna, sndNxt) + wnd;
        int fullSegment = c.smss - ((c.protection.pendingOptionLength() + 3) & ~3); // room for the protection's option
        int segCap = fullSegment;
        int frame = c.stream != null ? c.stream.frameRemainder(sndNxt) : Integer.MAX_VALUE;
        if (frame != Integer.MAX_VALUE && frame > 0) {
            segCap = frame; // one frame per segment, never split (segment-aligned protection)
        }
        int len = (int) Math.min(Math.min(unsent, segCap), Math.max(usable, 0));
        if (frame != Integer.MAX_VALUE && frame > 0 && len > 0 && len < frame) {
            return false; // the window cannot take the whole frame yet
        }
        boolean fin = finReady && len == unsent;
        if (len == 0 && !fin) {
            return false;
        }
        if (len == 0 && fin && usable < 0) {
            return false;
        }
        int inFlight = SeqNum.diff(sndNxt, sndUna);
        if (len < fullSegment && !fin && len < unsent) {
            // window-limited partial segment: RFC 9293 §3.8.6.2.1 sender SWS avoidance
            if (len < maxSndWnd / 2 && inFlight > 0) {
                return false;
            }
        } else if (len < fullSegment && !fin && !noDelay && inFlight > 0 && SeqNum.ge(sndNxt, sndMax)) {
            // Nagle (RFC 9293 §3.7.4): small segment while data is unacknowledged: wait.
            return false;
        }
        limitedTransmit = false;
        boolean push = len > 0 && (len == unsent || (c.stream != null && c.stream.pushIn(sndNxt, len)));
        int flags = ACK | (push ? PSH : 0) | (fin ? FIN : 0);
        boolean retransmission = SeqNum.lt(sndNxt, sndMax);
        c.layer.writer.data(c, sndNxt, len, flags, now);
        if (retransmission) {
            c.stats.retransmits++;
        }
        if (!timing && !retransmission && !c.tsOk && len > 0) {
            timing = true; // Karn: time only segments sent once
            timedSeq = sndNxt;
            timedAt = now;
        }
        if (len > 0) {
            c.stats.bytesSent += len;
        }
        sndNxt = sndNxt + len + (fin ? 1 : 0);
        if (fin) {
            finSent = true;
        }
        if (SeqNum.gt(sndNxt, sndMax)) {
            sndMax = sndNxt;
            if (scoreboard != null) {
                scoreboard.onNewData(sndMax);
            }
        }
        if (rtoAt == NONE) {
            rtoAt = now + rtt.rto();
        }
        if (unackedSince == NONE) {
            unackedSince = now;
        }
        return true;
    }

    /** Zero window with data waiting and nothing in flight: start the persist timer (RFC 9293 §3.8.6.1). */
    private void armPersistIfStalled(long now) {
        if (sndWnd == 0 && sndUna == sndMax && (sendBuffer.bytesFrom(sndNxt) > 0 || (finQueued && !finSent))
                && persistAt == NONE && c.state.synchronized_()) {
            persistAt = now + persistInterval();
        }
    }

    void retransmitFirst(long now) {
        int len = Math.min(windowed(sndUna, alignedLength(sndUna, c.smss)), sendBuffer.bytesFrom(sndUna));
        boolean fin = finSent && len == sendBuffer.bytesFrom(sndUna);
        if (len == 0 && !fin) {
            return;
        }
        c.layer.writer.data(c, sndUna, len, ACK | (fin ? FIN : 0), now);
        c.stats.retransmits++;
        timing = false;
    }

    void sendSyn(long now, boolean synAck) {
        c.layer.writer.syn(c, synAck, now);
        sndNxt = c.iss + 1;
        sndMax = sndNxt;
        rtoAt = now + rtt.rto();
    }

    /** RFC 6298 §5.4-5.7: retransmit the earliest unacknowledged segment, back off. */
    void onRetransmissionTimeout(long now) {
        if (sndWnd == 0 && c.state.synchronized_()) {
            // The receiver closed its window on data in flight: retransmissions are window probes
            // now and do not count towards giving up while the receiver still answers (RFC 1122
            // §4.2.2.17; as Linux, only silence longer than the maximum RTO ends the connection).
            if (now - c.lastReceivedAt > c.config.maxRtoNanos()) {
                c.layer.writer.reset(c, acceptableSeq());
                c.terminate(TcpError.TIMED_OUT);
                return;
            }
            c.stats.windowProbes++;
            rtt.backoff();
            windowProbe(now);
            rtoAt = now + rtt.rto();
            return;
        }
        retransmitCount++;
        c.stats.timeouts++;
        boolean handshake = c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED;
        int limit = handshake ? c.config.synRetries() : c.config.dataRetries();
        boolean userTimeoutHit = c.userTimeoutNanos > 0 && unackedSince != NONE && now - unackedSince >= c.userTimeoutNanos;
        if (retransmitCount > limit || userTimeoutHit) {
            if (!handshake) {
                c.layer.writer.reset(c, acceptableSeq());
            }
            c.terminate(TcpError.TIMED_OUT);
            return;
        }
        rtt.backoff();
        timing = false;
        if (handshake) {
            sndNxt = c.iss;
            sendSyn(now, c.state == TcpState.SYN_RECEIVED);
            return;
        }
        if (scoreboard == null && recovery != null) {
            recovery.onRetransmitTimeout(now, sndMax, SeqNum.diff(sndMax, sndUna)); // tells the congestion control too
        }
        if (scoreboard != null) {
            cc.onRetransmitTimeout(now, SeqNum.diff(sndMax, sndUna));
            // RFC 6675 §5.1: keep the scoreboard; resend the first hole now, the rest by NextSeg.
            scoreboard.onRetransmitTimeout();
            sackDupAcks = 0;
            if (rackTlp != null) {
                rackTlp.onRetransmitTimeout(); // RFC 8985 §6.3
            }
            rtoAt = NONE;
            SackScoreboard.NextSeg rule = scoreboard.nextSeg(0);
            if (rule != SackScoreboard.NextSeg.NONE && rule != SackScoreboard.NextSeg.NEW_DATA) {
                sendRecoverySegment(rule, now);
            } else if (finSent && sendBuffer.bytesFrom(sndUna) == 0) {
                c.layer.writer.data(c, sndUna, 0, ACK | FIN, now); // only the FIN is outstanding
                c.stats.retransmits++;
            }
            if (rtoAt == NONE) {
                rtoAt = now + rtt.rto();
            }
            return;
        }
        // Go back N: resend from SND.UNA as the window allows (RFC 5681 §3.1 after a timeout).
        sndNxt = sndUna;
        if (finSent && sendBuffer.bytesFrom(sndUna) == 0) {
            finSent = false; // the FIN itself must go again
        }
        rtoAt = NONE;
        if (!sendOneSegment(now)) {
            // nothing sendable (zero window): probe instead
            rtoAt = now + rtt.rto();
        }
    }

    /** RACK's reordering timer or TLP's probe timeout (RFC 8985 §8). */
    void onRackTlpTimer(long now) {
        switch (rackTlp.onTimer(now, rtt.hasSample() ? rtt.srtt() : 0)) {
            case LOSS_DETECTED -> {
                if (!scoreboard.inRecovery() && !scoreboard.afterTimeout()) {
                    enterSackRecovery(now); // RFC 8985 §6.2 step 5: the reordering timer found losses
                }
                output(now);
            }
            case PROBE -> sendTailLossProbe(now);
            case NONE -> { }
        }
    }

    /**
     * RFC 8985 §7.3: new data if the windows let one segment go, else the newest segment again;
     * then the retransmission timer is re-armed.
     */
    private void sendTailLossProbe(long now) {
        if (SeqNum.ge(sndUna, sndMax)) {
            return;
        }
        long before = c.stats.segmentsOut;
        limitedTransmit = true; // RFC 8985 §7.3: the probe may exceed cwnd by one segment
        if (sendBuffer.bytesFrom(sndMax) > 0 && sendOneSegment(now) && c.stats.segmentsOut != before) {
            rackTlp.onProbeSent(sndMax, false);
        } else {
            limitedTransmit = false;
            int seq = SeqNum.max(sndUna, rackTlp.lastSegmentStart(sndMax));
            int len = Math.min(windowed(seq, SeqNum.diff(sndMax, seq)), sendBuffer.bytesFrom(seq));
            boolean fin = finSent && len == sendBuffer.bytesFrom(seq);
            if (len == 0 && !fin) {
                return;
            }
            c.layer.writer.data(c, seq, len, ACK | (fin ? FIN : 0), now); // RFC 8985 §7.3: retransmit the last segment
            c.stats.retransmits++;
            timing = false;
            rackTlp.onProbeSent(sndMax, true);
        }
        c.stats.tailLossProbes++;
        rtoAt = now + rtt.rto(); // RFC 8985 §7.3: arm the RTO after the probe
    }

    /** Zero-window probe: one byte beyond the window, or an ACK if none is queued (RFC 9293 §3.8.6.1). */
    void onPersist(long now) {
        persistAt = NONE;
        if (sndWnd > 0 || !c.state.synchronized_()) {
            persistBackoff = 0;
            return;
        }
        // RFC 1122 §4.2.2.17: never give up while the receiver answers; count only probes no
        // ACK followed (reset in processAck).
        if (persistUnanswered > c.config.dataRetries()) {
            c.layer.writer.reset(c, acceptableSeq());
            c.terminate(TcpError.TIMED_OUT);
            return;
        }
        c.stats.windowProbes++;
        persistUnanswered++;
        windowProbe(now);
        persistBackoff = Math.min(persistBackoff + 1, 16);
        persistAt = now + persistInterval();
    }

    /**
     * A zero-window probe as Linux sends it (tcp_xmit_probe_skb): an already acknowledged
     * sequence number and no data, so the receiver answers with its current window at once and
     * nothing lands beyond a closed window (RFC 9293 §3.8.6.1 lets the probe carry an octet; a
     * Linux receiver counts such octets as beyond its window and drops them).
     */
    private void windowProbe(long now) {
        c.layer.writer.data(c, sndUna - 1, 0, ACK, now);
    }

    /** The persist interval: the RTO, doubled per probe, within the RTO bounds (RFC 9293 §3.8.6.1). */
    private long persistInterval() {
        long base = Math.max(rtt.rto(), c.config.minRtoNanos());
        return Math.min(base << Math.min(persistBackoff, 20), c.config.maxRtoNanos());
    }
}
