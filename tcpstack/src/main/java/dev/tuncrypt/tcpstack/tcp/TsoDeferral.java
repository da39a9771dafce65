package dev.tuncrypt.tcpstack.tcp;

/**
 * Whether new data waits for the ACK clock so that the next super-packet carries more segments:
 * the TSO deferral of Linux's {@code tcp_tso_should_defer} (net/ipv4/tcp_output.c). Without it a
 * cwnd- or window-limited sender writes what each ACK frees, about two segments per write.
 *
 * <p>Data waits only when all of these hold:
 * <ol>
 *   <li>at least one full segment could go, but less than the target: the smaller of a full
 *       super-packet and an eighth of the window (Linux: {@code limit >= max_segs * mss} or
 *       {@code limit >= min(snd_wnd, cwnd * mss) / tcp_tso_win_divisor}, divisor 3, send now;
 *       see {@link #WIN_DIVISOR} for ours);
 *   <li>more data is queued than may go now: never the tail of what the application wrote (so
 *       neither Nagle, TCP_NODELAY nor PSH ever waits here), never a FIN;
 *   <li>data is in flight, so an ACK will come and send it;
 *   <li>the last data went out at most {@link #MAX_DEFER_NANOS} ago (Linux: "allow defer only if
 *       the last write was recent (1 ms)"), and this deferral has lasted less than the bound:
 *       min(1 ms, SRTT/2) (Linux's threshold for how far away the expected ACK may be); without an
 *       RTT sample, no deferral;
 *   <li>the ACK of the oldest unacknowledged segment, expected one SRTT after it was sent, is
 *       due within min(1 ms, SRTT/2) (Linux's {@code how_far_is_the_ack}), when that send time
 *       is known (RACK's record).
 * </ol>
 * The caller checks the rest: never during loss recovery or its repair after a timeout (Linux:
 * {@code icsk_ca_state >= TCP_CA_Recovery}), never for retransmissions or probes. Where Linux
 * has no timer and relies on the ACK, {@link #deadline()} wakes the sender when the bound passes,
 * so a lost ACK costs at most the bound. Time is passed in; nothing is allocated.
 */
final class TsoDeferral {
    static final long NONE = Long.MAX_VALUE;
    /**
     * An eighth of the window goes at once. Linux's net.ipv4.tcp_tso_win_divisor is 3; in the
     * simulation (100 Mbit/s, 2-6 ms, 1 % loss, 8 seeds) a third cost 18 % of goodput against no
     * deferral and an eighth 6 %, for 33 instead of 38 segments per write when cwnd-limited
     * (docs/benchmarks.md "TSO deferral").
     */
    static final int WIN_DIVISOR = 8;
    /** Linux: a deferral never outlasts 1 ms (tcp_tso_should_defer's NSEC_PER_MSEC bounds). */
    static final long MAX_DEFER_NANOS = 1_000_000L;

    /** When the current deferral began, or {@link #NONE}. */
    private long since = NONE;
    /** How long the current deferral may last. */
    private long bound;
    /** When data last went out, or {@link #NONE}. */
    private long lastSent = NONE;
    private long deferrals;

    /**
     * Whether new data waits now.
     *
     * @param now the clock, in nanoseconds
     * @param sendable octets the windows let go now (min(SND.WND, cwnd) minus what is in flight)
     * @param unsent octets queued and not yet sent
     * @param window min(SND.WND, cwnd), in octets
     * @param inFlight octets sent and not acknowledged
     * @param smss the segment size
     * @param maxSegments the most segments one super-packet carries
     * @param srtt the smoothed RTT, or a negative value without a sample
     * @param oldestSent when the oldest unacknowledged segment was sent, or {@link #NONE} if unknown
     */
    boolean shouldDefer(long now, long sendable, long unsent, long window, long inFlight, int smss,
            int maxSegments, long srtt, long oldestSent) {
        boolean defer = sendable >= smss // something could go: rule 1
                && sendable < target(window, smss, maxSegments)
                && unsent > sendable // rule 2: not the tail
                && inFlight > 0 // rule 3: the ACK clock runs
                && srtt >= 0
                && lastSent != NONE && now - lastSent <= MAX_DEFER_NANOS // rule 4
                && ackSoon(now, srtt, oldestSent); // rule 5
        if (!defer) {
            since = NONE;
            return false;
        }
        if (since == NONE) {
            since = now;
            bound = Math.min(MAX_DEFER_NANOS, srtt / 2);
            deferrals++;
        }
        if (now - since >= bound) {
            expire(); // the bound passed: send what may go
            return false;
        }
        return true;
    }

    /**
     * Linux: the ACK of the oldest unacknowledged segment is expected one SRTT after it was sent;
     * if that is more than min(1 ms, SRTT/2) away, waiting for it costs too much: send now.
     * Unknown without the per-segment record of RACK (RFC 8985 §6.1): then only the bounds hold.
     */
    private static boolean ackSoon(long now, long srtt, long oldestSent) {
        if (oldestSent == NONE) {
            return true;
        }
        long expectedIn = oldestSent + srtt - now;
        return expectedIn <= Math.min(MAX_DEFER_NANOS, srtt / 2);
    }

    /** What must be sendable to send at once: min(a full super-packet, window / 8), at least two segments. */
    static long target(long window, int smss, int maxSegments) {
        return Math.max(2L * smss, Math.min((long) maxSegments * smss, window / WIN_DIVISOR));
    }

    /** New data went out at {@code now}: a deferral, if any, is over. */
    void sent(long now) {
        lastSent = now;
        since = NONE;
    }

    /**
     * The current deferral is over without a send (its bound passed, or the sender may not defer
     * now): no timer is left behind, and no new deferral begins before data goes out again, so
     * an expired deferral never becomes a chain of timer wake-ups.
     */
    void expire() {
        since = NONE;
        lastSent = NONE;
    }

    /** When the current deferral ends (the sender sends then), or {@link #NONE}. */
    long deadline() {
        return since == NONE ? NONE : since + bound;
    }

    /** Deferrals begun so far. */
    long deferrals() {
        return deferrals;
    }
}
