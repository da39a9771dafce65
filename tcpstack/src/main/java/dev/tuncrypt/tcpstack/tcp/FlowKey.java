package dev.tuncrypt.tcpstack.tcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * A connection's 4-tuple seen from the stack: local and remote address and port. IPv4
 * addresses are kept as IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) so both families share one
 * representation. Mutable so the input path can look connections up with one reused probe
 * (no allocation per segment); keys stored in maps are {@link #copy() copies} never changed.
 */
public final class FlowKey {
    private static final long MAPPED_HI = 0L;
    private static final long MAPPED_LO_PREFIX = 0x0000_ffff_0000_0000L;

    long localHi;
    long localLo;
    long remoteHi;
    long remoteLo;
    int localPort;
    int remotePort;
    boolean v6;

    public FlowKey setV4(int local, int localPort, int remote, int remotePort) {
        this.localHi = MAPPED_HI;
        this.localLo = MAPPED_LO_PREFIX | (local & 0xffffffffL);
        this.remoteHi = MAPPED_HI;
        this.remoteLo = MAPPED_LO_PREFIX | (remote & 0xffffffffL);
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.v6 = false;
        return this;
    }

    public FlowKey setV6(long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort) {
        this.localHi = localHi;
        this.localLo = localLo;
        this.remoteHi = remoteHi;
        this.remoteLo = remoteLo;
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.v6 = true;
        return this;
    }

    /** Builds a key from socket addresses (API side; allocation is fine there). */
    public static FlowKey of(InetSocketAddress local, InetSocketAddress remote) {
        FlowKey k = new FlowKey();
        byte[] l = local.getAddress().getAddress();
        byte[] r = remote.getAddress().getAddress();
        if (l.length != r.length) {
            throw new IllegalArgumentException("local and remote address families differ: " + local + " " + remote);
        }
        if (l.length == 4) {
            return k.setV4(ByteBuffer.wrap(l).getInt(), local.getPort(), ByteBuffer.wrap(r).getInt(), remote.getPort());
        }
        ByteBuffer lb = ByteBuffer.wrap(l);
        ByteBuffer rb = ByteBuffer.wrap(r);
        return k.setV6(lb.getLong(), lb.getLong(), local.getPort(), rb.getLong(), rb.getLong(), remote.getPort());
    }

    public FlowKey copy() {
        FlowKey k = new FlowKey();
        k.localHi = localHi;
        k.localLo = localLo;
        k.remoteHi = remoteHi;
        k.remoteLo = remoteLo;
        k.localPort = localPort;
        k.remotePort = remotePort;
        k.v6 = v6;
        return k;
    }

    public boolean isV6() {
        return v6;
    }

    public int localPort() {
        return localPort;
    }

    public int remotePort() {
        return remotePort;
    }

    public long localHi() {
        return localHi;
    }

    public long localLo() {
        return localLo;
    }

    public long remoteHi() {
        return remoteHi;
    }

    public long remoteLo() {
        return remoteLo;
    }

    /** The IPv4 local address (valid when !isV6()). */
    public int local4() {
        return (int) localLo;
    }

    /** The IPv4 remote address (valid when !isV6()). */
    public int remote4() {
        return (int) remoteLo;
    }

    public InetSocketAddress localAddress() {
        return new InetSocketAddress(address(localHi, localLo), localPort);
    }

    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress(address(remoteHi, remoteLo), remotePort);
    }

    private InetAddress address(long hi, long lo) {
        try {
            if (!v6) {
                return InetAddress.getByAddress(ByteBuffer.allocate(4).putInt((int) lo).array());
            }
            return InetAddress.getByAddress(ByteBuffer.allocate(16).putLong(hi).putLong(lo).array());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4- or 16-byte arrays
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && k.localLo == localLo && k.remoteLo == remoteLo && k.localPort == localPort
                && k.remotePort == remotePort && k.localHi == localHi && k.remoteHi == remoteHi;
    }

    @Override
    public int hashCode() {
        long h = localLo * 0x9E3779B97F4A7C15L ^ remoteLo * 0xC2B2AE3D27D4EB4FL ^ localHi ^ (remoteHi << 1);
        h ^= ((long) localPort << 16 | remotePort) * 0x165667B19E3779F9L;
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public String toString() {
        return text(localAddress()) + " <-> " + text(remoteAddress());
    }

    /** {@code 198.18.0.1:80} or {@code [2001:2::1]:80}, without InetSocketAddress's leading slash. */
    private static String text(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (a.getAddress() instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
