package dev.tuncrypt.tcpstack.tcp;

/**
 * Retransmission timeout computation (RFC 6298): SRTT, RTTVAR and RTO, with exponential backoff
 * and Karn's rule, fed either by timed segments or by timestamp echoes (RFC 7323 §4).
 *
 * <p>All times are nanoseconds. The estimator never reads a clock: the caller measures RTT
 * samples and passes them in.
 *
 * <p>Timestamp samples (RFC 7323 §4.2): the caller takes at most one sample per ACK that
 * advances SND.UNA, and this class applies the plain RFC 6298 gains alpha = 1/8 and beta = 1/4
 * to each, as Linux and FreeBSD do; it does not scale them down to alpha' = alpha /
 * ExpectedSamples. With one sample per advancing ACK (about cwnd/2 per RTT with delayed ACKs),
 * SRTT follows the path faster and RTTVAR stays smaller than with per-RTT sampling; the RTO
 * floor ({@link #DEFAULT_MIN_RTO_NANOS}) keeps that from causing spurious timeouts.
 */
public final class RttEstimator {
    /** Clock granularity G: the timer wheel's tick. */
    public static final long DEFAULT_GRANULARITY_NANOS = 1_000_000L;
    /** Lower bound on RTO, 200 ms like Linux (RFC 6298 §2.4 recommends 1 s; see {@link #RttEstimator(long, long, long, long)}). */
    public static final long DEFAULT_MIN_RTO_NANOS = 200_000_000L;
    /** Upper bound on RTO, 120 s like Linux (RFC 6298 §2.5: at least 60 s). */
    public static final long DEFAULT_MAX_RTO_NANOS = 120_000_000_000L;
    /** RTO before any sample (RFC 6298 §2.1). */
    public static final long INITIAL_RTO_NANOS = 1_000_000_000L;
    /** RTO once data flows after a SYN timed out (RFC 6298 §5.7). */
    public static final long SYN_TIMEOUT_RTO_NANOS = 3_000_000_000L;

    private static final int K = 4; // RFC 6298 §2

    /** What became of an RTT sample. */
    public enum SampleResult {
        /** The sample updated SRTT, RTTVAR and RTO. */
        ACCEPTED,
        /** Discarded by Karn's rule: the timed segment was retransmitted (RFC 6298 §3). */
        AMBIGUOUS,
        /** Discarded: the ACK did not advance SND.UNA (RFC 7323 §4.1, RTTM rule). */
        NOT_ADVANCING,
        /** Discarded: negative RTT (the caller's clocks disagree). */
        INVALID
    }

    private final long granularity;
    private final long minRto;
    private final long maxRto;
    private final long initialRto;

    private boolean hasSample;
    private long srtt;
    private long rttvar;
    private long rto;
    private int backoffs;

    private long samplesAccepted;
    private long samplesAmbiguous;
    private long samplesNotAdvancing;
    private long totalBackoffs;

    /** An estimator with the defaults: G = 1 ms, RTO within [200 ms, 120 s], initial RTO 1 s. */
    public RttEstimator() {
        this(DEFAULT_GRANULARITY_NANOS, DEFAULT_MIN_RTO_NANOS, DEFAULT_MAX_RTO_NANOS, INITIAL_RTO_NANOS);
    }

    /**
     * An estimator with explicit bounds.
     *
     * @param granularityNanos clock granularity G (RFC 6298 §2), positive
     * @param minRtoNanos lower bound on RTO (RFC 6298 §2.4 says 1 s; Linux uses 200 ms)
     * @param maxRtoNanos upper bound on RTO (RFC 6298 §2.5: at least 60 s)
     * @param initialRtoNanos RTO before the first sample (RFC 6298 §2.1: 1 s)
     */
    public RttEstimator(long granularityNanos, long minRtoNanos, long maxRtoNanos, long initialRtoNanos) {
        if (granularityNanos <= 0 || minRtoNanos <= 0 || maxRtoNanos < minRtoNanos
                || initialRtoNanos < minRtoNanos || initialRtoNanos > maxRtoNanos) {
            throw new IllegalArgumentException("bad RTO bounds: G=" + granularityNanos + " min=" + minRtoNanos
                    + " max=" + maxRtoNanos + " initial=" + initialRtoNanos);
        }
        this.granularity = granularityNanos;
        this.minRto = minRtoNanos;
        this.maxRto = maxRtoNanos;
        this.initialRto = initialRtoNanos;
        reset();
    }

    /** Forgets all samples: back to the initial RTO (RFC 6298 §2.1). Counters are kept. */
    public void reset() {
        hasSample = false;
        srtt = 0;
        rttvar = 0;
        rto = initialRto; // RFC 6298 §2.1
        backoffs = 0;
    }

    /**
     * A sample from a timed segment: the time from its transmission to the ACK that covered it.
     *
     * @param retransmitted whether the timed segment was retransmitted; such samples are
     *     discarded (Karn's rule, RFC 6298 §3)
     */
    public SampleResult onRttSample(long rttNanos, boolean retransmitted) {
        if (retransmitted) {
            samplesAmbiguous++;
            return SampleResult.AMBIGUOUS; // RFC 6298 §3: Karn's algorithm
        }
        return update(rttNanos);
    }

    /**
     * A sample from a timestamp echo: now minus the TSecr of an ACK, converted to nanoseconds.
     * Retransmissions carry fresh TSvals, so Karn's rule does not apply.
     *
     * @param sndUnaAdvanced whether this ACK advanced SND.UNA; others are discarded
     */
    public SampleResult onTimestampSample(long rttNanos, boolean sndUnaAdvanced) {
        if (!sndUnaAdvanced) {
            samplesNotAdvancing++;
            return SampleResult.NOT_ADVANCING; // RFC 7323 §4.1: only ACKs that advance SND.UNA
        }
        return update(rttNanos);
    }

    private SampleResult update(long r) {
        if (r < 0) {
            return SampleResult.INVALID;
        }
        if (!hasSample) {
            srtt = r; // RFC 6298 §2.2: SRTT <- R
            rttvar = r / 2; // RFC 6298 §2.2: RTTVAR <- R/2
            hasSample = true;
        } else {
            // RFC 6298 §2.3: RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|, beta = 1/4,
            // computed before SRTT is updated.
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            // RFC 6298 §2.3: SRTT <- (1 - alpha) * SRTT + alpha * R', alpha = 1/8
            srtt = (7 * srtt + r) / 8;
        }
        backoffs = 0; // RFC 6298 §5 (closing note): a new sample collapses a backed-off RTO
        rto = clamp(srtt + Math.max(granularity, K * rttvar)); // RFC 6298 §2.2/§2.3
        samplesAccepted++;
        return SampleResult.ACCEPTED;
    }

    private long clamp(long value) {
        return Math.min(maxRto, Math.max(minRto, value)); // RFC 6298 §2.4 (floor), §2.5 (ceiling)
    }

    /** The retransmission timer expired: doubles RTO up to the maximum (RFC 6298 §5.5). */
    public void backoff() {
        rto = Math.min(maxRto, rto * 2); // RFC 6298 §5.5: RTO <- RTO * 2, max value §2.5
        backoffs++;
        totalBackoffs++;
    }

    /**
     * Data transmission begins after the SYN (or SYN-ACK) timed out at least once: RTO becomes
     * 3 s if it is less (RFC 6298 §5.7), unless a sample was taken since.
     */
    public void restartAfterSynTimeout() {
        if (!hasSample) {
            backoffs = 0;
            rto = Math.min(maxRto, Math.max(rto, SYN_TIMEOUT_RTO_NANOS)); // RFC 6298 §5.7
        }
    }

    /** The current RTO, backoff included: the value to arm the retransmission timer with. */
    public long rto() {
        return rto;
    }

    /** Smoothed RTT; 0 before the first sample. */
    public long srtt() {
        return srtt;
    }

    /** RTT variation; 0 before the first sample. */
    public long rttvar() {
        return rttvar;
    }

    /** Whether a sample was accepted since construction or {@link #reset()}. */
    public boolean hasSample() {
        return hasSample;
    }

    /** Backoffs since the last accepted sample (the R1/R2 count of RFC 9293 §3.8.3). */
    public int backoffCount() {
        return backoffs;
    }

    /** Samples that updated the estimate. */
    public long samplesAccepted() {
        return samplesAccepted;
    }

    /** Samples discarded by Karn's rule. */
    public long samplesAmbiguous() {
        return samplesAmbiguous;
    }

    /** Timestamp samples discarded because their ACK did not advance SND.UNA. */
    public long samplesNotAdvancing() {
        return samplesNotAdvancing;
    }

    /** Backoffs over the estimator's life. */
    public long totalBackoffs() {
        return totalBackoffs;
    }
}
