package dev.tuncrypt.tcpstack.tcp;

/**
 * RACK-TLP loss recovery (RFC 8985) on top of the RFC 6675 scoreboard: {@link Rack} decides
 * which segments are lost (by time, not by DupThresh), {@link TailLossProbe} probes a silent
 * tail, {@link DsackUndo} restores the window after a recovery that D-SACKs prove spurious.
 * The scoreboard keeps the SACKed ranges, pipe and NextSeg; RACK feeds it the lost region.
 *
 * <p>The connection calls {@link #onSent} for every data segment it writes, {@link #onAck}
 * after the scoreboard took an ACK, {@link #onEnterRecovery} / {@link #onRetransmitTimeout} at
 * those events, and {@link #onTimer} when {@link #deadline()} passes. Time is passed in.
 */
final class RackTlp {
    static final long NONE = Long.MAX_VALUE;

    /** What a timer expiry asks the connection to do. */
    enum TimerAction {
        /** Nothing (not due). */
        NONE,
        /** The reordering timer ran out: RACK marked segments lost; recover them. */
        LOSS_DETECTED,
        /** The probe timeout ran out: send a tail loss probe (RFC 8985 §7.3). */
        PROBE
    }

    final SentSegments sent = new SentSegments();
    final Rack rack = new Rack();
    final TailLossProbe tlp = new TailLossProbe();
    final DsackUndo undo = new DsackUndo();
    private final SackScoreboard scoreboard;
    private final int smss;
    private long reorderAt = NONE;
    private long ptoAt = NONE;

    RackTlp(SackScoreboard scoreboard, int smss) {
        this.scoreboard = scoreboard;
        this.smss = smss;
        scoreboard.useRack(true);
    }

    /** RFC 8985 §6.1: a data segment [seq, seq + len) went out; {@code segment} bytes each. */
    void onSent(int seq, int len, int segment, long now) {
        if (sent.onSent(seq, len, segment > 0 ? segment : Math.max(len, 1), now)) {
            undo.onRetransmission(seq, seq + len);
        }
    }

    /**
     * One ACK, after {@link SackScoreboard#update}: RFC 8985 §6.2 steps 1-5, the D-SACK undo
     * and the probe's outcome (§7.4).
     *
     * @return whether the ACK asks the connection to start or continue loss recovery
     */
    boolean onAck(long now, int ack, int sndNxt, boolean recoveryEnded, long srttNanos, CongestionControl cc) {
        boolean sackInfo = false;
        int ranges = scoreboard.rangeCount();
        int highestSacked = ranges > 0 ? SeqNum.max(ack, scoreboard.rangeEnd(ranges - 1)) : ack;
        for (int i = 0; i < sent.size(); i++) {
            int s = sent.start(i);
            if (SeqNum.ge(s, highestSacked)) {
                break; // nothing at or above the highest SACKed octet is delivered
            }
            if (sent.has(i, SentSegments.DELIVERED)) {
                continue;
            }
            int e = sent.end(i);
            boolean delivered = SeqNum.le(e, ack)
                    || (scoreboard.isSacked(s) && scoreboard.isSacked(e - 1));
            if (delivered) {
                sackInfo |= SeqNum.gt(e, ack);
                sent.set(i, SentSegments.DELIVERED);
                rack.onDelivered(now, s, e, sent.xmitNanos(i), sent.has(i, SentSegments.RETRANSMITTED), false);
            }
        }
        sent.trim(ack);
        undo.onAck(ack);
        boolean dsack = scoreboard.lastUpdateHadDsack();
        if (dsack && undo.onDsack(scoreboard.lastDsackLeft(), scoreboard.lastDsackRight())) {
            cc.undo(undo.priorCwnd(), undo.priorSsthresh()); // RFC 3708 §3: the recovery was spurious
        }
        rack.updateReoWnd(dsack, ack, sndNxt, recoveryEnded); // RFC 8985 §6.2 step 4
        boolean probeCovered = dsack && SeqNum.le(scoreboard.lastDsackLeft(), (int) (tlpEnd() - 1))
                && SeqNum.gt(scoreboard.lastDsackRight(), (int) (tlpEnd() - 1));
        if (tlp.onAck(ack, probeCovered, !sackInfo && scoreboard.sndUna() == ack)) {
            int inFlight = SeqNum.diff(scoreboard.sndMax(), ack);
            cc.onEnterRecovery(now, inFlight); // RFC 8985 §7.4.2: the probe repaired a loss: react once
            cc.onExitRecovery(now, inFlight);
        }
        return detectLoss(now, srttNanos);
    }

    private long tlpEnd() {
        return tlpEndSeq;
    }

    private int tlpEndSeq;

    /** RFC 8985 §6.2 step 5 and §8: marks losses, arms the reordering timer; true if any is lost. */
    private boolean detectLoss(long now, long srttNanos) {
        boolean recovering = scoreboard.inRecovery() || scoreboard.afterTimeout();
        int segsSacked = (int) (scoreboard.sackedBytes() / smss);
        long reoWnd = rack.reoWnd(recovering, segsSacked, srttNanos);
        long timeout = rack.detectLoss(now, sent, reoWnd);
        reorderAt = timeout > 0 ? now + timeout : NONE; // RFC 8985 §6.2 step 5: RACK reordering timer
        for (int i = sent.size() - 1; i >= 0; i--) {
            if (sent.has(i, SentSegments.LOST) && !sent.has(i, SentSegments.DELIVERED)) {
                scoreboard.rackLostEnd(sent.end(i)); // unSACKed data below the newest lost segment is lost
                break;
            }
        }
        return scoreboard.isLost(scoreboard.sndUna());
    }

    /**
     * RFC 8985 §7.2: (re)schedules the probe timeout after new data went out or an ACK came,
     * outside recovery, when no probe is outstanding.
     */
    void schedulePto(long now, long srttNanos, boolean hasSrtt, int inFlight, long rtoAt) {
        if (inFlight <= 0 || scoreboard.inRecovery() || scoreboard.afterTimeout() || !tlp.mayArm()) {
            ptoAt = NONE;
            return;
        }
        long rtoRemaining = rtoAt == NONE ? Long.MAX_VALUE : Math.max(0, rtoAt - now);
        ptoAt = now + TailLossProbe.pto(srttNanos, hasSrtt, inFlight <= smss, rtoRemaining);
    }

    /** The earliest of the reordering timer and the probe timeout (RFC 8985 §8), or {@link #NONE}. */
    long deadline() {
        return Math.min(reorderAt, ptoAt);
    }

    /** Runs whichever timer is due. */
    TimerAction onTimer(long now, long srttNanos) {
        if (reorderAt != NONE && now - reorderAt >= 0) {
            reorderAt = NONE;
            return detectLoss(now, srttNanos) ? TimerAction.LOSS_DETECTED : TimerAction.NONE;
        }
        if (ptoAt != NONE && now - ptoAt >= 0) {
            ptoAt = NONE;
            return TimerAction.PROBE;
        }
        return TimerAction.NONE;
    }

    /** The start of the newest segment sent: what a probe retransmits (RFC 8985 §7.3). */
    int lastSegmentStart(int sndMax) {
        return sent.size() == 0 ? sndMax : sent.start(sent.size() - 1);
    }

    /** RFC 8985 §7.3: the probe went out, ending at {@code endSeq}. */
    void onProbeSent(int endSeq, boolean retransmission) {
        tlpEndSeq = endSeq;
        tlp.onProbeSent(endSeq, retransmission);
    }

    /** A fast recovery starts: remember the window for an undo; no probes during recovery. */
    void onEnterRecovery(CongestionControl cc, int sndUna) {
        undo.onEnterRecovery(cc.cwnd(), cc.ssthresh(), sndUna);
        ptoAt = NONE;
    }

    /** RFC 8985 §6.3: on a timeout every outstanding segment is lost; probe and undo end. */
    void onRetransmitTimeout() {
        tlp.cancel();
        undo.cancel();
        reorderAt = NONE;
        ptoAt = NONE;
    }

    /** Times the D-SACK undo restored the window. */
    long undone() {
        return undo.undone();
    }
}
