package dev.tuncrypt.tcpstack.icmp;

import dev.tuncrypt.tcpstack.DropReason;
import dev.tuncrypt.tcpstack.IcmpErrorReport;
import dev.tuncrypt.tcpstack.InboundPacket;
import dev.tuncrypt.tcpstack.LoopContext;
import dev.tuncrypt.tcpstack.ProtocolHandler;
import dev.tuncrypt.tcpstack.ip.IpOutput;
import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import dev.tuncrypt.tcpstack.wire.WireError;
import java.nio.ByteBuffer;

/**
 * ICMPv6 (RFC 4443): answers echo requests to the stack's addresses (§4.2) and counts the rest
 * (router and neighbour discovery have no meaning on a TUN device, which has no link layer).
 */
public final class IcmpV6Handler implements ProtocolHandler {
    static final int ECHO_REQUEST = 128;
    static final int ECHO_REPLY = 129;

    static final int DEST_UNREACHABLE = 1;
    static final int PACKET_TOO_BIG = 2;

    private final LoopContext ctx;
    private final IcmpErrorReport report = new IcmpErrorReport();

    public IcmpV6Handler(LoopContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void input(InboundPacket p) {
        ByteBuffer buf = p.buffer();
        int at = p.transportOffset();
        int len = p.transportLength();
        if (len < 8) {
            ctx.counters().malformed(WireError.TRUNCATED);
            return;
        }
        // RFC 4443 §2.3: the checksum covers the IPv6 pseudo-header.
        int pseudo = Checksum.pseudoHeaderIpv6(p.sourceHi(), p.sourceLo(), p.destinationHi(), p.destinationLo(),
                IpProtocol.ICMPV6, len);
        if (!Checksum.verify(buf, at, len, pseudo)) {
            ctx.counters().malformed(WireError.BAD_CHECKSUM);
            return;
        }
        int type = buf.get(at) & 0xff;
        if ((type == DEST_UNREACHABLE || type == PACKET_TOO_BIG) && p.destinationLocal()) {
            reportError(buf, at, len, type, buf.get(at + 1) & 0xff);
            return;
        }
        if (type != ECHO_REQUEST || !p.destinationLocal()) {
            ctx.counters().drop(DropReason.ICMP_IGNORED);
            return;
        }
        IpOutput out = ctx.output();
        if (len > out.maxTransportLength(true)) {
            ctx.counters().drop(DropReason.ICMP_IGNORED);
            return;
        }
        ByteBuffer tx = out.buffer();
        int o = IpOutput.V6_PAYLOAD;
        tx.put(o, buf, at, len);
        tx.put(o, (byte) ECHO_REPLY);
        // Swapping source and destination leaves the pseudo-header sum unchanged; only the type moved.
        int checksum = buf.getShort(at + 2) & 0xffff;
        int oldWord = buf.getShort(at) & 0xffff;
        int newWord = (ECHO_REPLY << 8) | (oldWord & 0xff);
        tx.putShort(o + 2, (short) Checksum.update16(checksum, oldWord, newWord));
        if (out.sendV6(p.destinationHi(), p.destinationLo(), p.sourceHi(), p.sourceLo(), IpProtocol.ICMPV6, len)) {
            ctx.counters().countEchoReply();
        }
    }

    /**
     * Destination unreachable (RFC 4443 §3.1; codes 1 and 4 are hard errors) or packet too big
     * (§3.2, RFC 8201) about a packet we sent, naming the flow by the quoted headers. Only a
     * quoted packet whose next header is the transport itself is understood.
     */
    private void reportError(ByteBuffer buf, int at, int len, int type, int code) {
        int inner = at + 8;
        if (len < 8 + 40 + 8 || (buf.get(inner) & 0xf0) != 0x60) {
            ctx.counters().drop(DropReason.ICMP_IGNORED);
            return;
        }
        int next = buf.get(inner + 6) & 0xff;
        long srcHi = buf.getLong(inner + 8);
        long srcLo = buf.getLong(inner + 16);
        ProtocolHandler handler = ctx.transport(next);
        if (handler == null || !ctx.addresses().isLocal6(srcHi, srcLo)) {
            ctx.counters().drop(DropReason.ICMP_IGNORED);
            return;
        }
        IcmpErrorReport.Kind kind = type == PACKET_TOO_BIG ? IcmpErrorReport.Kind.PACKET_TOO_BIG
                : code == 1 || code == 4 ? IcmpErrorReport.Kind.HARD_UNREACHABLE
                : IcmpErrorReport.Kind.SOFT_UNREACHABLE;
        int t = inner + 40;
        handler.onIcmpError(report.setV6(kind, srcHi, srcLo, buf.getLong(inner + 24), buf.getLong(inner + 32),
                buf.getShort(t) & 0xffff, buf.getShort(t + 2) & 0xffff, buf.getInt(t + 4), buf.getInt(at + 4)));
    }
}
