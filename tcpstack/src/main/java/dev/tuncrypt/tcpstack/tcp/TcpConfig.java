package dev.tuncrypt.tcpstack.tcp;

import java.time.Duration;

/**
 * Tunables of the TCP layer, Linux-like by default. Durations in nanoseconds.
 *
 * @param mss MSS advertised and used when the path allows (clamped to the link MTU)
 * @param sendBuffer bytes of the send buffer (unacknowledged + unsent)
 * @param receiveBuffer bytes of the receive buffer; sets the advertised window and its scale
 * @param minRtoNanos lower bound of the retransmission timeout (RFC 6298 §2.4; Linux 200 ms)
 * @param maxRtoNanos upper bound after backoff
 * @param timeWaitNanos TIME-WAIT duration, 2×MSL (RFC 9293 §3.4.2)
 * @param delayedAckNanos longest an ACK is delayed (RFC 9293 §3.8.6.3: under 0.5 s)
 * @param synRetries SYN (and SYN-ACK) retransmissions before giving up
 * @param dataRetries retransmissions of data before the connection is dropped (Linux tcp_retries2)
 * @param keepaliveIdleNanos idle time before the first keepalive probe
 * @param keepaliveIntervalNanos time between probes
 * @param keepaliveProbes unanswered probes before the connection is dropped
 * @param congestionControl algorithm name ("cubic", "newreno")
 * @param windowScaling offer RFC 7323 window scaling
 * @param timestamps offer RFC 7323 timestamps
 * @param sack offer RFC 2018 SACK
 * @param backlog default listen backlog (completed connections waiting for accept)
 * @param synBacklog half-open connections per listener before SYN cookies take over
 * @param maxConnections connections per loop (a global memory bound)
 */
public record TcpConfig(
        int mss,
        int sendBuffer,
        int receiveBuffer,
        long minRtoNanos,
        long maxRtoNanos,
        long timeWaitNanos,
        long delayedAckNanos,
        int synRetries,
        int dataRetries,
        long keepaliveIdleNanos,
        long keepaliveIntervalNanos,
        int keepaliveProbes,
        String congestionControl,
        boolean windowScaling,
        boolean timestamps,
        boolean sack,
        int backlog,
        int synBacklog,
        int maxConnections,
        LossRecovery lossRecovery) {

    public static final TcpConfig DEFAULT = new TcpConfig(
            1460,
            1 << 20,
            1 << 20,
            Duration.ofMillis(200).toNanos(),
            Duration.ofSeconds(120).toNanos(),
            Duration.ofSeconds(60).toNanos(),
            Duration.ofMillis(40).toNanos(),
            6,
            15,
            Duration.ofHours(2).toNanos(),
            Duration.ofSeconds(75).toNanos(),
            9,
            CongestionControls.DEFAULT,
            true,
            true,
            true,
            128,
            256,
            100_000,
            LossRecovery.RACK_TLP);

    public TcpConfig {
        if (mss < 88 || mss > 65495) {
            throw new IllegalArgumentException("mss " + mss);
        }
        if (sendBuffer < 4096 || receiveBuffer < 4096) {
            throw new IllegalArgumentException("buffers must be at least 4096 bytes");
        }
        if (lossRecovery == null) {
            throw new IllegalArgumentException("lossRecovery");
        }
        if (CongestionControls.create(congestionControl, 1460).isEmpty()) {
            throw new IllegalArgumentException("unknown congestion control '" + congestionControl
                    + "' (known: " + CongestionControls.names() + ")");
        }
    }

    /** With {@code m} as the MSS to advertise and use (still clamped to the link MTU). */
    public TcpConfig withMss(int m) {
        return new TcpConfig(m, sendBuffer, receiveBuffer, minRtoNanos, maxRtoNanos, timeWaitNanos, delayedAckNanos,
                synRetries, dataRetries, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, congestionControl,
                windowScaling, timestamps, sack, backlog, synBacklog, maxConnections, lossRecovery);
    }

    public TcpConfig withBuffers(int send, int receive) {
        return new TcpConfig(mss, send, receive, minRtoNanos, maxRtoNanos, timeWaitNanos, delayedAckNanos, synRetries,
                dataRetries, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, congestionControl,
                windowScaling, timestamps, sack, backlog, synBacklog, maxConnections, lossRecovery);
    }

    public TcpConfig withTimeWait(long nanos) {
        return new TcpConfig(mss, sendBuffer, receiveBuffer, minRtoNanos, maxRtoNanos, nanos, delayedAckNanos,
                synRetries, dataRetries, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, congestionControl,
                windowScaling, timestamps, sack, backlog, synBacklog, maxConnections, lossRecovery);
    }

    public TcpConfig withMinRto(long nanos) {
        return new TcpConfig(mss, sendBuffer, receiveBuffer, nanos, maxRtoNanos, timeWaitNanos, delayedAckNanos,
                synRetries, dataRetries, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, congestionControl,
                windowScaling, timestamps, sack, backlog, synBacklog, maxConnections, lossRecovery);
    }

    public TcpConfig withCongestionControl(String name) {
        return new TcpConfig(mss, sendBuffer, receiveBuffer, minRtoNanos, maxRtoNanos, timeWaitNanos, delayedAckNanos,
                synRetries, dataRetries, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, name,
                windowScaling, timestamps, sack, backlog, synBacklog, maxConnections, lossRecovery);
    }

    public TcpConfig withOptions(boolean windowScaling, boolean timestamps, boolean sack) {
        return new TcpConfig(mss, sendBuffer, receiveBuffer, minRtoNanos, maxRtoNanos, timeWaitNanos, delayedAckNanos,
                synRetries, dataRetries, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, congestionControl,
                windowScaling, timestamps, sack, backlog, synBacklog, maxConnections, lossRecovery);
    }

    public TcpConfig withKeepalive(long idleNanos, long intervalNanos, int probes) {
        return new TcpConfig(mss, sendBuffer, receiveBuffer, minRtoNanos, maxRtoNanos, timeWaitNanos, delayedAckNanos,
                synRetries, dataRetries, idleNanos, intervalNanos, probes, congestionControl,
                windowScaling, timestamps, sack, backlog, synBacklog, maxConnections, lossRecovery);
    }

    public TcpConfig withSynBacklog(int backlog, int synBacklog) {
        return new TcpConfig(mss, sendBuffer, receiveBuffer, minRtoNanos, maxRtoNanos, timeWaitNanos, delayedAckNanos,
                synRetries, dataRetries, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, congestionControl,
                windowScaling, timestamps, sack, backlog, synBacklog, maxConnections, lossRecovery);
    }

    /** With {@code r} as the loss recovery of SACK connections (NewReno without SACK either way). */
    public TcpConfig withLossRecovery(LossRecovery r) {
        return new TcpConfig(mss, sendBuffer, receiveBuffer, minRtoNanos, maxRtoNanos, timeWaitNanos, delayedAckNanos,
                synRetries, dataRetries, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, congestionControl,
                windowScaling, timestamps, sack, backlog, synBacklog, maxConnections, r);
    }

    /** Window scale to offer so that the receive buffer fits (RFC 7323 §2.3, at most 14). */
    public int receiveWindowShift() {
        if (!windowScaling) {
            return 0;
        }
        int shift = 0;
        while (shift < 14 && (65535L << shift) < receiveBuffer) {
            shift++;
        }
        return shift;
    }
}
