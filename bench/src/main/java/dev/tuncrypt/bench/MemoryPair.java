package dev.tuncrypt.bench;

import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.tcp.SegmentProtection;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tun.Clock;
import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.MemoryLink;
import java.net.InetAddress;

/** Two stacks joined by a fault-free {@link MemoryLink} on real time: A 198.18.1.1, B 198.18.1.2. */
final class MemoryPair implements AutoCloseable {
    static final String A_ADDR = "198.18.1.1";
    static final String B_ADDR = "198.18.1.2";

    final MemoryLink.Pair link;
    final NetStack a;
    final NetStack b;

    MemoryPair(TcpConfig tcp, int mtu) {
        this(tcp, mtu, (f, active) -> SegmentProtection.NONE, (f, active) -> SegmentProtection.NONE);
    }

    /** With a segment protection (e.g. tcpcrypt) on each stack. */
    MemoryPair(TcpConfig tcp, int mtu, SegmentProtection.Factory protectA, SegmentProtection.Factory protectB) {
        link = MemoryLink.pair(Clock.SYSTEM, 1, FaultModel.NONE, FaultModel.NONE, mtu);
        a = NetStack.builder().link(link.a()).address(InetAddress.ofLiteral(A_ADDR)).tcp(tcp).seed(1)
                .protection(protectA).build();
        b = NetStack.builder().link(link.b()).address(InetAddress.ofLiteral(B_ADDR)).tcp(tcp).seed(2)
                .protection(protectB).build();
    }

    @Override
    public void close() {
        a.close();
        b.close();
        link.a().close();
    }
}
