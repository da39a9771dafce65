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

    /** How losses are found and repaired; chosen in {@link #start}. */
    private LossRecoveryAlgorithm recovery;
    /** Limited Transmit (RFC 3042): a dup ACK lets one new segment beyond cwnd go. */
    private boolean limitedTransmit;

    final PersistTimer persist;
    /** Whether new data waits for the ACK clock to fill a super-packet (Linux's tcp_tso_should_defer). */
    final TsoDeferral tsoDeferral = new TsoDeferral();
    private final RttSampler rttSamples;

    final RetransmissionTimer rto;

    TcpSender(TcpConnection c, SendBuffer sendBuffer, int iss) {
        this.c = c;
        this.sendBuffer = sendBuffer;
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndMax = iss;
        this.rtt = new RttEstimator(RttEstimator.DEFAULT_GRANULARITY_NANOS, c.config.minRtoNanos(),
                c.config.maxRtoNanos(), RttEstimator.INITIAL_RTO_NANOS);
        this.cc = CongestionControls.create(c.config.congestionControl(), c.smss).orElseThrow();
        this.recovery = new NewRenoLossRecovery(this, iss); // until the handshake fixes the options
        this.persist = new PersistTimer(this, c);
        this.rto = new RetransmissionTimer(this, c);
        this.rttSamples = new RttSampler(rtt);
    }

    /** The segment size is known (SYN options or a SYN cookie): the congestion control and loss recovery start. */
    void start(boolean sack) {
        cc = CongestionControls.create(c.config.congestionControl(), c.smss).orElseThrow();
        if (!sack) {
            recovery = new NewRenoLossRecovery(this, c.iss);
        } else if (c.config.lossRecovery() == LossRecovery.RACK_TLP) {
            recovery = new RackTlpLossRecovery(this, c);
        } else {
            recovery = new SackLossRecovery(this, c);
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
            rto.stop();
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
        persist.peerAlive();
    }

    /** RFC 5961 §5.2: whether SEG.ACK lies below SND.UNA - MAX.SND.WND (too old to be acceptable). */
    boolean ackTooOld(int ack) {
        return SeqNum.lt(ack, (int) (sndUna - Math.max(maxSndWnd, 1)));
    }

    /**
     * Whether the ACK is a duplicate: RFC 5681 §2 (no data, window unchanged, data outstanding),
     * or with SACK, RFC 6675 §2 (an ACK at SND.UNA that carries new SACK information, so ACKs of
     * duplicated segments do not trigger recovery); the recovery algorithm takes the SACK blocks.
     */
    boolean duplicateAck(InboundSegment seg) {
        // not while the window is closed (answers to window probes)
        boolean dupCandidate = seg.payloadLength == 0 && !seg.has(FIN) && seg.ack == sndUna && sndWnd > 0
                && ((long) seg.window << c.sndShift) == sndWnd && SeqNum.gt(sndMax, sndUna);
        return c.state.synchronized_() ? recovery.duplicateAck(seg, dupCandidate) : dupCandidate;
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
        if (c.state.synchronized_()) {
            recovery.onAckAdvanced(now, ack, acked, inFlightBefore); // cwnd grows, or recovery goes on
        }
        rto.onAckAdvanced(now, sndUna == sndMax); // RFC 6298 §5.2, §5.3
    }

    /** After the ACK was taken: loss detection by the recovery algorithm (RFC 8985 §6.2). */
    void afterAck(long now) {
        if (c.state.synchronized_()) {
            recovery.afterAck(now);
        }
    }

    /** Window update (RFC 9293 §3.10.7.4, fifth step): only from newer segments. */
    void updateWindow(InboundSegment seg, long now) {
        if (SeqNum.lt(sndWl1, seg.seq) || (sndWl1 == seg.seq && SeqNum.le(sndWl2, seg.ack))) {
            long wnd = (long) seg.window << c.sndShift;
            if (wnd > 0 && sndWnd == 0) {
                persist.windowOpened(); // stop probing
                if (SeqNum.lt(sndUna, sndMax)) {
                    // what the closed window refused goes again at once, with what follows
                    sndNxt = sndUna;
                    rtt.reset();
                    rto.restart(now);
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

    // ------------------------------------------------------------------ timers

    /** Earliest deadline of the sender's timers (Long.MAX_VALUE for none). */
    long deadline() {
        return Math.min(Math.min(rto.at, persist.at), Math.min(recovery.deadline(), tsoDeferral.deadline()));
    }

    /** Whether a TSO deferral's bound passed; if so it is over and what waited goes at the next output. */
    boolean takeDeferralDue(long now) {
        long d = tsoDeferral.deadline();
        if (d != NONE && now - d >= 0) {
            tsoDeferral.expire();
            return true;
        }
        return false;
    }

    /** Whether the recovery algorithm's timer is due (RFC 8985 §8). */
    boolean recoveryTimerDue(long now) {
        long d = recovery.deadline();
        return d != NONE && now - d >= 0;
    }

    /** The recovery algorithm's timer expired. */
    void onRecoveryTimer(long now) {
        recovery.onTimer(now);
    }

    /** The retransmission and persist timers stop (the connection ends or waits in TIME-WAIT). */
    void stopTimers() {
        rto.stop();
        persist.stop();
    }

    /**
     * Packet too big lowered the path MTU (RFC 1191 §6.3, RFC 8201 §5): the scoreboard restarts
     * in the new segment size and the first unacknowledged segment goes again at once.
     */
    void segmentSizeLowered(long now) {
        recovery.segmentSizeChanged(now);
        if (c.state.synchronized_() && SeqNum.lt(sndUna, sndMax)) {
            retransmitFirst(now);
            c.layer.timers.update(c);
        }
    }

    /** An ACK advancing SND.UNA: its RTT sample, first, so the timer restarts with its RTO (RFC 6298 §5.3). */
    void takeRttSample(InboundSegment seg, long now) {
        rttSamples.onAck(seg, c.tsOk, c.tsClock(now), now);
    }

    /** An ACK {@link #duplicateAck} called a duplicate. */
    void onDuplicateAck(long now) {
        recovery.onDuplicateAck(now);
    }

    /**
     * A retransmission's length from {@code seq}, kept inside the peer's current window (it may
     * have shrunk; 0 when it is closed: the persist timer probes then). Frames of a
     * segment-aligned protection are never cut.
     */
    int windowed(int seq, int len) {
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
    int alignedLength(int seq, int len) {
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
        if (c.state != TcpState.TIME_WAIT) {
            sent = recovery.sendRepairs(now); // RFC 6675 §5 (C): what recovery picks goes first
            while (!deferNewData(now) && (sendSuperPacket(now) || sendOneSegment(now))) {
                sent = true;
            }
        }
        if (sent) {
            recovery.afterOutput(now);
        }
        if (!sent && c.receiver.ackDue(now)) {
            c.layer.writer.data(c, acceptableSeq(), 0, ACK, now);
        }
        armPersistIfStalled(now);
    }

    /**
     * Whether new data waits so that a later super-packet carries more segments ({@link
     * TsoDeferral}): only on a link with segmentation offload, with nothing to resend (SND.NXT is
     * SND.MAX), no FIN sent, no recovery under way (Linux: not in TCP_CA_Recovery or after a
     * timeout) and no option that keeps super-packets from going.
     */
    private boolean deferNewData(long now) {
        if (!c.layer.segmentationOffload || sndNxt != sndMax || finSent || c.protection.pendingOptionLength() > 0
                || recovery.repairing()) {
            if (tsoDeferral.deadline() != NONE) {
                tsoDeferral.expire(); // no deferral may go on now
            }
            return false;
        }
        long wnd = Math.min(sndWnd, cc.cwnd());
        int inFlight = SeqNum.diff(sndNxt, sndUna);
        long sendable = Math.max(0, wnd - inFlight);
        int headerRoom = 60 + (c.key.isV6() ? 40 : 20);
        int maxSegments = Math.min(TcpLayer.MAX_SEGMENTS_PER_PACKET, (65535 - headerRoom) / c.smss);
        return tsoDeferral.shouldDefer(now, sendable, sendBuffer.bytesFrom(sndNxt), wnd, inFlight, c.smss,
                maxSegments, srttOr(-1), recovery.oldestSentNanos());
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
        if (!c.tsOk) {
            rttSamples.onNewData(sndNxt, now);
        }
        c.stats.bytesSent += len;
        tsoDeferral.sent(now);
        int seq = sndNxt;
        sndNxt += len;
        sndMax = sndNxt;
        recovery.onSent(seq, len, c.smss, sndMax, now);
        rto.dataOutstanding(now);
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
        int seq = sndNxt;
        c.layer.writer.data(c, seq, len, flags, now);
        if (retransmission) {
            c.stats.retransmits++;
        }
        if (!retransmission && !c.tsOk && len > 0) {
            rttSamples.onNewData(sndNxt, now);
        }
        if (len > 0) {
            c.stats.bytesSent += len;
            tsoDeferral.sent(now);
        }
        sndNxt = sndNxt + len + (fin ? 1 : 0);
        if (fin) {
            finSent = true;
        }
        if (SeqNum.gt(sndNxt, sndMax)) {
            sndMax = sndNxt;
        }
        recovery.onSent(seq, len, 0, sndMax, now);
        rto.dataOutstanding(now);
        return true;
    }

    /** Zero window with data waiting and nothing in flight: start the persist timer (RFC 9293 §3.8.6.1). */
    private void armPersistIfStalled(long now) {
        if (sndWnd == 0 && sndUna == sndMax && (sendBuffer.bytesFrom(sndNxt) > 0 || (finQueued && !finSent))
                && c.state.synchronized_()) {
            persist.start(now);
        }
    }

    /** The first unacknowledged segment again (fast retransmit, a partial ACK, a smaller MTU). */
    void retransmitFirst(long now) {
        retransmit(sndUna, alignedLength(sndUna, c.smss), now);
    }

    /**
     * Resends up to {@code len} octets from {@code seq} as the peer's window allows, with the FIN
     * if they reach it.
     *
     * @return whether a segment went out
     */
    boolean retransmit(int seq, int len, long now) {
        len = Math.min(windowed(seq, len), sendBuffer.bytesFrom(seq));
        boolean fin = finSent && len == sendBuffer.bytesFrom(seq);
        if (len == 0 && !fin) {
            return false;
        }
        resend(seq, len, fin, now);
        return true;
    }

    /** Resends {@code len} octets from {@code seq}, with FIN if {@code fin}; Karn: no RTT sample from it. */
    void resend(int seq, int len, boolean fin, long now) {
        c.layer.writer.data(c, seq, len, ACK | (fin ? FIN : 0), now);
        recovery.onSent(seq, len, 0, sndMax, now);
        c.stats.retransmits++;
        rttSamples.onRetransmission();
    }

    /** {@code len} octets of new data at SND.MAX (NextSeg's rule 2, RFC 6675 §4). */
    void sendNewData(int len, long now) {
        int seq = sndMax;
        c.layer.writer.data(c, seq, len, ACK, now);
        c.stats.bytesSent += len;
        tsoDeferral.sent(now);
        sndMax += len;
        sndNxt = sndMax;
        recovery.onSent(seq, len, 0, sndMax, now);
    }

    /**
     * A probe of new data (RFC 8985 §7.3): one segment if the windows let it go, cwnd exceeded by
     * up to one segment.
     *
     * @return whether it went out
     */
    boolean sendProbeOfNewData(long now) {
        long before = c.stats.segmentsOut;
        limitedTransmit = true;
        if (sendBuffer.bytesFrom(sndMax) > 0 && sendOneSegment(now) && c.stats.segmentsOut != before) {
            return true;
        }
        limitedTransmit = false;
        return false;
    }

    /** Limited Transmit (RFC 3042): the next new segment may go beyond cwnd. */
    void allowLimitedTransmit() {
        limitedTransmit = true;
    }

    /** The smoothed RTT, or {@code none} without a sample. */
    long srttOr(long none) {
        return rtt.hasSample() ? rtt.srtt() : none;
    }

    TcpStatsCounters stats() {
        return c.stats;
    }

    void sendSyn(long now, boolean synAck) {
        c.layer.writer.syn(c, synAck, now);
        sndNxt = c.iss + 1;
        sndMax = sndNxt;
        rto.restart(now);
    }

    /** The retransmission timer expired and backed off (RFC 6298 §5.5): the SYN again, or what loss recovery picks. */
    void onTimeoutBackedOff(long now, boolean handshake) {
        rttSamples.onRetransmission();
        if (handshake) {
            sndNxt = c.iss;
            sendSyn(now, c.state == TcpState.SYN_RECEIVED);
            return;
        }
        recovery.onRetransmitTimeout(now);
    }

    /** Go back N: resend from SND.UNA as the window allows (RFC 5681 §3.1 after a timeout). */
    void goBackN(long now) {
        sndNxt = sndUna;
        if (finSent && sendBuffer.bytesFrom(sndUna) == 0) {
            finSent = false; // the FIN itself must go again
        }
        rto.stop();
        if (!sendOneSegment(now)) {
            // nothing sendable (zero window): probe instead
            rto.restart(now);
        }
    }

    /**
     * A zero-window probe as Linux sends it (tcp_xmit_probe_skb): an already acknowledged
     * sequence number and no data, so the receiver answers with its current window at once and
     * nothing lands beyond a closed window (RFC 9293 §3.8.6.1 lets the probe carry an octet; a
     * Linux receiver counts such octets as beyond its window and drops them).
     */
    void windowProbe(long now) {
        c.layer.writer.data(c, sndUna - 1, 0, ACK, now);
    }
}
