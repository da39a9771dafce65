package dev.tuncrypt.tcpstack.tcp;

/**
 * Where a sender's RTT samples come from: the echoed timestamp of each ACK that advances SND.UNA
 * (RFC 7323 §4.1), or without timestamps one timed segment at a time, never a retransmitted one
 * (Karn's algorithm, RFC 6298 §3). Feeds the {@link RttEstimator}.
 */
final class RttSampler {
    private final RttEstimator rtt;
    private boolean timing;
    private int timedSeq;
    private long timedAt;

    RttSampler(RttEstimator rtt) {
        this.rtt = rtt;
    }

    /** New data from {@code seq} went out: timed unless a segment is timed already. */
    void onNewData(int seq, long now) {
        if (!timing) {
            timing = true; // Karn: time only segments sent once
            timedSeq = seq;
            timedAt = now;
        }
    }

    /** Something was retransmitted: the timed segment's sample would be ambiguous (Karn). */
    void onRetransmission() {
        timing = false;
    }

    /** An ACK advancing SND.UNA; {@code tsClock} is our timestamp clock now. */
    void onAck(InboundSegment seg, boolean tsOk, int tsClock, long now) {
        if (tsOk && seg.options.hasTimestamps() && seg.options.tsEcr() != 0) {
            // RFC 7323 §4.1: RTT from TSecr, one sample per ACK that advances SND.UNA.
            long echoedMs = tsClock - (int) seg.options.tsEcr();
            if (echoedMs >= 0 && echoedMs < 600_000) {
                rtt.onTimestampSample(Math.max(echoedMs, 0) * 1_000_000L, true);
            }
            return;
        }
        if (timing && SeqNum.gt(seg.ack, timedSeq)) {
            rtt.onRttSample(now - timedAt, false);
            timing = false;
        }
    }
}
