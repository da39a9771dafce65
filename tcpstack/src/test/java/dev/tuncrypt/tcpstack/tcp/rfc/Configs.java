package dev.tuncrypt.tcpstack.tcp.rfc;

import dev.tuncrypt.tcpstack.tcp.TcpConfig;

/** A mutable copy of a {@link TcpConfig}, for settings TcpConfig has no wither for. */
public final class Configs {
    public int mss;
    public int sendBuffer;
    public int receiveBuffer;
    public long minRtoNanos;
    public long maxRtoNanos;
    public long timeWaitNanos;
    public long delayedAckNanos;
    public int synRetries;
    public int dataRetries;
    public long keepaliveIdleNanos;
    public long keepaliveIntervalNanos;
    public int keepaliveProbes;
    public String congestionControl;
    public boolean windowScaling;
    public boolean timestamps;
    public boolean sack;
    public int backlog;
    public int synBacklog;
    public int maxConnections;
    public dev.tuncrypt.tcpstack.tcp.LossRecovery lossRecovery;

    public static Configs from(TcpConfig c) {
        Configs b = new Configs();
        b.mss = c.mss();
        b.sendBuffer = c.sendBuffer();
        b.receiveBuffer = c.receiveBuffer();
        b.minRtoNanos = c.minRtoNanos();
        b.maxRtoNanos = c.maxRtoNanos();
        b.timeWaitNanos = c.timeWaitNanos();
        b.delayedAckNanos = c.delayedAckNanos();
        b.synRetries = c.synRetries();
        b.dataRetries = c.dataRetries();
        b.keepaliveIdleNanos = c.keepaliveIdleNanos();
        b.keepaliveIntervalNanos = c.keepaliveIntervalNanos();
        b.keepaliveProbes = c.keepaliveProbes();
        b.congestionControl = c.congestionControl();
        b.windowScaling = c.windowScaling();
        b.timestamps = c.timestamps();
        b.sack = c.sack();
        b.backlog = c.backlog();
        b.synBacklog = c.synBacklog();
        b.maxConnections = c.maxConnections();
        b.lossRecovery = c.lossRecovery();
        return b;
    }

    public static Configs defaults() {
        return from(TcpConfig.DEFAULT);
    }

    public Configs dataRetries(int n) {
        dataRetries = n;
        return this;
    }

    public Configs lossRecovery(dev.tuncrypt.tcpstack.tcp.LossRecovery r) {
        lossRecovery = r;
        return this;
    }

    public Configs congestionControl(String name) {
        congestionControl = name;
        return this;
    }

    public Configs options(boolean ws, boolean ts, boolean sackOn) {
        windowScaling = ws;
        timestamps = ts;
        sack = sackOn;
        return this;
    }

    public Configs timeWait(long nanos) {
        timeWaitNanos = nanos;
        return this;
    }

    public Configs receiveBuffer(int bytes) {
        receiveBuffer = bytes;
        return this;
    }

    public TcpConfig build() {
        return new TcpConfig(mss, sendBuffer, receiveBuffer, minRtoNanos, maxRtoNanos, timeWaitNanos, delayedAckNanos,
                synRetries, dataRetries, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, congestionControl,
                windowScaling, timestamps, sack, backlog, synBacklog, maxConnections, lossRecovery);
    }
}
