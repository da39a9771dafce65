package dev.tuncrypt.tcpstack.tcp;

/**
 * When a new connection may take the 4-tuple of one of ours still in TIME-WAIT, and what its
 * initial sequence number must then be.
 *
 * <ul>
 *   <li>Passive: a SYN hitting TIME-WAIT reopens the connection under RFC 6191 §2 (timestamps)
 *       or RFC 9293 §3.6.1 (MAY-2, sequence numbers).</li>
 *   <li>Active: a connect to an explicit local port whose 4-tuple this stack holds in
 *       TIME-WAIT (a transparent proxy's leg 2 from its client's address and port, which the
 *       client has already reused) takes the tuple over, as Linux's {@code tcp_tw_reuse}
 *       does; the peer closed its side before ours entered TIME-WAIT.</li>
 * </ul>
 *
 * Either way the new incarnation's ISS lies above every sequence number the old one sent
 * (RFC 9293 §3.6.1, condition 1), so the peer cannot take an old duplicate of ours for new
 * data; its timestamps keep rising because the timestamp offset is a function of the 4-tuple
 * ({@link TcpLayer}).
 */
final class TimeWaitReuse {
    /** Linux's margin above the old SND.NXT for a reused tuple (tcp_twsk_unique: 65535 + 2). */
    static final int ISS_MARGIN = 65_535 + 2;

    private TimeWaitReuse() {}

    /**
     * RFC 6191 §2: whether {@code syn} (no ACK, no RST) may reopen {@code old}, which is in
     * TIME-WAIT. {@code timestampsOn}: whether the listener's configuration offers timestamps.
     */
    static boolean synReopens(TcpConnection old, InboundSegment syn, boolean timestampsOn) {
        boolean newUsesTimestamps = timestampsOn && syn.options.hasTimestamps();
        boolean seqNewer = SeqNum.gt(syn.seq, old.rcvNxt());
        if (old.tsOk) {
            if (newUsesTimestamps) {
                int tsVal = (int) syn.options.tsVal();
                // "the timestamp contained in the incoming SYN segment is greater than the last
                // timestamp seen on the previous incarnation", or equal with a greater sequence number
                return SeqNum.gt(tsVal, old.tsRecent) || (tsVal == old.tsRecent && seqNewer);
            }
            return seqNewer; // "If TCP Timestamps would not be enabled for the new incarnation"
        }
        // "If the previous incarnation of the connection did not use Timestamps": a timestamped
        // SYN is honoured (its PAWS protects the new incarnation), else the sequence number decides
        return newUsesTimestamps || seqNewer;
    }

    /**
     * RFC 9293 §3.6.1 (1): "assigns its initial sequence number for the new connection to be
     * larger than the largest sequence number it used on the previous connection incarnation".
     */
    static int issAbove(int iss, int largest) {
        return SeqNum.gt(iss, largest) ? iss : largest + ISS_MARGIN;
    }
}
