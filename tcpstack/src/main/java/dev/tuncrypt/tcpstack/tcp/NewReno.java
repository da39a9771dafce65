package dev.tuncrypt.tcpstack.tcp;

/**
 * Reno congestion avoidance (RFC 5681 §3.1) with appropriate byte counting (RFC 3465): slow
 * start adds up to 2*SMSS per ACK, congestion avoidance adds one SMSS per cwnd of acknowledged
 * bytes, a loss halves FlightSize into ssthresh. Used with {@link NewRenoRecovery} (RFC 6582) or
 * SACK-based recovery ({@link SackScoreboard}).
 */
public final class NewReno extends AbstractCongestionControl {
    /** Registry name. */
    public static final String NAME = "newreno";

    /** Bytes acknowledged since cwnd last grew in congestion avoidance (RFC 3465 §2.1). */
    private int bytesAcked;

    /** A NewReno controller for a sender with the given SMSS, at the initial window (RFC 6928). */
    public NewReno(int smss) {
        super(smss);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    int onCongestionEvent(long nowNanos, int inFlight, boolean timeout) {
        bytesAcked = 0;
        return Math.max(inFlight / 2, 2 * smss); // RFC 5681 §3.1 equation (4)
    }

    @Override
    void congestionAvoidance(long nowNanos, int bytesAckedNow, long srttNanos, boolean cwndLimited) {
        if (!cwndLimited) {
            return;
        }
        // RFC 3465 §2.1 (RFC 5681 §3.1 equation (3) alternative): one SMSS per cwnd bytes ACKed
        bytesAcked += bytesAckedNow;
        if (bytesAcked >= cwnd) {
            bytesAcked -= cwnd;
            grow(smss);
        }
    }
}
