package dev.tuncrypt.tcpstack.tcp;

/**
 * When a new connection may take the 4-tuple of one of ours still in TIME-WAIT, and what its
 * initial sequence number must then be.
 *
 * <ul>
 *   <li>Passive: a SYN hitting TIME-WAIT reopens the connection under RFC 6191 §2 (timestamps)
 *       or RFC 9293 §3.6.1 (MAY-2, sequence numbers).</li>
 *   <li>Active, bound: a connect to an explicit local port whose 4-tuple this stack holds in
 *       TIME-WAIT (a transparent proxy's leg 2 from its client's address and port, which the
 *       client has already reused) takes the tuple over, as Linux's {@code tcp_tw_reuse}
 *       does; the peer closed its side before ours entered TIME-WAIT.</li>
 *   <li>Active, ephemeral port: port selection may take a 4-tuple held in TIME-WAIT when the
 *       old incarnation used timestamps and has heard nothing for {@link #CONNECT_REUSE_DELAY}
 *       ({@link #connectMayTakeOver}), as Linux's {@code tcp_tw_reuse=1} for outgoing connects
 *       ({@code tcp_twsk_unique}). Without it, connects to one destination that closes second
 *       stop after a port range (28,232) per TIME-WAIT (60 s): 470 a second.</li>
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

    /**
     * How long a TIME-WAIT must have heard nothing before an ephemeral connect takes its tuple
     * (Linux's {@code tcp_tw_reuse_delay}, 1 s): old duplicates of the last incarnation are then
     * at least that old, and the new incarnation's TSvals (a millisecond clock) at least that
     * much newer.
     */
    static final long CONNECT_REUSE_DELAY = 1_000_000_000L;

    private TimeWaitReuse() {}

    /**
     * Whether an ephemeral-port connect at {@code now} may take over {@code held}, the 4-tuple's
     * current incarnation: only one of ours in TIME-WAIT that used timestamps and received its
     * last segment at least {@link #CONNECT_REUSE_DELAY} ago. The timestamps are what make it
     * safe (RFC 7323 §5.8, and Linux's rule): the new incarnation's TSvals are newer than any of
     * the old one's, since the timestamp offset is a function of the 4-tuple, so the peer takes
     * our SYN even if it still holds the tuple (RFC 6191 §2) and its PAWS (RFC 7323 §5) rejects
     * our old duplicates; and the peer's old duplicates carry TSvals older than those it sends
     * the new incarnation. Without timestamps nothing tells the incarnations apart: the tuple
     * stays taken for the whole 2 MSL, as Linux keeps it.
     */
    static boolean connectMayTakeOver(TcpConnection held, long now) {
        return held.state == TcpState.TIME_WAIT && held.tsOk && now - held.lastReceivedAt >= CONNECT_REUSE_DELAY;
    }

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
