package dev.tuncrypt.tcpstack.tcp;

/**
 * A sender's retransmission timer (RFC 6298 §5) and what ends a connection that gets no answer:
 * the retry limits for the handshake and for data, the user timeout (RFC 9293 §3.8.3, RFC 5482),
 * and on a window closed with data in flight, silence longer than the maximum RTO (RFC 1122
 * §4.2.2.17). What a timeout resends is the loss recovery algorithm's choice.
 */
final class RetransmissionTimer {
    private static final long NONE = Long.MAX_VALUE;

    private final TcpSender s;
    private final TcpConnection c;
    /** When the timer expires, {@code NONE} when off. */
    long at = NONE;
    /** When the oldest unacknowledged data was first sent, for the user timeout (RFC 9293 §3.8.3). */
    private long unackedSince = NONE;
    /** Timeouts since SND.UNA last advanced. */
    private int count;

    RetransmissionTimer(TcpSender s, TcpConnection c) {
        this.s = s;
        this.c = c;
    }

    boolean due(long now) {
        return at != NONE && now - at >= 0;
    }

    /** Expires one RTO from now. */
    void restart(long now) {
        at = now + s.rtt.rto();
    }

    /** Runs, started now if it was off (RFC 6298 §5.1). */
    void arm(long now) {
        if (at == NONE) {
            at = now + s.rtt.rto();
        }
    }

    void stop() {
        at = NONE;
    }

    /** Data went out: the timer runs, and the user timeout counts from the oldest unacknowledged data. */
    void dataOutstanding(long now) {
        arm(now);
        if (unackedSince == NONE) {
            unackedSince = now;
        }
    }

    /**
     * SND.UNA advanced (RFC 6298 §5.2, §5.3): with everything acknowledged the timer stops, else
     * it restarts; the retry count starts over.
     */
    void onAckAdvanced(long now, boolean allAcknowledged) {
        count = 0;
        if (allAcknowledged) {
            at = NONE;
            unackedSince = NONE;
        } else {
            at = now + s.rtt.rto();
            unackedSince = now;
        }
    }

    /** RFC 6298 §5.4-5.7: retransmit the earliest unacknowledged segment, back off. */
    void fire(long now) {
        if (s.sndWnd == 0 && c.state.synchronized_()) {
            // The receiver closed its window on data in flight: retransmissions are window probes
            // now and do not count towards giving up while the receiver still answers (RFC 1122
            // §4.2.2.17; as Linux, only silence longer than the maximum RTO ends the connection).
            if (now - c.lastReceivedAt > c.config.maxRtoNanos()) {
                c.layer.writer.reset(c, s.acceptableSeq());
                c.terminate(TcpError.TIMED_OUT);
                return;
            }
            c.stats.windowProbes++;
            s.rtt.backoff();
            s.windowProbe(now);
            restart(now);
            return;
        }
        count++;
        c.stats.timeouts++;
        boolean handshake = c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED;
        int limit = handshake ? c.config.synRetries() : c.config.dataRetries();
        boolean userTimeoutHit = c.userTimeoutNanos > 0 && unackedSince != NONE
                && now - unackedSince >= c.userTimeoutNanos;
        if (count > limit || userTimeoutHit) {
            if (!handshake) {
                c.layer.writer.reset(c, s.acceptableSeq());
            }
            c.terminate(TcpError.TIMED_OUT);
            return;
        }
        s.rtt.backoff();
        s.onTimeoutBackedOff(now, handshake);
    }
}
