package dev.tuncrypt.tcpstack.tcp;

/**
 * Paces the duplicate ACKs that answer invalid segments (out of window, PAWS-rejected, an ACK of
 * unsent data, a challenge), as Linux's {@code tcp_oow_rate_limited} with its default
 * {@code tcp_invalid_ratelimit} of 500 ms.
 *
 * <p>RFC 9293 §3.10.7.4 answers every unacceptable segment with an ACK. When two ends each think
 * the other's pure ACKs are out of window (both went back to SND.UNA after a timeout, say), each
 * ACK draws the next: an ACK loop at the speed of the path (RFC 5961 §7 points at the same risk).
 * A segment without data is answered at most once per interval; segments carrying data or a SYN
 * are always answered (they are not part of a loop, and their answer may carry a D-SACK).
 * Time is passed in.
 */
final class InvalidSegmentAcks {
    /** Linux's net.ipv4.tcp_invalid_ratelimit default. */
    static final long INTERVAL_NANOS = 500_000_000L;

    private boolean answered;
    private long lastAnswerAt;
    private long skipped;

    /**
     * @param dataOrSyn whether the invalid segment carries data or a SYN
     * @return whether to answer it with an ACK now; if not, the skip is counted
     */
    boolean mayAnswer(boolean dataOrSyn, long now) {
        if (dataOrSyn) {
            return true;
        }
        if (answered && now - lastAnswerAt < INTERVAL_NANOS) {
            skipped++;
            return false;
        }
        answered = true;
        lastAnswerAt = now;
        return true;
    }

    long skipped() {
        return skipped;
    }
}
