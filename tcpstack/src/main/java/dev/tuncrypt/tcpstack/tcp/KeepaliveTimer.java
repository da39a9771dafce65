package dev.tuncrypt.tcpstack.tcp;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;

/**
 * TCP keep-alive (RFC 1122 §4.2.3.6), off unless the application turns it on: after an idle
 * interval with nothing received, probes with SEG.SEQ = SND.NXT - 1 at the probe interval;
 * the connection ends when that many go unanswered.
 */
final class KeepaliveTimer {
    private static final long NONE = Long.MAX_VALUE;

    private final TcpConnection c;
    /** When the next check or probe is due, {@code NONE} when off. */
    long at = NONE;
    private boolean on;
    private long idleNanos;
    private int probes;

    KeepaliveTimer(TcpConnection c) {
        this.c = c;
        this.idleNanos = c.config.keepaliveIdleNanos();
    }

    /** Turns keep-alive on or off; it runs from now if the connection is synchronized. */
    void set(boolean on, long idleNanos, long now) {
        this.on = on;
        this.idleNanos = idleNanos;
        at = on && c.state.synchronized_() ? now + idleNanos : NONE;
    }

    /** The connection is established: the idle interval starts. */
    void start(long now) {
        if (on) {
            at = now + idleNanos;
        }
    }

    void stop() {
        at = NONE;
    }

    /** The peer acknowledged new data: it is alive. */
    void peerAlive() {
        probes = 0;
    }

    boolean due(long now) {
        return at != NONE && now - at >= 0;
    }

    /** Idle long enough: probe, or end the connection after too many probes went unanswered. */
    void fire(long now) {
        if (!on || !c.state.synchronized_()) {
            at = NONE;
            return;
        }
        long idle = now - c.lastReceivedAt;
        if (idle < idleNanos && probes == 0) {
            at = c.lastReceivedAt + idleNanos;
            return;
        }
        if (probes >= c.config.keepaliveProbes()) {
            c.layer.writer.reset(c, c.sender.acceptableSeq());
            c.terminate(TcpError.TIMED_OUT);
            return;
        }
        probes++;
        c.stats.keepalives++;
        c.layer.writer.data(c, c.sender.sndNxt - 1, 0, ACK, now);
        at = now + c.config.keepaliveIntervalNanos();
    }
}
