package dev.tuncrypt.tcpstack.tcp;

/**
 * What NewReno and CUBIC share: slow start with appropriate byte counting, the window changes
 * of fast recovery and retransmission timeouts. Subclasses choose ssthresh on a congestion
 * event and grow cwnd in congestion avoidance.
 */
abstract class AbstractCongestionControl implements CongestionControl {
    /** cwnd never exceeds this, so that sums of cwnd and a few segments stay in int range. */
    static final int MAX_CWND = 1 << 30;

    final int smss;
    int cwnd;
    int ssthresh;

    private boolean inRecovery;
    /** An RTO fired and no new data was acknowledged since (RFC 5681 §3.1 ssthresh rule). */
    private boolean timedOutSinceAck;
    /** In the slow start that follows an RTO (RFC 3465 §2.3: L = 1*SMSS there). */
    private boolean slowStartAfterRto;

    /** Segments per packet sent (see {@link CongestionControl#segmentsPerPacket}). */
    private int segmentsPerPacket = 1;

    private long recoveries;
    private long timeouts;
    private long undoneResponses;

    AbstractCongestionControl(int smss) {
        if (smss <= 0) {
            throw new IllegalArgumentException("SMSS must be positive: " + smss);
        }
        this.smss = smss;
        this.cwnd = CongestionControl.initialWindow(smss); // RFC 6928 §2
        this.ssthresh = Integer.MAX_VALUE; // RFC 5681 §3.1: initially arbitrarily high
    }

    /**
     * A congestion event (loss by duplicate ACKs/SACK, or a timeout): updates the algorithm's
     * own state and returns the new ssthresh, at least 2*SMSS.
     */
    abstract int onCongestionEvent(long nowNanos, int inFlight, boolean timeout);

    /** An ACK of new data in congestion avoidance (cwnd >= ssthresh, not in recovery). */
    abstract void congestionAvoidance(long nowNanos, int bytesAcked, long srttNanos, boolean cwndLimited);

    @Override
    public final int smss() {
        return smss;
    }

    @Override
    public final int cwnd() {
        return cwnd;
    }

    @Override
    public final int ssthresh() {
        return ssthresh;
    }

    @Override
    public final CongestionState state() {
        if (inRecovery) {
            return CongestionState.RECOVERY;
        }
        return cwnd < ssthresh ? CongestionState.SLOW_START : CongestionState.CONGESTION_AVOIDANCE;
    }

    @Override
    public final void onAck(long nowNanos, int bytesAcked, long srttNanos, int inFlight) {
        if (bytesAcked <= 0) {
            return;
        }
        timedOutSinceAck = false;
        if (inRecovery) {
            return; // RFC 6582 §3.2 step 3 / RFC 6675 §5: partial and full ACKs handle cwnd
        }
        boolean cwndLimited = (long) inFlight + smss > cwnd;
        if (cwnd < ssthresh) { // RFC 5681 §3.1: slow start while cwnd < ssthresh
            if (cwndLimited) {
                // RFC 3465 §2.2: cwnd += min(N, L*SMSS) with L = 2; §2.3: L = 1 after an RTO
                long limit = (slowStartAfterRto ? 1L : 2L) * smss * segmentsPerPacket;
                grow(Math.min(bytesAcked, limit));
            }
        } else {
            slowStartAfterRto = false;
            congestionAvoidance(nowNanos, bytesAcked, srttNanos, cwndLimited);
        }
    }

    @Override
    public final void segmentsPerPacket(int segments) {
        segmentsPerPacket = Math.max(1, segments);
    }

    @Override
    public final void onDupAcks(int count) {
        if (inRecovery && count > 0) {
            grow((long) count * smss); // RFC 5681 §3.2 step 3 (3*SMSS) and step 4 (SMSS each)
        }
    }

    @Override
    public final void onEnterRecovery(long nowNanos, int inFlight) {
        if (inRecovery) {
            return;
        }
        ssthresh = onCongestionEvent(nowNanos, inFlight, false);
        cwnd = ssthresh; // RFC 5681 §3.2 step 3 (before inflation), RFC 6675 §5 step 4.2
        inRecovery = true;
        slowStartAfterRto = false;
        recoveries++;
    }

    @Override
    public final void onPartialAck(int bytesAcked) {
        if (!inRecovery || bytesAcked <= 0) {
            return;
        }
        // RFC 6582 §3.2 step 3 (partial acknowledgments): deflate by the bytes acknowledged,
        // add back one SMSS if at least one SMSS was acknowledged.
        long deflated = (long) cwnd - bytesAcked + (bytesAcked >= smss ? smss : 0);
        cwnd = (int) Math.max(smss, deflated);
    }

    @Override
    public final void onExitRecovery(long nowNanos, int inFlight) {
        if (!inRecovery) {
            return;
        }
        inRecovery = false;
        // RFC 6582 §3.2 step 3 (full acknowledgments), option (1)
        cwnd = (int) Math.min(ssthresh, Math.max((long) inFlight, smss) + smss);
    }

    @Override
    public final void onRetransmitTimeout(long nowNanos, int inFlight) {
        if (!timedOutSinceAck) {
            // RFC 5681 §3.1: reduce ssthresh only when the segment was not yet resent by the
            // timer; repeated timeouts keep it.
            ssthresh = onCongestionEvent(nowNanos, inFlight, true);
        }
        cwnd = smss; // RFC 5681 §3.1: cwnd = LW = 1 SMSS
        inRecovery = false; // RFC 6582 §3.2 step 4, RFC 6675 §5.1: timeouts end recovery
        timedOutSinceAck = true;
        slowStartAfterRto = true;
        timeouts++;
    }

    @Override
    public final void undo(int priorCwnd, int priorSsthresh) {
        // RFC 3708 §3 / RFC 8985: the loss was not real: restore the window of before the response
        cwnd = (int) Math.max(cwnd, Math.min(MAX_CWND, priorCwnd));
        ssthresh = Math.max(ssthresh, priorSsthresh);
        inRecovery = false;
        undoneResponses++;
    }

    /** Congestion responses undone as spurious. */
    public final long undoneResponses() {
        return undoneResponses;
    }

    /** Adds to cwnd, saturating at {@link #MAX_CWND}. */
    final void grow(long bytes) {
        cwnd = (int) Math.min(MAX_CWND, cwnd + bytes);
    }

    /** Sets cwnd, bounded to [SMSS, {@link #MAX_CWND}]. */
    final void setCwnd(long bytes) {
        cwnd = (int) Math.max(smss, Math.min(MAX_CWND, bytes));
    }

    @Override
    public final long recoveries() {
        return recoveries;
    }

    @Override
    public final long timeouts() {
        return timeouts;
    }

    @Override
    public String toString() {
        return name() + "[cwnd=" + cwnd + " ssthresh=" + ssthresh + " " + state() + "]";
    }
}
