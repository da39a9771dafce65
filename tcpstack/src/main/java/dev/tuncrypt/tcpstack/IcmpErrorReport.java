package dev.tuncrypt.tcpstack;

/**
 * An ICMP or ICMPv6 error about a packet the stack sent, as the transport needs it: which flow
 * (from the quoted headers, seen from the stack: local = the quoted source), the quoted TCP
 * sequence number, and what kind of error. One reused instance per loop.
 */
public final class IcmpErrorReport {
    /** What the error means for a connection (RFC 1122 §4.2.3.9, RFC 5927, RFC 1191, RFC 8201). */
    public enum Kind {
        /** Port or protocol unreachable: the peer has nothing there (a hard error). */
        HARD_UNREACHABLE,
        /** Network or host unreachable and the like: a soft error, retransmission goes on. */
        SOFT_UNREACHABLE,
        /** Fragmentation needed / packet too big: lower the path MTU to {@link #mtu()}. */
        PACKET_TOO_BIG
    }

    Kind kind;
    boolean v6;
    int local4;
    int remote4;
    long localHi;
    long localLo;
    long remoteHi;
    long remoteLo;
    int localPort;
    int remotePort;
    int sequence;
    int mtu;

    /** Fills this report for an IPv4 flow; returns it. */
    public IcmpErrorReport setV4(Kind kind, int local, int remote, int localPort, int remotePort, int sequence, int mtu) {
        this.kind = kind;
        this.v6 = false;
        this.local4 = local;
        this.remote4 = remote;
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.sequence = sequence;
        this.mtu = mtu;
        return this;
    }

    /** Fills this report for an IPv6 flow; returns it. */
    public IcmpErrorReport setV6(Kind kind, long localHi, long localLo, long remoteHi, long remoteLo, int localPort,
            int remotePort, int sequence, int mtu) {
        this.kind = kind;
        this.v6 = true;
        this.localHi = localHi;
        this.localLo = localLo;
        this.remoteHi = remoteHi;
        this.remoteLo = remoteLo;
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.sequence = sequence;
        this.mtu = mtu;
        return this;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isV6() {
        return v6;
    }

    public int local4() {
        return local4;
    }

    public int remote4() {
        return remote4;
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

    public int localPort() {
        return localPort;
    }

    public int remotePort() {
        return remotePort;
    }

    /** The quoted TCP sequence number (first 8 transport bytes are always quoted). */
    public int sequence() {
        return sequence;
    }

    /** The next-hop MTU for {@link Kind#PACKET_TOO_BIG}. */
    public int mtu() {
        return mtu;
    }
}
