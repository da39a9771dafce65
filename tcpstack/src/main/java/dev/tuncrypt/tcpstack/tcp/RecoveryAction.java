package dev.tuncrypt.tcpstack.tcp;

/** What the sender should do after {@link NewRenoRecovery} has seen an ACK. */
public enum RecoveryAction {
    /** Nothing beyond sending what cwnd and the peer's window allow. */
    NONE,
    /**
     * First or second duplicate ACK: one segment of previously unsent data may be sent beyond
     * cwnd (Limited Transmit, RFC 3042; RFC 5681 §3.2 step 1).
     */
    LIMITED_TRANSMIT,
    /** Third duplicate ACK: retransmit the segment at SND.UNA now (RFC 5681 §3.2 step 2). */
    FAST_RETRANSMIT,
    /**
     * First partial ACK of this recovery: retransmit the first unacknowledged segment and restart
     * the retransmission timer (RFC 6582 §3.2 step 3).
     */
    PARTIAL_ACK_RESTART_TIMER,
    /**
     * Later partial ACK: retransmit the first unacknowledged segment, leave the retransmission
     * timer running (the "Impatient" variant, RFC 6582 §4).
     */
    PARTIAL_ACK,
    /** Full ACK: recovery is over (RFC 6582 §3.2 step 3). */
    RECOVERY_EXIT
}
