package dev.tuncrypt.tcpstack.tcp;

/**
 * The persist timer (RFC 9293 §3.8.6.1): while the peer's window is closed on queued data and
 * nothing is in flight, zero-window probes go at the RTO, doubled per probe within the RTO
 * bounds. RFC 1122 §4.2.2.17: never give up while the receiver answers; only probes no ACK
 * followed count towards the retry limit.
 */
final class PersistTimer {
    private static final long NONE = Long.MAX_VALUE;

    private final TcpSender s;
    private final TcpConnection c;
    /** When the next probe is due, {@code NONE} when off. */
    long at = NONE;
    /** Zero-window probes sent since the window closed (doubles the interval). */
    private int backoff;
    /** Probes no ACK has answered yet. */
    private int unanswered;

    PersistTimer(TcpSender s, TcpConnection c) {
        this.s = s;
        this.c = c;
    }

    /** Starts the timer unless it runs. */
    void start(long now) {
        if (at == NONE) {
            at = now + interval();
        }
    }

    /** The timer stops (the connection ends or waits in TIME-WAIT). */
    void stop() {
        at = NONE;
    }

    /** The window opened: probing ends and the next closed window starts from the RTO again. */
    void windowOpened() {
        at = NONE;
        backoff = 0;
    }

    /** An ACK came: the peer is alive. */
    void peerAlive() {
        unanswered = 0;
    }

    boolean due(long now) {
        return at != NONE && now - at >= 0;
    }

    /** Zero-window probe, or the end of the connection after too many unanswered ones. */
    void fire(long now) {
        at = NONE;
        if (s.sndWnd > 0 || !c.state.synchronized_()) {
            backoff = 0;
            return;
        }
        if (unanswered > c.config.dataRetries()) {
            c.layer.writer.reset(c, s.acceptableSeq());
            c.terminate(TcpError.TIMED_OUT);
            return;
        }
        c.stats.windowProbes++;
        unanswered++;
        s.windowProbe(now);
        backoff = Math.min(backoff + 1, 16);
        at = now + interval();
    }

    /** The persist interval: the RTO, doubled per probe, within the RTO bounds (RFC 9293 §3.8.6.1). */
    private long interval() {
        long base = Math.max(s.rtt.rto(), c.config.minRtoNanos());
        return Math.min(base << Math.min(backoff, 20), c.config.maxRtoNanos());
    }
}
