package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tcpstack.ip.IcmpErrors;
import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import dev.tuncrypt.tcpstack.wire.UdpView;
import dev.tuncrypt.tcpstack.wire.WireError;

/**
 * UDP (RFC 768): the stack has no UDP sockets, so every valid datagram to a stack address gets
 * ICMP port unreachable (RFC 1122 §4.1.3.1), as a host with nothing bound would answer.
 */
final class UdpHandler implements ProtocolHandler {
    private final LoopContext ctx;
    private final UdpView udp = new UdpView();

    UdpHandler(LoopContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void input(InboundPacket p) {
        WireError error = udp.wrap(p.buffer(), p.transportOffset(), p.transportLength());
        if (error != null) {
            ctx.counters().malformed(error);
            return;
        }
        WireError bad = p.isV6()
                ? udp.verifyChecksumIpv6(Checksum.pseudoHeaderIpv6(p.sourceHi(), p.sourceLo(), p.destinationHi(),
                        p.destinationLo(), IpProtocol.UDP, udp.length()))
                : udp.verifyChecksumIpv4(Checksum.pseudoHeaderIpv4(p.source4(), p.destination4(), IpProtocol.UDP,
                        udp.length()));
        if (bad != null) {
            ctx.counters().malformed(bad);
            return;
        }
        ctx.counters().drop(DropReason.UDP_NO_LISTENER);
        ctx.icmpErrors().unreachable(p, IcmpErrors.UNREACH_PORT);
    }
}
