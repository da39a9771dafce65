package dev.tuncrypt.tcpstack.tcp;

import dev.tuncrypt.tcpstack.wire.TcpOptions;
import dev.tuncrypt.tcpstack.wire.TcpView;
import java.nio.ByteBuffer;

/**
 * The facts of one arriving segment the connection logic needs, with RFC 9293 names
 * (SEG.SEQ, SEG.ACK, SEG.LEN, SEG.WND). One reused instance per loop; the payload stays in the
 * packet buffer.
 */
public final class InboundSegment {
    final TcpOptions options = new TcpOptions();
    ByteBuffer buffer;
    int seq;
    int ack;
    int flags;
    int window;
    int payloadOffset;
    int payloadLength;
    /** Payload bytes per segment when this is a super-packet from a link with offloads, else 0. */
    int gsoSize;
    int optionsOffset;
    int optionsLength;

    void load(TcpView tcp) {
        buffer = tcp.buffer();
        seq = (int) tcp.sequenceNumber();
        ack = (int) tcp.acknowledgmentNumber();
        flags = tcp.flags();
        window = tcp.window();
        payloadOffset = tcp.payloadOffset();
        payloadLength = tcp.payloadLength();
        optionsOffset = tcp.optionsOffset();
        optionsLength = tcp.optionsLength();
        gsoSize = 0;
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** SEG.LEN: payload plus one each for SYN and FIN (RFC 9293 §3.4). */
    int segLen() {
        return payloadLength + (has(TcpView.SYN) ? 1 : 0) + (has(TcpView.FIN) ? 1 : 0);
    }

    public TcpOptions options() {
        return options;
    }
}
