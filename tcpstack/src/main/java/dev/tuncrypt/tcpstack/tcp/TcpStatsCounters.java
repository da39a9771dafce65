package dev.tuncrypt.tcpstack.tcp;

/** Mutable per-connection counters behind {@link TcpStats} (loop thread only). */
final class TcpStatsCounters {
    long segmentsIn;
    long segmentsOut;
    long bytesSent;
    long bytesAcked;
    long bytesReceived;
    long bytesDelivered;
    long retransmits;
    long timeouts;
    long fastRetransmits;
    long tailLossProbes;
    long duplicateAcks;
    long challengeAcks;
    long pawsRejected;
    long outOfWindow;
    long windowProbes;
    long keepalives;
    long icmpIgnored;
    long icmpSoftErrors;
    long pmtuUpdates;
    long bytesDecrypted;
    /** Why the protection failed, if it did. */
    Enum<?> protectionFailure;
}
