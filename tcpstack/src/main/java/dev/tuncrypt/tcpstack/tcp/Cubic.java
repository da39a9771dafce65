package dev.tuncrypt.tcpstack.tcp;

/**
 * CUBIC congestion control (RFC 9438). Slow start is Reno's (no HyStart++); congestion avoidance
 * follows W_cubic(t) = C*(t-K)^3 + W_max, or the Reno-friendly estimate W_est when that is larger.
 *
 * <p>Choices where RFC 9438 leaves room, all as in Linux:
 * <ul>
 *   <li>ssthresh is cwnd * beta_cubic rather than FlightSize * beta_cubic (§4.6 allows this when
 *       cwnd cannot grow while application-limited, which {@link #onAck} ensures);</li>
 *   <li>the increase (target - cwnd) / cwnd of §4.4/§4.5 is applied per SMSS acknowledged, so a
 *       delayed ACK covering two segments counts twice;</li>
 *   <li>t (§4.2) excludes application-limited periods: the epoch start moves forward by the time
 *       between ACKs that arrive while the sender is not cwnd-limited (§5.8).</li>
 * </ul>
 * Windows are computed in segments as doubles, as in the RFC, and cwnd is kept in bytes.
 */
public final class Cubic extends AbstractCongestionControl {
    /** Registry name. */
    public static final String NAME = "cubic";
    /** C, in segments per second cubed (RFC 9438 §5). */
    public static final double C = 0.4;
    /** beta_cubic, the multiplicative decrease factor (RFC 9438 §4.6). */
    public static final double BETA = 0.7;
    /** alpha_cubic = 3 * (1 - beta) / (1 + beta), the Reno-friendly additive factor (RFC 9438 §4.3). */
    public static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private static final double NANOS_PER_SECOND = 1e9;

    private final boolean fastConvergence;

    /** W_max in segments; 0 until the first congestion event. */
    private double wMax;
    /** cwnd_prior in segments: cwnd just before the last reduction. */
    private double cwndPrior;
    /** K in seconds. */
    private double k;
    /** W_est in segments. */
    private double wEst;
    /** Whether a congestion avoidance stage (epoch) is running. */
    private boolean inEpoch;
    /** t_epoch, shifted forward over application-limited periods. */
    private long epochStart;
    /** Time of the previous ACK seen in congestion avoidance. */
    private long lastAckNanos;
    /** The next congestion avoidance stage follows a timeout (RFC 9438 §4.8). */
    private boolean afterTimeout;
    /** Fraction of a byte of cwnd growth carried to the next ACK. */
    private double pendingGrowth;

    /** CUBIC with fast convergence (RFC 9438 §4.7: SHOULD be implemented). */
    public Cubic(int smss) {
        this(smss, true);
    }

    /**
     * CUBIC with fast convergence on or off.
     *
     * @param fastConvergence whether to apply fast convergence (RFC 9438 §4.7); it SHOULD be off
     *     for a single flow alone on its path
     */
    public Cubic(int smss, boolean fastConvergence) {
        super(smss);
        this.fastConvergence = fastConvergence;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    int onCongestionEvent(long nowNanos, int inFlight, boolean timeout) {
        double segments = cwnd / (double) smss;
        if (fastConvergence && segments < wMax) {
            wMax = segments * (1 + BETA) / 2; // RFC 9438 §4.7: release bandwidth faster
        } else {
            wMax = segments; // RFC 9438 §4.7: remember cwnd before the reduction
        }
        cwndPrior = segments; // RFC 9438 §4.6: cwnd_prior = cwnd
        inEpoch = false;
        afterTimeout = timeout; // RFC 9438 §4.8
        pendingGrowth = 0;
        // RFC 9438 §4.6: ssthresh = cwnd * beta_cubic, at least 2 SMSS
        return (int) Math.max(2L * smss, (long) (cwnd * BETA));
    }

    @Override
    void congestionAvoidance(long nowNanos, int bytesAcked, long srttNanos, boolean cwndLimited) {
        if (!cwndLimited) {
            if (inEpoch) {
                epochStart += nowNanos - lastAckNanos; // RFC 9438 §4.2, §5.8: t excludes these periods
            }
            lastAckNanos = nowNanos;
            return; // RFC 9438 §5.8: no increase while application-limited
        }
        double segments = cwnd / (double) smss;
        if (!inEpoch) {
            startEpoch(nowNanos, segments);
        }
        lastAckNanos = nowNanos;

        double t = (nowNanos - epochStart) / NANOS_PER_SECOND;
        double rtt = srttNanos > 0 ? srttNanos / NANOS_PER_SECOND : 0;
        double segmentsAcked = bytesAcked / (double) smss;

        // RFC 9438 §4.3: alpha_cubic becomes 1 once W_est reaches cwnd_prior
        double alpha = wEst >= cwndPrior ? 1.0 : ALPHA;
        wEst += alpha * segmentsAcked / segments; // RFC 9438 §4.3 equation (4)

        if (wCubic(t) < wEst) {
            // RFC 9438 §4.3: Reno-friendly region, cwnd = W_est (never lowered here)
            setCwnd(Math.max(cwnd, (long) (wEst * smss)));
            pendingGrowth = 0;
            return;
        }
        // RFC 9438 §4.2: target = W_cubic(t + RTT), bounded to [cwnd, 1.5 * cwnd]
        double target = Math.min(1.5 * segments, Math.max(segments, wCubic(t + rtt)));
        // RFC 9438 §4.4 (concave) and §4.5 (convex): cwnd += (target - cwnd) / cwnd per SMSS acked
        pendingGrowth += (target - segments) / segments * bytesAcked;
        long whole = (long) pendingGrowth;
        pendingGrowth -= whole;
        grow(whole);
    }

    private void startEpoch(long nowNanos, double segments) {
        inEpoch = true;
        epochStart = nowNanos; // RFC 9438 §4.2: t_epoch
        if (afterTimeout || wMax == 0) {
            // RFC 9438 §4.8 (first stage after a timeout) and §4.10 (no loss yet):
            // K = 0 and W_max = cwnd at the start of this stage.
            wMax = segments;
            k = 0;
            afterTimeout = false;
        } else {
            k = Math.cbrt((wMax - segments) / C); // RFC 9438 §4.2 equation (2)
        }
        wEst = segments; // RFC 9438 §4.3: W_est = cwnd_epoch
        pendingGrowth = 0;
    }

    /** W_cubic(t) = C * (t - K)^3 + W_max, in segments (RFC 9438 §4.2 equation (1)). */
    private double wCubic(double t) {
        double d = t - k;
        return C * d * d * d + wMax;
    }

    /** W_max in segments (0 before the first congestion event). */
    public double wMax() {
        return wMax;
    }

    /** K in seconds for the current congestion avoidance stage. */
    public double k() {
        return k;
    }
}
