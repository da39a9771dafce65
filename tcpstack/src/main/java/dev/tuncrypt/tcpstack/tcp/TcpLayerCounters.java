package dev.tuncrypt.tcpstack.tcp;

/** Listener-level counters of one loop's TCP layer (loop thread writes; read on the loop). */
public final class TcpLayerCounters {
    long listenOverflows;
    long cookiesSent;
    long cookiesAccepted;
    long badAckOnListener;
    long icmpUnmatched;
    long protectionFailures;
    long refusedUnprotected;
    long synsHeld;
    long synsGateRefused;
    long synsGateOverflow;
    long refusedNoMemory;

    /** Connections refused because the memory budget was nearly used up (SYNs reset, connects failed). */
    public long refusedNoMemory() {
        return refusedNoMemory;
    }

    /** Repeated SYNs dropped while the first SYN of their flow waited for the SYN gate. */
    public long synsHeld() {
        return synsHeld;
    }

    /** SYNs the SYN gate refused (answered with a reset). */
    public long synsGateRefused() {
        return synsGateRefused;
    }

    /** SYNs dropped because too many waited for the SYN gate. */
    public long synsGateOverflow() {
        return synsGateOverflow;
    }

    /** SYNs dropped because the accept queue or the connection limit was full. */
    public long listenOverflows() {
        return listenOverflows;
    }

    /** SYN-ACKs answered with a SYN cookie instead of state. */
    public long cookiesSent() {
        return cookiesSent;
    }

    /** Connections created from a valid cookie. */
    public long cookiesAccepted() {
        return cookiesAccepted;
    }

    /** ICMP errors quoting a flow that has no connection. */
    public long icmpUnmatched() {
        return icmpUnmatched;
    }

    /** Connections reset because their segment protection failed. */
    public long protectionFailures() {
        return protectionFailures;
    }

    /** Connections refused because protection was required and the peer had none. */
    public long refusedUnprotected() {
        return refusedUnprotected;
    }

    public long badAckOnListener() {
        return badAckOnListener;
    }
}
