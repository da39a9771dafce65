package dev.tuncrypt.tcpstack.tcp;

/**
 * A snapshot of one connection's statistics, as {@code ss -ti} shows for a kernel socket. Times
 * in nanoseconds; -1 where nothing was measured yet. {@code outOfWindow} counts segments that
 * failed the RFC 9293 §3.10.7.4 sequence check; {@code invalidAcksSkipped} the answers to invalid
 * segments without data left unsent by the 500 ms pacing ({@code InvalidSegmentAcks}).
 */
public record TcpStats(
        TcpState state,
        long srttNanos,
        long rttvarNanos,
        long rtoNanos,
        int cwnd,
        int ssthresh,
        int mss,
        long sendWindow,
        int receiveWindow,
        long retransmits,
        long timeouts,
        long fastRetransmits,
        long bytesSent,
        long bytesAcked,
        long bytesReceived,
        long bytesDelivered,
        long segmentsIn,
        long segmentsOut,
        long duplicateAcks,
        long challengeAcks,
        long pawsRejected,
        boolean sack,
        boolean timestamps,
        int sendWindowShift,
        int receiveWindowShift,
        long outOfWindow,
        long invalidAcksSkipped) {}
