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
    long synMssRaised;
    long synCacheEvictions;
    long synCacheSourceEvictions;
    long cookiesWithheldForEno;
    long synsGateDeferred;
    long timeWaitReopened;
    long timeWaitReused;

    /** SYNs that reopened a connection in TIME-WAIT (RFC 6191). */
    public long timeWaitReopened() {
        return timeWaitReopened;
    }

    /** Connects to an explicit local port that took over this stack's TIME-WAIT of the same 4-tuple. */
    public long timeWaitReused() {
        return timeWaitReused;
    }
    private final long[] openFailures = new long[OpenFailure.values().length];

    void openFailed(OpenFailure why) {
        openFailures[why.ordinal()]++;
    }

    /** Connections whose creation failed at stage {@code why} (nothing of them was kept). */
    public long openFailures(OpenFailure why) {
        return openFailures[why.ordinal()];
    }

    /** Connection creations that failed, all stages. */
    public long openFailures() {
        long n = 0;
        for (long f : openFailures) {
            n += f;
        }
        return n;
    }

    /** SYNs and SYN-ACKs whose MSS option was below {@link SynOptionsCheck#MIN_PEER_MSS} and was raised to it. */
    public long synMssRaised() {
        return synMssRaised;
    }

    /** Oldest half-open connections dropped (silently) to make room for a SYN offering TCP-ENO in a full SYN cache. */
    public long synCacheEvictions() {
        return synCacheEvictions;
    }

    /** Half-open connections dropped for a SYN offering TCP-ENO from their own source, which held its share of a full SYN cache. */
    public long synCacheSourceEvictions() {
        return synCacheSourceEvictions;
    }

    /** SYNs offering TCP-ENO that found the SYN cache full and got state instead of a cookie (which carries no ENO). */
    public long cookiesWithheldForEno() {
        return cookiesWithheldForEno;
    }

    /** SYNs answered at once whose {@link SynGate} is asked only when the handshake completes. */
    public long synsGateDeferred() {
        return synsGateDeferred;
    }

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
