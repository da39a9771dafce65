package dev.tuncrypt.tcpstack.tcp;

/**
 * A congestion control algorithm: owns cwnd and ssthresh and reacts to ACK and loss events
 * (RFC 5681 §3 framework; implementations {@link NewReno} and {@link Cubic}, created by name
 * through {@link CongestionControls}).
 *
 * <p>Loss detection and recovery bookkeeping (duplicate ACK counting, "recover", partial ACKs)
 * live outside: {@link NewRenoRecovery} for RFC 6582 and {@link SackScoreboard} for RFC 6675
 * drive these callbacks. All sizes are bytes; time is passed in, never read.
 *
 * <p>{@code inFlight} is FlightSize (RFC 5681 §2): bytes sent and not yet cumulatively
 * acknowledged, at the moment named by each method.
 */
public interface CongestionControl {
    /** {@code srttNanos} value when no RTT has been measured yet. */
    long NO_RTT = -1;

    /** The initial window for a given SMSS: min(10*SMSS, max(2*SMSS, 14600)) (RFC 6928 §2). */
    static int initialWindow(int smss) {
        return Math.min(10 * smss, Math.max(2 * smss, 14600)); // RFC 6928 §2
    }

    /** Registry name ("newreno", "cubic"). */
    String name();

    /** Sender maximum segment size in bytes. */
    int smss();

    /** Congestion window in bytes. */
    int cwnd();

    /** Slow start threshold in bytes; {@link Integer#MAX_VALUE} until the first loss (RFC 5681 §3.1). */
    int ssthresh();

    /** Current phase. */
    CongestionState state();

    /**
     * How many segments the sender puts in one packet (a super-packet the link cuts up; 1
     * without segmentation offload). A receiver acknowledges a super-packet with one ACK, so the
     * slow-start limit of RFC 3465 §2.2 (L * SMSS per ACK) is applied per segment the ACK could
     * stand for: L * SMSS * segments, i.e. per packet sent, as Linux counts its TSO segments.
     */
    default void segmentsPerPacket(int segments) {}

    /**
     * An ACK cumulatively acknowledged new data. Grows cwnd in slow start or congestion
     * avoidance; does nothing in {@link CongestionState#RECOVERY}, where partial and full ACKs
     * go to {@link #onPartialAck} and {@link #onExitRecovery}. cwnd only grows while the sender
     * is cwnd-limited ({@code inFlight + SMSS > cwnd}), so an application-limited sender does
     * not inflate it (RFC 9438 §5.8, RFC 7661 in spirit).
     *
     * @param bytesAcked bytes newly acknowledged by this ACK
     * @param srttNanos the smoothed RTT (RFC 6298 SRTT), or {@link #NO_RTT}
     * @param inFlight FlightSize before this ACK was applied
     */
    void onAck(long nowNanos, int bytesAcked, long srttNanos, int inFlight);

    /**
     * {@code count} more duplicate ACKs during NewReno fast recovery, each a segment that left
     * the network: cwnd grows by count * SMSS (RFC 5681 §3.2 steps 3 and 4). Ignored outside
     * recovery. SACK-based recovery (RFC 6675) does not call this.
     */
    void onDupAcks(int count);

    /**
     * Loss detected by duplicate ACKs or SACK: sets ssthresh (algorithm-specific), sets cwnd to
     * ssthresh and enters {@link CongestionState#RECOVERY}. Ignored when already in recovery.
     *
     * @param inFlight FlightSize when the loss was detected
     */
    void onEnterRecovery(long nowNanos, int inFlight);

    /**
     * A partial ACK during NewReno fast recovery: cwnd shrinks by the bytes acknowledged and
     * regains one SMSS if at least one SMSS was acknowledged (RFC 6582 §3.2 step 3).
     */
    void onPartialAck(int bytesAcked);

    /**
     * A full ACK ended recovery: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS), option (1)
     * of RFC 6582 §3.2 step 3, which avoids a burst when little data is left in flight.
     *
     * @param inFlight FlightSize after the full ACK was applied
     */
    void onExitRecovery(long nowNanos, int inFlight);

    /**
     * The retransmission timer expired: ssthresh is reduced (once per lost segment: repeated
     * timeouts without an intervening ACK of new data keep it, RFC 5681 §3.1), cwnd becomes
     * one SMSS (the loss window, RFC 5681 §3.1) and recovery, if any, ends.
     *
     * @param inFlight FlightSize when the timer expired
     */
    void onRetransmitTimeout(long nowNanos, int inFlight);

    /** Recoveries entered. */
    long recoveries();

    /** Retransmission timeouts seen. */
    long timeouts();

    /**
     * Undoes a congestion response that turned out spurious (RFC 3708 §3; D-SACK undo of
     * RACK-TLP): cwnd and ssthresh go back to at least their values before it, recovery ends.
     */
    default void undo(int priorCwnd, int priorSsthresh) {}
}
