package dev.tuncrypt.tcpstack.tcp;

/** Phase of a {@link CongestionControl} (RFC 5681 §3). */
public enum CongestionState {
    /** {@code cwnd < ssthresh}: cwnd grows by up to L bytes per ACK (RFC 5681 §3.1, RFC 3465 §2.2). */
    SLOW_START,
    /** {@code cwnd >= ssthresh}: about one SMSS per RTT for NewReno, the cubic curve for CUBIC. */
    CONGESTION_AVOIDANCE,
    /** Fast recovery after a loss found by duplicate ACKs or SACK; cwnd does not grow. */
    RECOVERY
}
