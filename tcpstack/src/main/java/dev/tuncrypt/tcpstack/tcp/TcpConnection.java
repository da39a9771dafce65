package dev.tuncrypt.tcpstack.tcp;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.FIN;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;

import dev.tuncrypt.tcpstack.IcmpErrorReport;
import java.nio.ByteBuffer;

/**
 * A transmission control block (RFC 9293 §3.3.1) and its state machine. All of it is confined
 * to the loop thread that owns the flow. Segment arrival follows RFC 9293 §3.10.7 step by step
 * ({@link #input}) and hands each step to the halves: {@link TcpSender} (send sequence
 * variables, output, retransmission and persist timers, loss recovery) and {@link TcpReceiver}
 * (RCV.NXT, segment text, window, ACK policy). The application's SEND and RECEIVE go through
 * {@link ApplicationStream}; the timers of RFC 6298, RFC 9293 §3.8 and RFC 1122 §4.2.3.6 fire
 * through {@link #onTimer}.
 *
 * <p>Variable names are the RFC's: SND.UNA is {@code sender.sndUna}, RCV.NXT {@code rcvNxt()}.
 * Sequence numbers are {@code int}s compared with {@link SeqNum}.
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

    /** ISS and IRS; the other sequence variables are the sender's and the receiver's. */
    int iss;
    int irs;
    /** Payload bytes per full segment: the peer's MSS less our fixed option bytes. */
    int smss;

    // Options (RFC 7323, RFC 2018)
    int sndShift;
    int rcvShift;
    boolean tsOk;
    boolean sackOk;
    int tsRecent;
    int tsOffset;

    final SendBuffer sendBuffer;
    final ReceiveBuffer receiveBuffer;
    final TcpReceiver receiver;
    final TcpSender sender;

    final KeepaliveTimer keepalive;
    /** The 2 MSL wait of TIME-WAIT ends (RFC 9293 §3.3.2), {@code NONE} when not waiting. */
    long timeWaitAt = NONE;
    /** RFC 9293 §3.8.3 user timeout, 0 when off. */
    long userTimeoutNanos;
    long lastReceivedAt;

    /** The stream side when the protection transforms the byte stream (null for plain TCP). */
    ProtectedStream stream;
    /** SEQ and ACK on the wire: the protected stream's numbering, else TCP's own. */
    SequenceMapping sequenceMapping = SequenceMapping.IDENTITY;
    /** SEND and RECEIVE: the application's side of the stream. */
    final ApplicationStream app = new ApplicationStream(this);

    /** The listener that accepted this connection, until it is ESTABLISHED. */
    ListenEndpoint owner;
    /** Created from a SYN cookie (no half-open state was held). */
    boolean fromCookie;

    /** IPv4 ID of the next segment: per flow, consecutive across the segments of a super-packet. */
    private int ipId;
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
        this.sendBuffer = new SendBuffer(config.sendBuffer(), layer.rings);
        this.receiveBuffer = new ReceiveBuffer(config.receiveBuffer(), layer.rings);
        this.receiver = new TcpReceiver(this, receiveBuffer);
        this.smss = Math.min(config.mss(), layer.maxSegmentPayload(key.isV6()));
        this.sender = new TcpSender(this, sendBuffer, iss);
        this.tsOffset = layer.random().nextInt();
        this.keepalive = new KeepaliveTimer(this);
        this.lastReceivedAt = now;
        this.ipId = iss ^ (iss >>> 16); // a per-flow start that costs no draw from the random source
    }

    // ------------------------------------------------------------------ opening

    /** Active OPEN (RFC 9293 §3.10.1): send SYN, enter SYN-SENT. */
    void open(long now) {
        state = TcpState.SYN_SENT;
        sendBuffer.reset(iss + 1);
        sender.sendSyn(now, false);
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
        sender.windowFromSyn(seg);
        sendBuffer.reset(iss + 1);
        sender.sendSyn(now, true);
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
        sender.start(false);
        sender.startAfterSyn();
        sender.synchronizeWindow(seg.window, seg.seq, seg.ack);
        receiver.synWindowOffered();
        establish(now);
        if (seg.payloadLength > 0 || seg.has(FIN)) {
            receiver.onText(seg, now);
        }
        sender.output(now);
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
        sender.start(sackOk);
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
            if (SeqNum.le(seg.ack, iss) || SeqNum.gt(seg.ack, sender.sndNxt)) {
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
        if (SeqNum.gt(sender.sndUna, iss)) {
            // Our SYN is acknowledged: ESTABLISHED, ACK the peer's SYN.
            sender.synchronizeWindow(seg.window, seg.seq, seg.ack); // RFC 7323 §2.2: a SYN's window is never scaled
            establish(now);
            receiver.ackNow();
        } else {
            // Simultaneous open (RFC 9293 §3.5, figure 8): SYN-RECEIVED, answer SYN,ACK.
            state = TcpState.SYN_RECEIVED;
            sender.windowFromSyn(seg);
            sender.sendSyn(now, true);
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
                sender.answerWithSynAck(); // our SYN,ACK was probably lost: send it again (as Linux)
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
        return behind >= 0 && behind < config.receiveBuffer() && SeqNum.gt(seg.ack, sender.sndUna)
                && SeqNum.le(seg.ack, sender.sndMax);
    }

    /**
     * The fifth step of RFC 9293 §3.10.7.4.
     *
     * @return whether processing continues with the segment text
     */
    private boolean processAck(InboundSegment seg, long now) {
        sender.peerAlive();
        if (state == TcpState.SYN_RECEIVED) {
            // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state ... If the segment
            // acknowledgment is not acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST>"
            if (SeqNum.gt(seg.ack, sender.sndUna) && SeqNum.le(seg.ack, sender.sndMax)) {
                sender.synchronizeWindow((long) seg.window << sndShift, seg.seq, seg.ack);
                sender.takeRttSample(seg, now);
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
        if (SeqNum.gt(seg.ack, sender.sndMax)) {
            stats.challengeAcks++;
            receiver.answerInvalid(seg, now);
            return false;
        }
        if (sender.ackTooOld(seg.ack)) {
            receiver.answerInvalid(seg, now);
            return false;
        }
        boolean duplicate = sender.duplicateAck(seg); // RFC 5681 §2, RFC 6675 §2
        if (SeqNum.gt(seg.ack, sender.sndUna)) {
            sender.takeRttSample(seg, now); // first, so the timer restarts with this ACK's RTO (RFC 6298 §5.3)
            ackAdvances(seg.ack, now);
        } else if (duplicate) {
            stats.duplicateAcks++;
            sender.onDuplicateAck(now);
        }
        sender.afterAck(now);
        sender.updateWindow(seg, now); // "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated"
        if (sender.finAcked()) {
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

    /** SEG.ACK moved SND.UNA forward: the sender takes it; the protection forgets acknowledged frames, seals more. */
    private void ackAdvances(int ack, long now) {
        if (stream != null) {
            stream.acked(ack);
        }
        keepalive.peerAlive();
        sender.ackAdvances(ack, now);
        if (!app.seal()) {
            return;
        }
        if (app.writable() > 0 && listener != null && state.synchronized_()) {
            listener.onWritable(this);
        }
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
        sender.stopTimers();
        keepalive.stop();
        receiver.stopDelayedAck();
        if (listener != null) {
            ConnectionListener l = listener;
            listener = null;
            l.onClosed(this, null);
        }
    }

    private void establish(long now) {
        state = TcpState.ESTABLISHED;
        sender.onEstablished();
        keepalive.start(now);
        if (protection.transformsStream()) {
            stream = new ProtectedStream(this, protection.stream(), app.takeStaged());
            sequenceMapping = stream.sequenceMapping();
            try {
                stream.start();
            } catch (ProtectionException e) {
                protectionFailed(e);
                return;
            }
        } else if (protection.required()) {
            // A "required" policy and a peer without the protection: refuse, never run plain.
            layer.counters().refusedUnprotected++;
            layer.writer.reset(this, sender.acceptableSeq());
            terminate(TcpError.NOT_PROTECTED);
            return;
        } else {
            app.flushStaged();
        }
        if (app.closed() && stream == null && state == TcpState.ESTABLISHED) {
            state = TcpState.FIN_WAIT_1; // closed during the handshake: the FIN follows the queued data
            sender.queueFin();
        } else if (app.closed() && stream != null && state == TcpState.ESTABLISHED) {
            state = TcpState.FIN_WAIT_1;
            stream.closeOutput();
        }
        layer.onEstablished(this);
        if (listener != null) {
            listener.onEstablished(this);
        }
    }

    /** The protection failed: reset the connection, count the reason (design §6). */
    void protectionFailed(ProtectionException e) {
        stats.protectionFailure = e.reason();
        layer.counters().protectionFailures++;
        layer.writer.reset(this, sender.acceptableSeq());
        terminate(TcpError.PROTECTION_FAILED);
    }

    /** Lets the protection process wire bytes, then seals and sends what became possible. */
    void resumeStream() {
        if (state == TcpState.CLOSED || stream == null) {
            return;
        }
        long now = layer.now();
        if (!app.pumpWire()) {
            return;
        }
        app.sealAndSend(now);
        layer.timers.update(this);
    }

    // ------------------------------------------------------------------ application side

    /** Sets who hears about this connection's events. */
    public void setListener(ConnectionListener l) {
        this.listener = l;
    }

    ConnectionListener listener() {
        return listener;
    }

    /**
     * Appends application data to the send buffer (as much as fits) and sends what the windows
     * allow.
     *
     * @return bytes taken (0 when the buffer is full; -1 if the connection can no longer send)
     */
    public int send(ByteBuffer src) {
        return app.send(src);
    }

    /**
     * Reads in-order data into {@code dst}.
     *
     * @return bytes read, 0 if none is ready, -1 at end of stream (the peer's FIN and all data read)
     */
    public int receive(ByteBuffer dst) {
        return app.receive(dst);
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
        return app.transferTo(to.app);
    }

    /** Whether the peer finished and every byte was read ({@link #receive} would return -1). */
    public boolean endOfStream() {
        return app.endOfStream();
    }

    /** Bytes ready for {@link #receive}. */
    public int readable() {
        return app.readable();
    }

    /** Free send buffer space. */
    public int writable() {
        return app.writable();
    }

    /** Half-close: queue a FIN after the data (RFC 9293 §3.10.4 CLOSE on the sending side). */
    public void shutdownOutput() {
        if (app.closed()) {
            return;
        }
        switch (state) {
            case SYN_SENT -> {
                if (!app.hasStaged() && sendBuffer.size() == 0) {
                    terminate(null); // RFC 9293 §3.10.4: nothing queued, delete the TCB
                    return;
                }
                // data is queued: send it and the FIN once established (as SYN-RECEIVED does)
                app.close();
                return;
            }
            case SYN_RECEIVED -> {
                app.close(); // "queue for processing after entering ESTABLISHED state"
                return;
            }
            case ESTABLISHED -> state = TcpState.FIN_WAIT_1;
            case CLOSE_WAIT -> state = TcpState.LAST_ACK;
            default -> {
                return;
            }
        }
        app.close();
        if (stream != null) {
            stream.closeOutput();
        } else if (state.synchronized_() || !app.hasStaged()) {
            sender.queueFin();
        }
        app.sealAndSend(layer.now());
        layer.timers.update(this);
    }

    /** ABORT (RFC 9293 §3.10.5): send a reset if synchronized, drop everything. */
    public void abort() {
        if (state == TcpState.CLOSED) {
            // Ended already (a reset, say) with data left unread: the application gives up on it.
            receiver.discard();
            if (stream != null) {
                stream.discard();
                stream.close(); // the keys go with the unread data
            }
            receiver.releaseRingIfIdle();
            return;
        }
        if ((state.synchronized_() || state == TcpState.SYN_RECEIVED) && state != TcpState.TIME_WAIT) {
            layer.writer.reset(this, sender.acceptableSeq()); // nothing left to reset in TIME-WAIT
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
        keepalive.set(on, idleNanos, layer.now());
        layer.timers.update(this);
    }

    /** Nagle off (TCP_NODELAY) or on (RFC 9293 §3.7.4). */
    public void setNoDelay(boolean on) {
        sender.noDelay(on);
    }

    /** RFC 9293 §3.8.3 user timeout (RFC 5482): drop the connection after so long without progress; 0 = off. */
    public void setUserTimeout(long nanos) {
        userTimeoutNanos = nanos;
    }

    /** Sends what the windows, Nagle and the state allow; then a pending ACK if nothing carried it. */
    void output(long now) {
        sender.output(now);
    }

    // ------------------------------------------------------------------ timers

    /** Earliest deadline of this connection's timers (Long.MAX_VALUE for none). */
    long timerDeadline() {
        return Math.min(Math.min(sender.deadline(), receiver.ackDeadline()), Math.min(keepalive.at, timeWaitAt));
    }

    /** Runs what is due at {@code now}. */
    void onTimer(long now) {
        if (timeWaitAt != NONE && now - timeWaitAt >= 0) {
            terminate(null);
            return;
        }
        if (sender.rto.due(now)) {
            sender.rto.fire(now);
            if (state == TcpState.CLOSED) {
                return;
            }
        }
        if (sender.persist.due(now)) {
            sender.persist.fire(now);
        }
        if (sender.recoveryTimerDue(now) && state.synchronized_()) {
            sender.onRecoveryTimer(now);
        }
        if (keepalive.due(now)) {
            keepalive.fire(now);
            if (state == TcpState.CLOSED) {
                return;
            }
        }
        boolean deferralOver = sender.takeDeferralDue(now);
        if (receiver.ackDue(now) || deferralOver) {
            sender.output(now); // a delayed ACK, or data a TSO deferral held back
        }
        layer.timers.update(this);
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
        if (SeqNum.lt(seq, sender.sndUna) || SeqNum.ge(seq, sender.sndMax)) {
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
        sender.segmentSizeLowered(now);
    }

    /** Deletes the TCB: state CLOSED, timers off, owner told, the layer forgets the flow. */
    void terminate(TcpError reason) {
        if (state == TcpState.CLOSED) {
            return;
        }
        state = TcpState.CLOSED;
        sender.stopTimers();
        keepalive.stop();
        timeWaitAt = NONE;
        receiver.cancelAck();
        if (stream != null) {
            if (reason == null) {
                stream.closeWhenDrained(); // an orderly end: frames received still reach the application
            } else {
                stream.close();
            }
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

    /** The IPv4 ID of the next of {@code segments} segments about to go out; the flow's next ID moves past them. */
    int takeIpIds(int segments) {
        int id = ipId;
        ipId += segments;
        return id;
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
        RttEstimator rtt = sender.rtt;
        return new TcpStats(state, rtt.hasSample() ? rtt.srtt() : -1, rtt.rttvar(), rtt.rto(), sender.cc.cwnd(),
                sender.cc.ssthresh(), smss, sender.sndWnd, receiver.receiveWindow(), stats.retransmits, stats.timeouts,
                stats.fastRetransmits, stats.bytesSent, stats.bytesAcked, stats.bytesReceived, stats.bytesDelivered,
                stats.segmentsIn, stats.segmentsOut, stats.duplicateAcks, stats.challengeAcks, stats.pawsRejected,
                sackOk, tsOk, sndShift, rcvShift, stats.outOfWindow, receiver.invalidAcksSkipped());
    }

    @Override
    public String toString() {
        return key + " " + state;
    }
}
