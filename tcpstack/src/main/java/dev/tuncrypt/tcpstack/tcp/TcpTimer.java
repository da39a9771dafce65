package dev.tuncrypt.tcpstack.tcp;

/** The timers of one connection, held by {@link TcpTimers}. */
public enum TcpTimer {
    /** Retransmission timeout (RFC 6298 §5), also for SYN and FIN. */
    RETRANSMIT,
    /** Delayed ACK, at most 500 ms after the segment (RFC 9293 §3.8.6.3). */
    DELAYED_ACK,
    /** Zero-window probe (RFC 9293 §3.8.6.1). */
    PERSIST,
    /** Keep-alive probe after an idle period, by default at least two hours (RFC 9293 §3.8.4). */
    KEEPALIVE,
    /** 2*MSL in TIME-WAIT (RFC 9293 §3.3.2), also the FIN-WAIT-2 limit. */
    TIME_WAIT,
    /** USER TIMEOUT: give up when data stays unacknowledged this long (RFC 9293 §3.8.3, RFC 5482). */
    USER_TIMEOUT
}
