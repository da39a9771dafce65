package dev.tuncrypt.tcpstack.tcp;

import dev.tuncrypt.tcpstack.wire.TcpView;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-segment tracing (the daemon's {@code -vv}): one TRACE line per TCP segment a connection
 * receives or sends, as tcpdump shows it: flags, sequence and acknowledgment numbers, window and
 * payload length. Never the payload (it may be plaintext before protection or key material in
 * a handshake). Costs one level check per segment when off.
 */
final class SegmentTrace {
    static final Logger LOG = LoggerFactory.getLogger("dev.tuncrypt.tcpstack.segments");

    private SegmentTrace() {}

    static boolean on() {
        return LOG.isTraceEnabled();
    }

    /** A segment arrived for {@code c}. */
    static void in(TcpConnection c, InboundSegment seg) {
        LOG.trace("in  {} {} [{}] seq {} ack {} win {} len {}{}", c.key, c.state, flags(seg.flags),
                Integer.toUnsignedString(seg.seq), Integer.toUnsignedString(seg.ack), seg.window, seg.payloadLength,
                seg.gsoSize > 0 ? " gso " + seg.gsoSize : "");
    }

    /** {@code c} sends the segment at {@code at} in {@code tx}, {@code length} bytes with header. */
    static void out(TcpConnection c, ByteBuffer tx, int at, int length, int gsoSize) {
        int header = (tx.get(at + 12) & 0xf0) >>> 2;
        LOG.trace("out {} {} [{}] seq {} ack {} win {} len {}{}", c.key, c.state, flags(tx.get(at + 13) & 0xff),
                Integer.toUnsignedString(tx.getInt(at + 4)), Integer.toUnsignedString(tx.getInt(at + 8)),
                tx.getShort(at + 14) & 0xffff, length - header, gsoSize > 0 ? " gso " + gsoSize : "");
    }

    /** tcpdump's letters: S F R P . (ACK) E (ECE) W (CWR) U. */
    static String flags(int f) {
        StringBuilder b = new StringBuilder(4);
        if ((f & TcpView.SYN) != 0) {
            b.append('S');
        }
        if ((f & TcpView.FIN) != 0) {
            b.append('F');
        }
        if ((f & TcpView.RST) != 0) {
            b.append('R');
        }
        if ((f & TcpView.PSH) != 0) {
            b.append('P');
        }
        if ((f & TcpView.ACK) != 0) {
            b.append('.');
        }
        return b.length() == 0 ? "none" : b.toString();
    }
}
