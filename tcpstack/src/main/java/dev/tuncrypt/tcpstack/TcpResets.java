package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tcpstack.ip.IpOutput;
import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import dev.tuncrypt.tcpstack.wire.TcpView;
import java.nio.ByteBuffer;

/**
 * Builds the reset that answers a segment for which no connection exists (RFC 9293 §3.10.7.1,
 * "If the state is CLOSED").
 */
public final class TcpResets {
    private TcpResets() {}

    /**
     * Answers {@code seg} (which arrived in {@code p}) with a reset, unless it is itself a reset.
     *
     * @return whether a reset was sent
     */
    public static boolean replyToUnmatched(LoopContext ctx, InboundPacket p, TcpView seg) {
        int flags = seg.flags();
        if ((flags & TcpView.RST) != 0) {
            return false; // "An incoming segment containing a RST is discarded."
        }
        long seq;
        long ack;
        int ctl;
        if ((flags & TcpView.ACK) == 0) {
            // "If the ACK bit is off, sequence number zero is used,
            //  <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>"
            long segLen = seg.payloadLength() + ((flags & TcpView.SYN) != 0 ? 1 : 0) + ((flags & TcpView.FIN) != 0 ? 1 : 0);
            seq = 0;
            ack = (seg.sequenceNumber() + segLen) & 0xffffffffL;
            ctl = TcpView.RST | TcpView.ACK;
        } else {
            // "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>"
            seq = seg.acknowledgmentNumber();
            ack = 0;
            ctl = TcpView.RST;
        }
        IpOutput out = ctx.output();
        ByteBuffer tx = out.buffer();
        int at = p.isV6() ? IpOutput.V6_PAYLOAD : IpOutput.V4_PAYLOAD;
        TcpView.writeHeader(tx, at, seg.destinationPort(), seg.sourcePort(), seq, ack, 20, ctl, 0, 0);
        int pseudo = p.isV6()
                ? Checksum.pseudoHeaderIpv6(p.destinationHi(), p.destinationLo(), p.sourceHi(), p.sourceLo(), IpProtocol.TCP, 20)
                : Checksum.pseudoHeaderIpv4(p.destination4(), p.source4(), IpProtocol.TCP, 20);
        TcpView.fillChecksum(tx, at, 20, pseudo);
        boolean sent = p.isV6()
                ? out.sendV6(p.destinationHi(), p.destinationLo(), p.sourceHi(), p.sourceLo(), IpProtocol.TCP, 20)
                : out.sendV4(p.destination4(), p.source4(), IpProtocol.TCP, 20);
        if (sent) {
            ctx.counters().countReset();
        }
        return sent;
    }
}
