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
 * ICMP for IPv4 (RFC 792): answers echo requests to the stack's addresses (RFC 1122 §3.2.2.6)
 * and counts everything else. Error messages about connections are passed to a listener.
 */
public final class IcmpV4Handler implements ProtocolHandler {
    static final int ECHO_REPLY = 0;
    static final int ECHO_REQUEST = 8;

    static final int DEST_UNREACHABLE = 3;
    static final int FRAGMENTATION_NEEDED = 4;

    private final LoopContext ctx;
    private final IcmpErrorReport report = new IcmpErrorReport();

    public IcmpV4Handler(LoopContext ctx) {
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
        if (!Checksum.verify(buf, at, len)) {
            ctx.counters().malformed(WireError.BAD_CHECKSUM);
            return;
        }
        int type = buf.get(at) & 0xff;
        if (type == DEST_UNREACHABLE && p.destinationLocal()) {
            reportError(buf, at, len, buf.get(at + 1) & 0xff);
            return;
        }
        if (type != ECHO_REQUEST || !p.destinationLocal()) {
            ctx.counters().drop(DropReason.ICMP_IGNORED);
            return;
        }
        IpOutput out = ctx.output();
        ByteBuffer tx = out.buffer();
        int o = IpOutput.V4_PAYLOAD;
        // RFC 792 echo reply: same identifier, sequence and data; type 0; checksum adjusted for
        // the type change alone (RFC 1624 eqn. 3) instead of summing the data again.
        tx.put(o, buf, at, len);
        tx.put(o, (byte) ECHO_REPLY);
        int checksum = buf.getShort(at + 2) & 0xffff;
        int oldWord = buf.getShort(at) & 0xffff;
        int newWord = (ECHO_REPLY << 8) | (oldWord & 0xff);
        tx.putShort(o + 2, (short) Checksum.update16(checksum, oldWord, newWord));
        if (out.sendV4(p.destination4(), p.source4(), IpProtocol.ICMP, len)) {
            ctx.counters().countEchoReply();
        }
    }

    /**
     * Destination unreachable about a packet we sent (RFC 792): the quoted IP header and the
     * first 8 transport bytes name the flow. Port/protocol unreachable are hard errors, code 4
     * carries the next-hop MTU (RFC 1191 §4); the rest are soft (RFC 1122 §4.2.3.9).
     */
    private void reportError(ByteBuffer buf, int at, int len, int code) {
        int inner = at + 8;
        if (len < 8 + 20 || (buf.get(inner) & 0xf0) != 0x40) {
            ctx.counters().malformed(WireError.TRUNCATED);
            return;
        }
        int ihl = (buf.get(inner) & 0x0f) * 4;
        int protocol = buf.get(inner + 9) & 0xff;
        int source = buf.getInt(inner + 12);
        ProtocolHandler handler = ctx.transport(protocol);
        if (ihl < 20 || len < 8 + ihl + 8 || handler == null || !ctx.addresses().isLocal4(source)) {
            ctx.counters().drop(DropReason.ICMP_IGNORED);
            return;
        }
        IcmpErrorReport.Kind kind = code == 2 || code == 3 ? IcmpErrorReport.Kind.HARD_UNREACHABLE
                : code == FRAGMENTATION_NEEDED ? IcmpErrorReport.Kind.PACKET_TOO_BIG
                : IcmpErrorReport.Kind.SOFT_UNREACHABLE;
        int t = inner + ihl;
        handler.onIcmpError(report.setV4(kind, source, buf.getInt(inner + 16), buf.getShort(t) & 0xffff,
                buf.getShort(t + 2) & 0xffff, buf.getInt(t + 4), buf.getShort(at + 6) & 0xffff));
    }
}
