package dev.tuncrypt.tcpstack.tcp;

/**
 * Why a connection could not be created. Whatever the stage, a failed creation leaves nothing
 * behind: no entry in the connection table, no half-open slot, no timer, no ring
 * ({@link TcpLayerCounters#openFailures(OpenFailure)} counts each).
 */
public enum OpenFailure {
    /** The SYN's options leave no positive segment size: refused before any state existed. */
    SYN_OPTIONS,
    /** The segment protection's factory threw. */
    PROTECTION_CREATE,
    /** Building the transmission control block threw. */
    TCB_CREATE,
    /**
     * Handling a handshake segment (the peer's SYN, SYN-ACK, the ACK completing it, a cookie ACK)
     * or sending or retransmitting our SYN or SYN-ACK threw; the half-built connection is deleted.
     */
    HANDSHAKE,
    /** The listener's {@link SynGate} threw. */
    SYN_GATE
}
