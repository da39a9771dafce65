package dev.tuncrypt.tcpstack.tcp;

import dev.tuncrypt.tcpstack.wire.TcpOptions;

/**
 * What a SYN or SYN-ACK's options may ask of us, checked before any state exists for the flow:
 * the peer's MSS is raised to a floor (a SYN announcing MSS 0 or 1 would otherwise leave a
 * segment size of nothing, or make us send one-byte segments), and the segment size left after
 * our fixed option bytes must be positive.
 */
public final class SynOptionsCheck {
    /**
     * The smallest MSS we honour, as Linux's TCP_MIN_SND_MSS (48: 40 bytes of TCP options plus
     * 8 of data); a smaller announced MSS is raised to it and counted.
     */
    public static final int MIN_PEER_MSS = 48;
    /** RFC 9293 §3.7.1: the MSS assumed when a SYN has none (IPv4). */
    static final int DEFAULT_MSS_V4 = 536;
    /** RFC 8200 §5: 1280 - 60, the MSS assumed when an IPv6 SYN has none. */
    static final int DEFAULT_MSS_V6 = 1220;
    /** Bytes the timestamps option takes from every segment's payload (RFC 7323 §3.2, padded). */
    static final int TIMESTAMP_BYTES = 12;

    private final TcpLayerCounters counters;

    SynOptionsCheck(TcpLayerCounters counters) {
        this.counters = counters;
    }

    /** The peer's MSS as we will use it: the option's value raised to {@link #MIN_PEER_MSS} (counted), or the default. */
    int peerMss(TcpOptions o, boolean v6) {
        if (!o.hasMss()) {
            return v6 ? DEFAULT_MSS_V6 : DEFAULT_MSS_V4;
        }
        int mss = o.mss();
        if (mss < MIN_PEER_MSS) {
            counters.synMssRaised++;
            return MIN_PEER_MSS;
        }
        return mss;
    }

    /**
     * The payload bytes per full segment a connection with these SYN options would use (RFC 9293
     * §3.7.1: the MSS counts options out of the payload), without counting anything.
     *
     * @param linkPayload the largest segment payload the link carries
     */
    static int effectiveMss(TcpOptions o, boolean v6, TcpConfig config, int linkPayload) {
        int peer = o.hasMss() ? Math.max(o.mss(), MIN_PEER_MSS) : v6 ? DEFAULT_MSS_V6 : DEFAULT_MSS_V4;
        boolean ts = config.timestamps() && o.hasTimestamps();
        return Math.min(Math.min(peer, config.mss()), linkPayload) - (ts ? TIMESTAMP_BYTES : 0);
    }
}
