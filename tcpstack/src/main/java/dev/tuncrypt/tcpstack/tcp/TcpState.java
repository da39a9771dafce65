package dev.tuncrypt.tcpstack.tcp;

/** Connection states of RFC 9293 §3.3.2. */
public enum TcpState {
    CLOSED,
    LISTEN,
    SYN_SENT,
    SYN_RECEIVED,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    CLOSE_WAIT,
    CLOSING,
    LAST_ACK,
    TIME_WAIT;

    /** States in which the connection is synchronized (RFC 9293 §3.5.2, third group). */
    public boolean synchronized_() {
        return ordinal() >= ESTABLISHED.ordinal();
    }

    /** Whether the application may still send (no FIN queued yet). */
    public boolean canSend() {
        return this == ESTABLISHED || this == CLOSE_WAIT;
    }

    /** Whether data from the peer may still arrive (its FIN not yet received). */
    public boolean canReceive() {
        return this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
    }
}
