package dev.tuncrypt.tcpstack.tcp;

/**
 * How a connection finds and repairs lost segments, chosen once when the handshake fixes the
 * options ({@link TcpSender#start}): {@link NewRenoLossRecovery} without SACK (RFC 5681 §3.2,
 * RFC 6582), {@link SackLossRecovery} with SACK (RFC 6675), {@link RackTlpLossRecovery} with
 * SACK when {@link TcpConfig#lossRecovery()} is {@link LossRecovery#RACK_TLP} (RFC 8985). The
 * algorithm drives the congestion control through its recovery callbacks and sends its
 * retransmissions through the {@link TcpSender}. Loop thread only.
 */
interface LossRecoveryAlgorithm {

    /**
     * An acceptable ACK in a synchronized state, before SND.UNA moves: whether it counts as a
     * duplicate. {@code rfc5681Duplicate} is RFC 5681 §2's verdict; with SACK the ACK's blocks
     * go to the scoreboard and RFC 6675 §2's definition decides.
     */
    boolean duplicateAck(InboundSegment seg, boolean rfc5681Duplicate);

    /**
     * SND.UNA moved to {@code ack} ({@code acked} octets newly acknowledged, {@code inFlightBefore}
     * the FlightSize before), in a synchronized state: the congestion control grows, or a partial
     * ACK is repaired, or recovery ends.
     */
    void onAckAdvanced(long now, int ack, int acked, int inFlightBefore);

    /** An ACK {@link #duplicateAck} called a duplicate. */
    void onDuplicateAck(long now);

    /** After each acceptable ACK in a synchronized state was taken (SND.UNA and the scoreboard current). */
    void afterAck(long now);

    /**
     * The retransmission timer expired on data (RFC 6298 §5.4-5.7; the RTO is backed off
     * already): tell the congestion control and resend.
     */
    void onRetransmitTimeout(long now);

    /**
     * Sends what recovery repairs before new data, as the windows allow.
     *
     * @return whether a segment went out
     */
    boolean sendRepairs(long now);

    /** Data went out in an {@link TcpSender#output} pass. */
    void afterOutput(long now);

    /**
     * A segment {@code [seq, seq + len)} went out ({@code len} 0 for a bare FIN), cut into
     * {@code segment}-octet segments when a super-packet (else 0); SND.MAX is now {@code sndMax}.
     */
    void onSent(int seq, int len, int segment, int sndMax, long now);

    /** The algorithm's own timer (RFC 8985 §8), or {@code Long.MAX_VALUE} for none. */
    long deadline();

    /** {@link #deadline()} passed, in a synchronized state. */
    void onTimer(long now);

    /** When the oldest unacknowledged segment was sent, or {@code Long.MAX_VALUE} if not recorded. */
    default long oldestSentNanos() {
        return Long.MAX_VALUE;
    }

    /** Whether a recovery or the repair after a timeout is under way (no TSO deferral then). */
    boolean repairing();

    /** The segment size went down (packet too big): what is kept in segment terms starts over. */
    void segmentSizeChanged(long now);
}
