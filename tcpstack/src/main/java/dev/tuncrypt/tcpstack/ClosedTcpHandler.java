package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import dev.tuncrypt.tcpstack.wire.TcpView;
import dev.tuncrypt.tcpstack.wire.WireError;

/**
 * TCP for a stack with nothing listening: every valid segment to a stack address is answered
 * with a reset (RFC 9293 §3.10.7.1), so a connect is refused at once instead of timing out.
 */
final class ClosedTcpHandler implements ProtocolHandler {
    private final LoopContext ctx;
    private final TcpView tcp = new TcpView();

    ClosedTcpHandler(LoopContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void input(InboundPacket p) {
        WireError error = tcp.wrap(p.buffer(), p.transportOffset(), p.transportLength());
        if (error != null) {
            ctx.counters().malformed(error);
            return;
        }
        int pseudo = p.isV6()
                ? Checksum.pseudoHeaderIpv6(p.sourceHi(), p.sourceLo(), p.destinationHi(), p.destinationLo(),
                        IpProtocol.TCP, p.transportLength())
                : Checksum.pseudoHeaderIpv4(p.source4(), p.destination4(), IpProtocol.TCP, p.transportLength());
        error = tcp.verifyChecksum(pseudo);
        if (error != null) {
            ctx.counters().malformed(error);
            return;
        }
        if ((tcp.flags() & TcpView.RST) != 0) {
            ctx.counters().drop(DropReason.TCP_RESET_UNMATCHED);
            return;
        }
        ctx.counters().drop(DropReason.TCP_NO_LISTENER);
        TcpResets.replyToUnmatched(ctx, p, tcp);
    }
}
