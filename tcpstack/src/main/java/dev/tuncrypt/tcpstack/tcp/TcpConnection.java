package dev.tuncrypt.tcpstack.tcp;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.FIN;
import static dev.tuncrypt.tcpstack.wire.TcpView.PSH;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;

import dev.tuncrypt.tcpstack.IcmpErrorReport;
import java.nio.ByteBuffer;

/**
 * A transmission control block (RFC 9293 §3.3.1) and its state machine. All of it is confined
 * to the loop thread that owns the flow. Segment arrival follows RFC 9293 §3.10.7 step by step
 * ({@link #input}); what to send is decided in {@link #output}; the timers of RFC 6298, RFC 9293
 * §3.8 and RFC 1122 §4.2.3.6 fire through {@link #onTimer}.
 *
 * <p>Variable names are the RFC's: SND.UNA is {@code sndUna}, RCV.NXT {@code rcvNxt()}. Sequence
 * numbers are {@code int}s compared with {@link SeqNum}.
 */
public final class TcpConnection {
    private static final long NONE = Long.MAX_VALUE;

    final TcpLayer layer;
    final FlowKey key;
    final TcpConfig config;
    final boolean active;
    final SegmentProtection protection;
    private ConnectionListener listener;
    TcpState state;

    // Send sequence variables (RFC 9293 §3.3.1)
    int iss;
    int sndUna;
    int sndNxt;
    /** Highest sequence number sent plus one (SND.MAX; SND.NXT goes back after a timeout). */
    int sndMax;
    long sndWnd;
    int sndWl1;
    int sndWl2;
    long maxSndWnd;
    int sndShift;
    /** Payload bytes per full segment: the peer's MSS less our fixed option bytes. */
    int smss;
    boolean finQueued;
    boolean finSent;

    // Receive sequence variables: IRS here, the rest in the receiver
    int irs;
    int rcvShift;

    // Options (RFC 7323, RFC 2018)
    boolean tsOk;
    boolean sackOk;
    int tsRecent;
    int tsOffset;

    final SendBuffer sendBuffer;
    final ReceiveBuffer receiveBuffer;
    final TcpReceiver receiver;
    final RttEstimator rtt;
    /** Replaced once the SYN options fix the segment size. */
    CongestionControl cc;
    NewRenoRecovery recovery;
    /** The peer's SYN came again while SYN-RECEIVED: answer with the SYN,ACK, not a bare ACK. */
    private boolean synAckDue;
    /** Zero-window probes sent since the window closed (doubles the persist interval). */
    private int persistBackoff;
    /** Probes no ACK has answered yet. */
    private int persistUnanswered;
    /** Limited Transmit (RFC 3042): a dup ACK lets one new segment beyond cwnd go. */
    private boolean limitedTransmit;
    /** RFC 6675 scoreboard, present when SACK was negotiated; loss recovery then follows RFC 6675. */
    SackScoreboard scoreboard;
    private int sackDupAcks;
    /** RACK-TLP (RFC 8985) on the scoreboard, when SACK was negotiated and the config chose it. */
    RackTlp rackTlp;
    private boolean recoveringBeforeAck;

    // RTT timing without timestamps (Karn's algorithm, RFC 6298 §3)
    private boolean timing;
    private int timedSeq;
    private long timedAt;

    // Timers: absolute deadlines, NONE when off
    long rtoAt = NONE;
    long persistAt = NONE;
    long keepaliveAt = NONE;
    long timeWaitAt = NONE;
    /** When the oldest unacknowledged data was first sent, for the user timeout (RFC 9293 §3.8.3). */
    long unackedSince = NONE;
    long userTimeoutNanos;
    long keepaliveIdleNanos;
    boolean keepalive;
    int keepaliveProbes;
    int retransmitCount;
    long lastReceivedAt;

    boolean noDelay;

    /** The stream side when the protection transforms the byte stream (null for plain TCP). */
    ProtectedStream stream;
    /** SEQ and ACK on the wire: the protected stream's numbering, else TCP's own. */
    SequenceMapping sequenceMapping = SequenceMapping.IDENTITY;
    /** Application bytes written before the handshake decided whether the stream is protected. */
    private ReceiveBuffer staged;
    /** The application closed its sending side (FIN follows its data). */
    private boolean appClosed;

    /** The listener that accepted this connection, until it is ESTABLISHED. */
    ListenEndpoint owner;
    /** Created from a SYN cookie (no half-open state was held). */
    boolean fromCookie;

    /** IPv4 ID of the next segment: per flow, consecutive across the segments of a super-packet. */
    int ipId;
    /** Queued in {@link TcpLayer}'s list of connections to output at the end of the input batch. */
    boolean outputDue;

    // Timer heap bookkeeping (see TimerHeap)
    int heapIndex = -1;
    long heapKey;

    final TcpStatsCounters stats = new TcpStatsCounters();

    TcpConnection(TcpLayer layer, FlowKey key, TcpConfig config, boolean active, SegmentProtection protection,
            int iss, long now) {
        this.layer = layer;
        this.key = key;
        this.config = config;
        this.active = active;
        this.protection = protection;
        this.state = TcpState.CLOSED;
        this.iss = iss;
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndMax = iss;
        this.sendBuffer = new SendBuffer(config.sendBuffer(), layer.rings);
        this.receiveBuffer = new ReceiveBuffer(config.receiveBuffer(), layer.rings);
        this.receiver = new TcpReceiver(this, receiveBuffer);
        this.rtt = new RttEstimator(RttEstimator.DEFAULT_GRANULARITY_NANOS, config.minRtoNanos(), config.maxRtoNanos(),
                RttEstimator.INITIAL_RTO_NANOS);
        this.smss = Math.min(config.mss(), layer.maxSegmentPayload(key.isV6()));
        this.cc = CongestionControls.create(config.congestionControl(), smss).orElseThrow();
        this.tsOffset = layer.random().nextInt();
        this.keepaliveIdleNanos = config.keepaliveIdleNanos();
        this.lastReceivedAt = now;
        this.ipId = iss ^ (iss >>> 16); // a per-flow start that costs no draw from the random source
    }

    // ------------------------------------------------------------------ opening

    /** Active OPEN (RFC 9293 §3.10.1): send SYN, enter SYN-SENT. */
    void open(long now) {
        state = TcpState.SYN_SENT;
        sendBuffer.reset(iss + 1);
        sndNxt = iss;
        sendSyn(now, false);
    }

    /**
     * A SYN arrived for a listener (RFC 9293 §3.10.7.2): record it, answer SYN-ACK, enter
     * SYN-RECEIVED.
     */
    void acceptSyn(InboundSegment seg, long now) {
        state = TcpState.SYN_RECEIVED;
        irs = seg.seq;
        receiver.start(irs + 1);
        takeSynOptions(seg);
        protection.onPeerSynOptions(seg.buffer, seg.optionsOffset, seg.optionsLength, seg.options, false);
        sndWnd = seg.window; // RFC 7323 §2.2: the window in a SYN is never scaled
        sndWl1 = seg.seq;
        sndWl2 = seg.ack;
        sendBuffer.reset(iss + 1);
        sendSyn(now, true);
    }

    /**
     * The ACK completing a SYN-cookie handshake (the cookie was valid): the connection starts
     * ESTABLISHED with what the cookie carried, the MSS; no window scaling, SACK or timestamps.
     */
    void acceptCookie(InboundSegment seg, int mss, long now) {
        fromCookie = true;
        irs = seg.seq - 1;
        receiver.start(seg.seq);
        sendBuffer.reset(iss + 1);
        sndShift = 0;
        rcvShift = 0;
        smss = Math.min(Math.min(mss, config.mss()), layer.maxSegmentPayload(key.isV6()));
        cc = CongestionControls.create(config.congestionControl(), smss).orElseThrow();
        recovery = new NewRenoRecovery(cc, iss);
        sndUna = iss + 1;
        sndNxt = iss + 1;
        sndMax = iss + 1;
        sndWnd = seg.window;
        sndWl1 = seg.seq;
        sndWl2 = seg.ack;
        maxSndWnd = sndWnd;
        receiver.synWindowOffered();
        establish(now);
        if (seg.payloadLength > 0 || seg.has(FIN)) {
            receiver.onText(seg, now);
        }
        output(now);
    }

    private void takeSynOptions(InboundSegment seg) {
        var o = seg.options;
        int peerMss = layer.synOptions.peerMss(o, key.isV6()); // defaults, and a floor of 48 (counted)
        tsOk = config.timestamps() && o.hasTimestamps();
        sackOk = config.sack() && o.sackPermitted();
        if (config.windowScaling() && o.hasWindowScale()) {
            sndShift = Math.min(o.windowScale(), 14); // RFC 7323 §2.3: values above 14 are 14
            rcvShift = config.receiveWindowShift();
        } else {
            sndShift = 0;
            rcvShift = 0;
        }
        if (tsOk) {
            tsRecent = (int) o.tsVal();
        }
        smss = Math.min(Math.min(peerMss, config.mss()), layer.maxSegmentPayload(key.isV6()))
                - (tsOk ? 12 : 0); // RFC 9293 §3.7.1: the MSS counts options out of the payload
        cc = CongestionControls.create(config.congestionControl(), smss).orElseThrow();
        recovery = new NewRenoRecovery(cc, iss);
        if (sackOk) {
            scoreboard = new SackScoreboard();
            scoreboard.reset(iss + 1, smss);
            if (config.lossRecovery() == LossRecovery.RACK_TLP) {
                rackTlp = new RackTlp(scoreboard, smss);
            }
        }
    }

    // ------------------------------------------------------------------ segment arrival

    /** A segment for this connection (RFC 9293 §3.10.7.3 and §3.10.7.4). */
    void input(InboundSegment seg, long now) {
        stats.segmentsIn++;
        if (SegmentTrace.on()) {
            SegmentTrace.in(this, seg);
        }
        lastReceivedAt = now;
        switch (state) {
            case SYN_SENT -> inputSynSent(seg, now);
            case CLOSED, LISTEN -> { } // a dead TCB gets nothing; the layer resets the sender
            default -> inputSynchronized(seg, now);
        }
        if (state != TcpState.CLOSED) {
            layer.outputAfterInput(this, now); // at the end of the batch when a batch is being read
        }
    }

    /** RFC 9293 §3.10.7.3, "If the state is SYN-SENT". */
    private void inputSynSent(InboundSegment seg, long now) {
        boolean ackOk = false;
        if (seg.has(ACK)) {
            // "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST bit is set)"
            if (SeqNum.le(seg.ack, iss) || SeqNum.gt(seg.ack, sndNxt)) {
                if (!seg.has(RST)) {
                    layer.writer.reset(this, seg.ack);
                }
                return;
            }
            ackOk = true; // "If SND.UNA < SEG.ACK =< SND.NXT, then the ACK is acceptable."
        }
        if (seg.has(RST)) {
            // RFC 5961 §3.2 for SYN-SENT: a RST is acceptable only if it acknowledges our SYN.
            if (ackOk) {
                terminate(TcpError.REFUSED);
            }
            return;
        }
        if (!seg.has(SYN)) {
            return; // "Otherwise, drop the segment and return."
        }
        irs = seg.seq;
        receiver.start(irs + 1);
        receiver.synWindowOffered();
        takeSynOptions(seg);
        protection.onPeerSynOptions(seg.buffer, seg.optionsOffset, seg.optionsLength, seg.options, true);
        if (ackOk) {
            ackAdvances(seg.ack, now);
        }
        if (state == TcpState.CLOSED) {
            return;
        }
        if (SeqNum.gt(sndUna, iss)) {
            // Our SYN is acknowledged: ESTABLISHED, ACK the peer's SYN.
            sndWnd = seg.window; // RFC 7323 §2.2: the window of a SYN,ACK is never scaled
            sndWl1 = seg.seq;
            sndWl2 = seg.ack;
            maxSndWnd = sndWnd;
            establish(now);
            receiver.ackNow();
        } else {
            // Simultaneous open (RFC 9293 §3.5, figure 8): SYN-RECEIVED, answer SYN,ACK.
            state = TcpState.SYN_RECEIVED;
            sndWnd = seg.window;
            sndWl1 = seg.seq;
            sndWl2 = seg.ack;
            sndNxt = iss;
            sendSyn(now, true);
        }
    }

    /** RFC 9293 §3.10.7.4, "Otherwise" (SYN-RECEIVED and all synchronized states). */
    private void inputSynchronized(InboundSegment seg, long now) {
        boolean synSegment = seg.has(SYN);
        sequenceMapping.mapPeerSegment(seg); // into TCP's numbering, when the protection numbers the wire its own way
        if (state == TcpState.SYN_RECEIVED && seg.has(SYN) && !seg.has(RST) && seg.seq == irs) {
            // The peer's SYN again (a retransmission, or its SYN,ACK in a simultaneous open,
            // RFC 9293 figure 8): drop the SYN octet we already hold and go on with the rest.
            seg.flags &= ~SYN;
            seg.seq++;
            if (!seg.has(ACK)) {
                synAckDue = true; // our SYN,ACK was probably lost: send it again (as Linux)
                receiver.ackNow();
                return;
            }
        }
        // RFC 7323 §5.3 PAWS: R1) a timestamp older than TS.Recent marks an old duplicate.
        if (tsOk && seg.options.hasTimestamps() && !seg.has(RST)
                && SeqNum.lt((int) seg.options.tsVal(), tsRecent)) {
            stats.pawsRejected++;
            receiver.answerInvalid(seg, now);
            return;
        }
        // First: check the sequence number.
        if (!receiver.acceptable(seg, sequenceMapping.windowSlack())) { // a protection's peer may overrun the window
            stats.outOfWindow++;
            receiver.onUnacceptable(seg); // RFC 2883 §4 (1): a duplicate is reported
            if (!seg.has(RST)) {
                receiver.answerInvalid(seg, now); // "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", paced for pure ACKs
                if (state == TcpState.TIME_WAIT && seg.has(FIN) && seg.seq + seg.segLen() == rcvNxt()) {
                    // the peer's FIN again: our ACK was lost; restart the 2 MSL wait (§3.10.7.4, eighth)
                    timeWaitAt = now + config.timeWaitNanos();
                }
            }
            if (oldDuplicateAdvancingAck(seg)) {
                // "One could tailor actual segments to fit this assumption by trimming off any
                // portions that lie outside the window" (RFC 9293 §3.10.7.4): a segment wholly
                // before RCV.NXT trims to nothing but its ACK, which is kept (4.4BSD's tcp_input
                // does the same). After spurious timeouts on both ends each one's retransmissions
                // are such segments for the other; dropping their ACKs too left both ends waiting
                // for ACKs they had been sent (cwnd 1 MSS, RTO backed off to 51 s).
                processAck(seg, now);
            }
            return;
        }
        // RFC 7323 §4.3: record TS.Recent from a segment covering Last.ACK.sent.
        if (tsOk && seg.options.hasTimestamps() && SeqNum.le(seg.seq, receiver.lastAckSent())) {
            tsRecent = (int) seg.options.tsVal();
        }
        // Second: the RST bit, with RFC 5961 §3.2 blind reset protection.
        if (seg.has(RST)) {
            if (seg.seq == rcvNxt()) {
                // SYN-RECEIVED: a passive open returns to LISTEN (the TCB just goes), an active
                // one reports "connection refused" (RFC 9293 §3.10.7.4, second)
                terminate(state != TcpState.SYN_RECEIVED ? TcpError.RESET : active ? TcpError.REFUSED : null);
            } else {
                stats.challengeAcks++;
                receiver.answerInvalid(seg, now); // challenge ACK
            }
            return;
        }
        // Fourth: the SYN bit.
        if (seg.has(SYN)) {
            if (state == TcpState.SYN_RECEIVED && !active) {
                terminate(null); // "initiated with a passive OPEN, then return this connection to the LISTEN state"
                return;
            }
            // synchronized states: RFC 5961 §4.2 challenge ACK
            stats.challengeAcks++;
            receiver.answerInvalid(seg, now);
            return;
        }
        if (!synSegment) {
            protection.onPeerOptions(seg.buffer, seg.optionsOffset, seg.optionsLength, seg.options);
        }
        // Fifth: the ACK field.
        if (!seg.has(ACK)) {
            return;
        }
        if (!processAck(seg, now)) {
            return;
        }
        // Seventh: segment text; eighth: FIN.
        if (seg.payloadLength > 0 || seg.has(FIN)) {
            receiver.onText(seg, now);
        }
    }

    /**
     * A segment whose sequence space lies wholly before RCV.NXT, by less than the receive buffer
     * (a retransmission of what already arrived, not a blind guess), that acknowledges new data
     * within RFC 5961 §5.2's bounds. Not in SYN-RECEIVED (the handshake's ACK must be in window)
     * and never with SYN or RST.
     */
    private boolean oldDuplicateAdvancingAck(InboundSegment seg) {
        if (!seg.has(ACK) || seg.has(SYN) || seg.has(RST) || state == TcpState.SYN_RECEIVED || !state.synchronized_()) {
            return false;
        }
        int behind = SeqNum.diff(rcvNxt(), seg.seq + seg.segLen());
        return behind >= 0 && behind < config.receiveBuffer() && SeqNum.gt(seg.ack, sndUna) && SeqNum.le(seg.ack, sndMax);
    }

    /**
     * The fifth step of RFC 9293 §3.10.7.4.
     *
     * @return whether processing continues with the segment text
     */
    private boolean processAck(InboundSegment seg, long now) {
        persistUnanswered = 0; // the receiver is alive
        if (state == TcpState.SYN_RECEIVED) {
            // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state ... If the segment
            // acknowledgment is not acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST>"
            if (SeqNum.gt(seg.ack, sndUna) && SeqNum.le(seg.ack, sndMax)) {
                sndWnd = (long) seg.window << sndShift;
                sndWl1 = seg.seq;
                sndWl2 = seg.ack;
                maxSndWnd = sndWnd;
                takeRttSample(seg, now);
                ackAdvances(seg.ack, now);
                establish(now);
                if (state == TcpState.CLOSED) {
                    return false;
                }
            } else {
                layer.writer.reset(this, seg.ack);
                return false;
            }
        }
        // RFC 5961 §5.2: acceptable only if SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT.
        if (SeqNum.gt(seg.ack, sndMax)) {
            stats.challengeAcks++;
            receiver.answerInvalid(seg, now);
            return false;
        }
        if (SeqNum.lt(seg.ack, (int) (sndUna - Math.max(maxSndWnd, 1)))) {
            receiver.answerInvalid(seg, now);
            return false;
        }
        // RFC 5681 §2 duplicate ACK; not while the window is closed (answers to window probes)
        boolean dupCandidate = seg.payloadLength == 0 && !seg.has(FIN) && seg.ack == sndUna && sndWnd > 0
                && ((long) seg.window << sndShift) == sndWnd && SeqNum.gt(sndMax, sndUna);
        if (scoreboard != null && state.synchronized_()) {
            recoveringBeforeAck = scoreboard.inRecovery();
            int newlySacked = updateScoreboard(seg);
            // RFC 6675 §2: with SACK, a DupAck is an ACK at SND.UNA carrying new SACK information
            // (so ACKs of duplicated segments do not trigger recovery).
            dupCandidate = seg.ack == sndUna && newlySacked > 0 && SeqNum.gt(sndMax, sndUna) && sndWnd > 0;
        }
        if (SeqNum.gt(seg.ack, sndUna)) {
            takeRttSample(seg, now); // first, so the timer restarts with this ACK's RTO (RFC 6298 §5.3)
            ackAdvances(seg.ack, now);
        } else if (dupCandidate) {
            onDuplicateAck(seg, now);
        }
        if (rackTlp != null && state.synchronized_()) {
            rackTlpAck(now);
        }
        // Window update (RFC 9293 §3.10.7.4): only from newer segments.
        if (SeqNum.lt(sndWl1, seg.seq) || (sndWl1 == seg.seq && SeqNum.le(sndWl2, seg.ack))) {
            long wnd = (long) seg.window << sndShift;
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
        if (finSent && SeqNum.gt(sndUna, sendBuffer.end())) {
            ourFinAcked(now);
            if (state == TcpState.CLOSED) {
                return false;
            }
        }
        if (state == TcpState.TIME_WAIT && seg.has(FIN)) {
            // "The only thing that can arrive in this state is a retransmission of the remote
            // FIN. Acknowledge it, and restart the 2 MSL timeout."
            timeWaitAt = now + config.timeWaitNanos();
            receiver.ackNow();
            return false;
        }
        return true;
    }

    /** SEG.ACK moved SND.UNA forward. */
    private void ackAdvances(int ack, long now) {
        int acked = SeqNum.diff(ack, sndUna);
        int inFlightBefore = SeqNum.diff(sndMax, sndUna);
        sendBuffer.release(ack); // the buffer starts at ISS+1: the SYN's ACK releases nothing
        sendBuffer.releaseRingIfEmpty();
        if (stream != null) {
            stream.acked(ack);
        }
        sndUna = ack;
        if (SeqNum.lt(sndNxt, sndUna)) {
            sndNxt = sndUna; // after a go-back-N rewind the ACK may pass SND.NXT
        }
        stats.bytesAcked += acked;
        retransmitCount = 0;
        keepaliveProbes = 0;
        if (scoreboard != null && state.synchronized_()) {
            sackDupAcks = 0;
            if (recoveringBeforeAck) {
                if (!scoreboard.inRecovery()) {
                    cc.onExitRecovery(now, SeqNum.diff(sndMax, sndUna)); // RFC 6675 §5: recovery ends at RecoveryPoint
                }
            } else {
                cc.onAck(now, acked, rtt.hasSample() ? rtt.srtt() : CongestionControl.NO_RTT, inFlightBefore);
            }
        } else if (recovery != null && state.synchronized_()) {
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
        if (stream != null) {
            try {
                stream.seal(); // room freed in the send buffer, or Nagle's wait is over
            } catch (ProtectionException e) {
                protectionFailed(e);
                return;
            }
            if (appClosed && stream.outputSealed()) {
                finQueued = true;
            }
        }
        if (writable() > 0 && listener != null && state.synchronized_()) {
            listener.onWritable(this);
        }
    }

    private void takeRttSample(InboundSegment seg, long now) {
        if (tsOk && seg.options.hasTimestamps() && seg.options.tsEcr() != 0) {
            // RFC 7323 §4.1: RTT from TSecr, one sample per ACK that advances SND.UNA.
            long echoedMs = tsClock(now) - (int) seg.options.tsEcr();
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

    private void onDuplicateAck(InboundSegment seg, long now) {
        stats.duplicateAcks++;
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
                stats.fastRetransmits++;
                retransmitFirst(now);
            }
            case LIMITED_TRANSMIT -> limitedTransmit = true;
            default -> { }
        }
    }

    private int updateScoreboard(InboundSegment seg) {
        long[] left = layer.sackLeft;
        long[] right = layer.sackRight;
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
            stats.fastRetransmits++;
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
        while (cc.cwnd() - scoreboard.pipe() >= smss) {
            long room = (long) SeqNum.diff(sndUna, sndMax) + sndWnd;
            int sendableNew = (int) Math.max(0, Math.min(sendBuffer.bytesFrom(sndMax), room));
            if (stream != null && sendableNew > 0) {
                int frame = stream.frameRemainder(sndMax);
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
            layer.writer.data(this, sndMax, len, ACK, now);
            stats.bytesSent += len;
            sndMax += len;
            sndNxt = sndMax;
            scoreboard.onNewData(sndMax);
        } else {
            len = windowed(seq, stream != null ? alignedLength(seq, len) : len);
            if (len == 0) {
                return false;
            }
            int data = Math.min(len, sendBuffer.bytesFrom(seq));
            boolean fin = finSent && seq + data == sendBuffer.end() && len > data;
            layer.writer.data(this, seq, data, ACK | (fin ? FIN : 0), now);
            stats.retransmits++;
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
        if (stream != null && stream.frameRemainder(seq) != Integer.MAX_VALUE) {
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
    private int acceptableSeq() {
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
        if (stream == null) {
            return len;
        }
        int frame = stream.frameRemainder(seq);
        return frame == Integer.MAX_VALUE || frame == 0 ? len : frame;
    }

    /** Our FIN was acknowledged. */
    private void ourFinAcked(long now) {
        switch (state) {
            case FIN_WAIT_1 -> state = receiver.finReceived() ? TcpState.TIME_WAIT : TcpState.FIN_WAIT_2;
            case CLOSING -> enterTimeWait(now);
            case LAST_ACK -> terminate(null);
            default -> { }
        }
        if (state == TcpState.TIME_WAIT && timeWaitAt == NONE) {
            enterTimeWait(now);
        }
    }

    /**
     * In-order data arrived (RFC 9293 §3.10.7.4, seventh): the protection opens it, or the
     * application hears of it.
     *
     * @return false if the protection failed (the connection is gone)
     */
    boolean dataArrived() {
        if (stream != null) {
            return pumpWire();
        }
        if (listener != null) {
            listener.onReadable(this);
        }
        return true;
    }

    /** The peer's FIN is in order: RCV.NXT covers it and the states move (RFC 9293 §3.10.7.4, eighth). */
    void peerFin(long now) {
        if (stream != null) {
            try {
                stream.peerFin();
            } catch (ProtectionException e) {
                protectionFailed(e);
                return;
            }
        }
        receiver.acceptFin();
        if (listener != null) {
            listener.onPeerClosed(this); // before TIME-WAIT, which ends the owner's interest
        }
        switch (state) {
            case ESTABLISHED -> state = TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 -> state = TcpState.CLOSING;
            case FIN_WAIT_2 -> enterTimeWait(now);
            default -> { }
        }
    }

    /** RCV.NXT: the next sequence number expected (data via the reassembly queue, plus FIN). */
    public int rcvNxt() {
        return receiver.rcvNxt();
    }

    private void enterTimeWait(long now) {
        state = TcpState.TIME_WAIT;
        timeWaitAt = now + config.timeWaitNanos();
        rtoAt = NONE;
        persistAt = NONE;
        keepaliveAt = NONE;
        receiver.stopDelayedAck();
        if (listener != null) {
            ConnectionListener l = listener;
            listener = null;
            l.onClosed(this, null);
        }
    }

    private void establish(long now) {
        state = TcpState.ESTABLISHED;
        rtoAt = sndUna == sndMax ? NONE : rtoAt;
        if (keepalive) {
            keepaliveAt = now + keepaliveIdleNanos;
        }
        if (protection.transformsStream()) {
            stream = new ProtectedStream(this, protection.stream(), staged);
            sequenceMapping = stream.sequenceMapping();
            staged = null;
            try {
                stream.start();
            } catch (ProtectionException e) {
                protectionFailed(e);
                return;
            }
        } else if (protection.required()) {
            // A "required" policy and a peer without the protection: refuse, never run plain.
            layer.counters().refusedUnprotected++;
            layer.writer.reset(this, acceptableSeq());
            terminate(TcpError.NOT_PROTECTED);
            return;
        } else if (staged != null) {
            ByteBuffer b = layer.plainScratch;
            while (staged.readable() > 0) {
                b.clear();
                staged.read(b);
                b.flip();
                sendBuffer.append(b);
            }
            staged = null;
        }
        if (appClosed && stream == null && state == TcpState.ESTABLISHED) {
            state = TcpState.FIN_WAIT_1; // closed during the handshake: the FIN follows the queued data
            finQueued = true;
        } else if (appClosed && stream != null && state == TcpState.ESTABLISHED) {
            state = TcpState.FIN_WAIT_1;
            stream.closeOutput();
        }
        layer.onEstablished(this);
        if (listener != null) {
            listener.onEstablished(this);
        }
    }

    /** The protection failed: reset the connection, count the reason (design §6). */
    private void protectionFailed(ProtectionException e) {
        stats.protectionFailure = e.reason();
        layer.counters().protectionFailures++;
        layer.writer.reset(this, acceptableSeq());
        terminate(TcpError.PROTECTION_FAILED);
    }

    /** Lets the protection process wire bytes, then seals and sends what became possible. */
    void resumeStream() {
        if (state == TcpState.CLOSED || stream == null) {
            return;
        }
        long now = layer.now();
        if (!pumpWire()) {
            return;
        }
        sealAndSend(now);
        layer.timers.update(this);
    }

    /** @return false if the protection failed (the connection is gone) */
    private boolean pumpWire() {
        int before = stream.appReadable();
        try {
            stream.pumpWire();
        } catch (ProtectionException e) {
            protectionFailed(e);
            return false;
        }
        if (stream.appReadable() > before && listener != null) {
            listener.onReadable(this);
        }
        return true;
    }

    private void sealAndSend(long now) {
        if (stream != null) {
            try {
                stream.seal();
            } catch (ProtectionException e) {
                protectionFailed(e);
                return;
            }
            if (appClosed && stream.outputSealed()) {
                finQueued = true;
            }
        }
        output(now);
    }

    // ------------------------------------------------------------------ application side

    /** Sets who hears about this connection's events. */
    public void setListener(ConnectionListener l) {
        this.listener = l;
    }

    /**
     * Appends application data to the send buffer (as much as fits) and sends what the windows
     * allow.
     *
     * @return bytes taken (0 when the buffer is full; -1 if the connection can no longer send)
     */
    public int send(ByteBuffer src) {
        if (!acceptsData()) {
            return -1;
        }
        if (stream != null) {
            return appended(stream.appSend(src), true);
        }
        if (stagesData()) {
            return staging().offer(src); // until the handshake says whether to seal it
        }
        return appended(sendBuffer.offer(src), false);
    }

    private boolean acceptsData() {
        return !appClosed && (state.canSend() || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED);
    }

    /** Data written before the handshake said whether a protection seals it waits in a staging ring. */
    private boolean stagesData() {
        return !state.synchronized_() && protection != SegmentProtection.NONE;
    }

    private ReceiveBuffer staging() {
        if (staged == null) {
            staged = new ReceiveBuffer(config.sendBuffer(), layer.rings);
        }
        return staged;
    }

    /** After {@code n} bytes were appended: seal (a protected stream) or send what the windows allow. */
    private int appended(int n, boolean sealed) {
        if (n > 0 && (sealed || state.synchronized_())) {
            if (sealed) {
                sealAndSend(layer.now());
            } else {
                output(layer.now());
            }
            layer.timers.update(this);
        }
        return n;
    }

    /**
     * Reads in-order data into {@code dst}.
     *
     * @return bytes read, 0 if none is ready, -1 at end of stream (the peer's FIN and all data read)
     */
    public int receive(ByteBuffer dst) {
        boolean ended = receiver.finReceived() || state == TcpState.CLOSED || state == TcpState.TIME_WAIT;
        if (stream != null) {
            int n = stream.appReceive(dst);
            if (n == 0) {
                return ended && stream.drained() ? -1 : 0;
            }
            stats.bytesDelivered += n;
            if (state != TcpState.CLOSED && pumpWire()) {
                maybeWindowUpdate();
            }
            return n;
        }
        if (receiveBuffer.readable() == 0) {
            return ended ? -1 : 0;
        }
        int n = receiveBuffer.read(dst);
        stats.bytesDelivered += n;
        receiver.releaseRingIfIdle();
        maybeWindowUpdate();
        return n;
    }

    /**
     * Moves the in-order bytes received here straight into {@code to}'s send side, as many as it
     * has room for: the splice of two connections of one loop, ring to ring with no buffer in
     * between. Back-pressure is the windows': what {@code to} cannot take stays here and keeps
     * this side's window closed; what moves opens it (as {@link #receive} does). Loop thread.
     *
     * @return bytes moved (0: nothing ready or no room), -1 if {@code to} can no longer send
     */
    public int transferTo(TcpConnection to) {
        if (to.layer != layer) {
            throw new IllegalArgumentException("a transfer needs both connections on one loop");
        }
        ReceiveBuffer src = stream != null ? stream.appIn() : receiveBuffer;
        if (src.readable() == 0) {
            return 0;
        }
        int n = to.appendFrom(src);
        if (n <= 0) {
            return n;
        }
        stats.bytesDelivered += n;
        if (stream != null) {
            src.releaseRingIfEmpty();
            if (state != TcpState.CLOSED && pumpWire()) {
                maybeWindowUpdate();
            }
        } else {
            receiver.releaseRingIfIdle();
            maybeWindowUpdate();
        }
        return n;
    }

    /** The sending half of {@link #transferTo}: {@link #send} from another connection's ring. */
    private int appendFrom(ReceiveBuffer src) {
        if (!acceptsData()) {
            return -1;
        }
        if (stream != null) {
            return appended(stream.appSendFrom(src), true);
        }
        if (stagesData()) {
            return src.moveTo(staging()); // until the handshake says whether to seal it
        }
        return appended(src.moveTo(sendBuffer), false);
    }

    /** Whether the peer finished and every byte was read ({@link #receive} would return -1). */
    public boolean endOfStream() {
        boolean ended = receiver.finReceived() || state == TcpState.CLOSED || state == TcpState.TIME_WAIT;
        return ended && (stream != null ? stream.drained() : receiveBuffer.readable() == 0);
    }

    /** Bytes ready for {@link #receive}. */
    public int readable() {
        return stream != null ? stream.appReadable() : receiveBuffer.readable();
    }

    /** Free send buffer space. */
    public int writable() {
        if (stream != null) {
            return stream.appWritable();
        }
        return staged != null ? staged.free() : sendBuffer.free();
    }

    /** Half-close: queue a FIN after the data (RFC 9293 §3.10.4 CLOSE on the sending side). */
    public void shutdownOutput() {
        if (appClosed) {
            return;
        }
        switch (state) {
            case SYN_SENT -> {
                if (staged == null && sendBuffer.size() == 0) {
                    terminate(null); // RFC 9293 §3.10.4: nothing queued, delete the TCB
                    return;
                }
                // data is queued: send it and the FIN once established (as SYN-RECEIVED does)
                appClosed = true;
                return;
            }
            case SYN_RECEIVED -> {
                appClosed = true; // "queue for processing after entering ESTABLISHED state"
                return;
            }
            case ESTABLISHED -> state = TcpState.FIN_WAIT_1;
            case CLOSE_WAIT -> state = TcpState.LAST_ACK;
            default -> {
                return;
            }
        }
        appClosed = true;
        if (stream != null) {
            stream.closeOutput();
        } else if (state.synchronized_() || staged == null) {
            finQueued = true;
        }
        sealAndSend(layer.now());
        layer.timers.update(this);
    }

    /** ABORT (RFC 9293 §3.10.5): send a reset if synchronized, drop everything. */
    public void abort() {
        if (state == TcpState.CLOSED) {
            // Ended already (a reset, say) with data left unread: the application gives up on it.
            receiver.discard();
            if (stream != null) {
                stream.discard();
            }
            receiver.releaseRingIfIdle();
            return;
        }
        if ((state.synchronized_() || state == TcpState.SYN_RECEIVED) && state != TcpState.TIME_WAIT) {
            layer.writer.reset(this, acceptableSeq()); // nothing left to reset in TIME-WAIT
        }
        // RFC 9293 §3.10.5: "All queued SENDs and RECEIVEs should be given reset responses" and the
        // segment queues flushed: the application gave up on the data, so the rings go back to the
        // memory budget now. (A RST from the peer keeps what was received readable, as Linux does.)
        receiver.discard();
        if (stream != null) {
            stream.discard();
        }
        terminate(TcpError.ABORTED);
    }

    /** Turns keepalive on or off (RFC 1122 §4.2.3.6). */
    public void setKeepalive(boolean on, long idleNanos) {
        keepalive = on;
        keepaliveIdleNanos = idleNanos;
        keepaliveAt = on && state.synchronized_() ? layer.now() + idleNanos : NONE;
        layer.timers.update(this);
    }

    /** Nagle off (TCP_NODELAY) or on (RFC 9293 §3.7.4). */
    public void setNoDelay(boolean on) {
        noDelay = on;
    }

    /** RFC 9293 §3.8.3 user timeout (RFC 5482): drop the connection after so long without progress; 0 = off. */
    public void setUserTimeout(long nanos) {
        userTimeoutNanos = nanos;
    }

    /** The peer's window opened after our application read: tell it (receiver SWS rule). */
    private void maybeWindowUpdate() {
        if (!state.synchronized_() || receiver.finReceived()) {
            return;
        }
        if (receiver.windowUpdateDue()) { // RFC 9293 §3.8.6.2.2
            receiver.ackNow();
            output(layer.now());
            layer.timers.update(this);
        }
    }

    // ------------------------------------------------------------------ output

    /** Sends what the windows, Nagle and the state allow; then a pending ACK if nothing carried it. */
    void output(long now) {
        if (state == TcpState.SYN_RECEIVED) {
            receiver.takeInvalidAnswer(); // the pending ACK below is already a pure one
        }
        if (state == TcpState.SYN_RECEIVED && receiver.ackPending()) {
            if (synAckDue) {
                synAckDue = false;
                layer.writer.syn(this, true, now); // also marks the ACK as sent
            } else {
                layer.writer.data(this, acceptableSeq(), 0, ACK, now); // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
            }
            return;
        }
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED || state == TcpState.CLOSED
                || state == TcpState.LISTEN) {
            receiver.cancelAck();
            return;
        }
        if (receiver.takeInvalidAnswer()) {
            // The answer to an invalid segment goes as a pure ACK numbered SND.MAX, never only on a
            // data segment: after a timeout that segment is a retransmission the peer may already
            // hold, out of its window, and it would discard the ACK with it (RFC 9293 §3.10.7.4,
            // first check). Linux's tcp_send_dupack does the same.
            layer.writer.data(this, acceptableSeq(), 0, ACK, now);
        }
        boolean sent = false;
        if (scoreboard != null && (scoreboard.inRecovery() || scoreboard.afterTimeout()) && state != TcpState.TIME_WAIT) {
            long before = stats.segmentsOut;
            sackTransmit(now);
            sent = stats.segmentsOut != before;
        }
        if (state != TcpState.TIME_WAIT) {
            while (sendSuperPacket(now) || sendOneSegment(now)) {
                sent = true;
            }
        }
        if (sent && rackTlp != null) {
            rackTlp.schedulePto(now, rtt.hasSample() ? rtt.srtt() : 0, rtt.hasSample(), SeqNum.diff(sndMax, sndUna),
                    rtoAt); // RFC 8985 §7.2: after new data goes out
        }
        if (!sent && receiver.ackDue(now)) {
            layer.writer.data(this, acceptableSeq(), 0, ACK, now);
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
        if (!layer.segmentationOffload || sndNxt != sndMax || finSent || protection.pendingOptionLength() > 0) {
            return false;
        }
        int unsent = sendBuffer.bytesFrom(sndNxt);
        if (unsent < 2 * smss) {
            return false;
        }
        long wnd = Math.min(sndWnd, cc.cwnd());
        long usable = (long) SeqNum.diff(sndUna, sndNxt) + wnd;
        int headerRoom = 60 + (key.isV6() ? 40 : 20);
        int k = (int) Math.min(Math.min(unsent, Math.max(usable, 0)) / smss,
                Math.min(TcpLayer.MAX_SEGMENTS_PER_PACKET, (65535 - headerRoom) / smss));
        if (k >= 2 && stream != null && stream.frameRemainder(sndNxt) != Integer.MAX_VALUE) {
            // one frame per segment: take the run of whole frames of exactly SMSS wire bytes
            int frames = 0;
            while (frames < k && stream.frameRemainder(sndNxt + frames * smss) == smss) {
                frames++;
            }
            k = frames;
        }
        if (k < 2) {
            return false;
        }
        int len = k * smss;
        limitedTransmit = false;
        int flags = ACK | (len == unsent ? PSH : 0);
        cc.segmentsPerPacket(k);
        layer.writer.data(this, sndNxt, len, smss, flags, now);
        if (!timing && !tsOk) {
            timing = true; // Karn: time only segments sent once
            timedSeq = sndNxt;
            timedAt = now;
        }
        stats.bytesSent += len;
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
        long wnd = Math.min(sndWnd, cc.cwnd() + (limitedTransmit ? 2L * smss : 0));
        long usable = (long) SeqNum.diff(sndUna, sndNxt) + wnd;
        int fullSegment = smss - ((protection.pendingOptionLength() + 3) & ~3); // room for the protection's option
        int segCap = fullSegment;
        int frame = stream != null ? stream.frameRemainder(sndNxt) : Integer.MAX_VALUE;
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
        boolean push = len > 0 && (len == unsent || (stream != null && stream.pushIn(sndNxt, len)));
        int flags = ACK | (push ? PSH : 0) | (fin ? FIN : 0);
        boolean retransmission = SeqNum.lt(sndNxt, sndMax);
        layer.writer.data(this, sndNxt, len, flags, now);
        if (retransmission) {
            stats.retransmits++;
        }
        if (!timing && !retransmission && !tsOk && len > 0) {
            timing = true; // Karn: time only segments sent once
            timedSeq = sndNxt;
            timedAt = now;
        }
        if (len > 0) {
            stats.bytesSent += len;
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
                && persistAt == NONE && state.synchronized_()) {
            persistAt = now + persistInterval();
        }
    }

    private void retransmitFirst(long now) {
        int len = Math.min(windowed(sndUna, alignedLength(sndUna, smss)), sendBuffer.bytesFrom(sndUna));
        boolean fin = finSent && len == sendBuffer.bytesFrom(sndUna);
        if (len == 0 && !fin) {
            return;
        }
        layer.writer.data(this, sndUna, len, ACK | (fin ? FIN : 0), now);
        stats.retransmits++;
        timing = false;
    }

    private void sendSyn(long now, boolean synAck) {
        layer.writer.syn(this, synAck, now);
        sndNxt = iss + 1;
        sndMax = sndNxt;
        rtoAt = now + rtt.rto();
    }

    // ------------------------------------------------------------------ timers

    /** Earliest deadline of this connection's timers (Long.MAX_VALUE for none). */
    long timerDeadline() {
        long d = Math.min(rtoAt, Math.min(persistAt, Math.min(keepaliveAt, timeWaitAt)));
        d = Math.min(d, receiver.ackDeadline());
        if (rackTlp != null) {
            d = Math.min(d, rackTlp.deadline()); // RFC 8985 §8: reordering timer, probe timeout
        }
        return d;
    }

    /** Runs what is due at {@code now}. */
    void onTimer(long now) {
        if (timeWaitAt != NONE && now - timeWaitAt >= 0) {
            terminate(null);
            return;
        }
        if (rtoAt != NONE && now - rtoAt >= 0) {
            onRetransmissionTimeout(now);
            if (state == TcpState.CLOSED) {
                return;
            }
        }
        if (persistAt != NONE && now - persistAt >= 0) {
            onPersist(now);
        }
        if (rackTlp != null && rackTlp.deadline() != NONE && now - rackTlp.deadline() >= 0 && state.synchronized_()) {
            onRackTlpTimer(now);
        }
        if (keepaliveAt != NONE && now - keepaliveAt >= 0) {
            onKeepalive(now);
            if (state == TcpState.CLOSED) {
                return;
            }
        }
        if (receiver.ackDue(now)) {
            output(now);
        }
        layer.timers.update(this);
    }

    /** RFC 6298 §5.4-5.7: retransmit the earliest unacknowledged segment, back off. */
    private void onRetransmissionTimeout(long now) {
        if (sndWnd == 0 && state.synchronized_()) {
            // The receiver closed its window on data in flight: retransmissions are window probes
            // now and do not count towards giving up while the receiver still answers (RFC 1122
            // §4.2.2.17; as Linux, only silence longer than the maximum RTO ends the connection).
            if (now - lastReceivedAt > config.maxRtoNanos()) {
                layer.writer.reset(this, acceptableSeq());
                terminate(TcpError.TIMED_OUT);
                return;
            }
            stats.windowProbes++;
            rtt.backoff();
            windowProbe(now);
            rtoAt = now + rtt.rto();
            return;
        }
        retransmitCount++;
        stats.timeouts++;
        boolean handshake = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
        int limit = handshake ? config.synRetries() : config.dataRetries();
        boolean userTimeoutHit = userTimeoutNanos > 0 && unackedSince != NONE && now - unackedSince >= userTimeoutNanos;
        if (retransmitCount > limit || userTimeoutHit) {
            if (!handshake) {
                layer.writer.reset(this, acceptableSeq());
            }
            terminate(TcpError.TIMED_OUT);
            return;
        }
        rtt.backoff();
        timing = false;
        if (handshake) {
            sndNxt = iss;
            sendSyn(now, state == TcpState.SYN_RECEIVED);
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
                layer.writer.data(this, sndUna, 0, ACK | FIN, now); // only the FIN is outstanding
                stats.retransmits++;
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
    private void onRackTlpTimer(long now) {
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
        long before = stats.segmentsOut;
        limitedTransmit = true; // RFC 8985 §7.3: the probe may exceed cwnd by one segment
        if (sendBuffer.bytesFrom(sndMax) > 0 && sendOneSegment(now) && stats.segmentsOut != before) {
            rackTlp.onProbeSent(sndMax, false);
        } else {
            limitedTransmit = false;
            int seq = SeqNum.max(sndUna, rackTlp.lastSegmentStart(sndMax));
            int len = Math.min(windowed(seq, SeqNum.diff(sndMax, seq)), sendBuffer.bytesFrom(seq));
            boolean fin = finSent && len == sendBuffer.bytesFrom(seq);
            if (len == 0 && !fin) {
                return;
            }
            layer.writer.data(this, seq, len, ACK | (fin ? FIN : 0), now); // RFC 8985 §7.3: retransmit the last segment
            stats.retransmits++;
            timing = false;
            rackTlp.onProbeSent(sndMax, true);
        }
        stats.tailLossProbes++;
        rtoAt = now + rtt.rto(); // RFC 8985 §7.3: arm the RTO after the probe
    }

    /** Zero-window probe: one byte beyond the window, or an ACK if none is queued (RFC 9293 §3.8.6.1). */
    private void onPersist(long now) {
        persistAt = NONE;
        if (sndWnd > 0 || !state.synchronized_()) {
            persistBackoff = 0;
            return;
        }
        // RFC 1122 §4.2.2.17: never give up while the receiver answers; count only probes no
        // ACK followed (reset in processAck).
        if (persistUnanswered > config.dataRetries()) {
            layer.writer.reset(this, acceptableSeq());
            terminate(TcpError.TIMED_OUT);
            return;
        }
        stats.windowProbes++;
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
        layer.writer.data(this, sndUna - 1, 0, ACK, now);
    }

    /** The persist interval: the RTO, doubled per probe, within the RTO bounds (RFC 9293 §3.8.6.1). */
    private long persistInterval() {
        long base = Math.max(rtt.rto(), config.minRtoNanos());
        return Math.min(base << Math.min(persistBackoff, 20), config.maxRtoNanos());
    }

    /** RFC 1122 §4.2.3.6: probe an idle connection with SEG.SEQ = SND.NXT - 1. */
    private void onKeepalive(long now) {
        if (!keepalive || !state.synchronized_()) {
            keepaliveAt = NONE;
            return;
        }
        long idle = now - lastReceivedAt;
        if (idle < keepaliveIdleNanos && keepaliveProbes == 0) {
            keepaliveAt = lastReceivedAt + keepaliveIdleNanos;
            return;
        }
        if (keepaliveProbes >= config.keepaliveProbes()) {
            layer.writer.reset(this, acceptableSeq());
            terminate(TcpError.TIMED_OUT);
            return;
        }
        keepaliveProbes++;
        stats.keepalives++;
        layer.writer.data(this, sndNxt - 1, 0, ACK, now);
        keepaliveAt = now + config.keepaliveIntervalNanos();
    }

    // ------------------------------------------------------------------ ending

    /**
     * An ICMP error quoting one of our segments. RFC 5927 §4.1: believe it only if the quoted
     * sequence number lies in [SND.UNA, SND.MAX). Hard errors abort a connection still in its
     * handshake (RFC 1122 §4.2.3.9; RFC 5461); later they are only counted. Packet too big
     * lowers the segment size (RFC 1191 §6.3, RFC 8201 §5) and resends at once.
     */
    void onIcmpError(IcmpErrorReport r, long now) {
        int seq = r.sequence();
        if (SeqNum.lt(seq, sndUna) || SeqNum.ge(seq, sndMax)) {
            stats.icmpIgnored++;
            return;
        }
        switch (r.kind()) {
            case HARD_UNREACHABLE -> {
                if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
                    terminate(state == TcpState.SYN_SENT ? TcpError.REFUSED : TcpError.UNREACHABLE);
                } else {
                    stats.icmpSoftErrors++;
                }
            }
            case SOFT_UNREACHABLE -> stats.icmpSoftErrors++;
            case PACKET_TOO_BIG -> lowerPathMtu(r.mtu(), now);
        }
    }

    private void lowerPathMtu(int mtu, long now) {
        int floor = key.isV6() ? 1280 : 552; // RFC 8200 §5 minimum; Linux's min_pmtu for IPv4
        int pmtu = Math.max(mtu, floor);
        int payload = pmtu - (key.isV6() ? 40 : 20) - 20 - (tsOk ? 12 : 0);
        if (payload >= smss) {
            return;
        }
        smss = payload;
        stats.pmtuUpdates++;
        if (scoreboard != null) {
            scoreboard.reset(sndUna, smss); // ranges were in the old segment size's terms
            scoreboard.onNewData(sndMax);
        }
        if (state.synchronized_() && SeqNum.lt(sndUna, sndMax)) {
            retransmitFirst(now);
            layer.timers.update(this);
        }
    }

    /** Deletes the TCB: state CLOSED, timers off, owner told, the layer forgets the flow. */
    void terminate(TcpError reason) {
        if (state == TcpState.CLOSED) {
            return;
        }
        state = TcpState.CLOSED;
        rtoAt = NONE;
        persistAt = NONE;
        keepaliveAt = NONE;
        timeWaitAt = NONE;
        receiver.cancelAck();
        if (stream != null) {
            stream.close();
        }
        sendBuffer.discard();
        receiver.releaseRingIfIdle();
        layer.remove(this);
        protection.onClosed(reason);
        if (listener != null) {
            ConnectionListener l = listener;
            listener = null;
            l.onClosed(this, reason);
        }
    }

    // ------------------------------------------------------------------ segment fields for the writer

    /** Current timestamp clock value (ms granularity, randomized offset: RFC 7323 §5.4). */
    int tsClock(long now) {
        return (int) (now / 1_000_000L) + tsOffset;
    }

    // ------------------------------------------------------------------ accessors

    public TcpState state() {
        return state;
    }

    public FlowKey flow() {
        return key;
    }

    public boolean isActive() {
        return active;
    }

    public SegmentProtection protection() {
        return protection;
    }

    /** A consistent snapshot of this connection's statistics (call on the loop thread). */
    public TcpStats stats() {
        return new TcpStats(state, rtt.hasSample() ? rtt.srtt() : -1, rtt.rttvar(), rtt.rto(), cc.cwnd(),
                cc.ssthresh(), smss, sndWnd, receiver.receiveWindow(), stats.retransmits, stats.timeouts,
                stats.fastRetransmits, stats.bytesSent, stats.bytesAcked, stats.bytesReceived, stats.bytesDelivered,
                stats.segmentsIn, stats.segmentsOut, stats.duplicateAcks, stats.challengeAcks, stats.pawsRejected,
                sackOk, tsOk, sndShift, rcvShift, stats.outOfWindow, receiver.invalidAcksSkipped());
    }

    @Override
    public String toString() {
        return key + " " + state;
    }
}
