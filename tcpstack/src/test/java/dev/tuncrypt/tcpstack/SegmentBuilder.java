package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import dev.tuncrypt.tcpstack.wire.TcpOptionsWriter;
import dev.tuncrypt.tcpstack.wire.TcpView;
import java.nio.ByteBuffer;

/** A small fluent builder of IPv4 TCP segments for tests. */
public final class SegmentBuilder {
    private final int src;
    private final int dst;
    private final int sport;
    private final int dport;
    private long seq;
    private long ack;
    private int flags = TcpView.ACK;
    private int window = 65535;
    private int mss = -1;
    private byte[] payload = new byte[0];
    private byte[] rawOptions = new byte[0];

    private SegmentBuilder(int src, int dst, int sport, int dport) {
        this.src = src;
        this.dst = dst;
        this.sport = sport;
        this.dport = dport;
    }

    public static SegmentBuilder v4(int src, int dst, int sport, int dport) {
        return new SegmentBuilder(src, dst, sport, dport);
    }

    public SegmentBuilder seq(long v) {
        seq = v & 0xffffffffL;
        return this;
    }

    public SegmentBuilder ack(long v) {
        ack = v & 0xffffffffL;
        return this;
    }

    public SegmentBuilder flags(int v) {
        flags = v;
        return this;
    }

    public SegmentBuilder window(int v) {
        window = v;
        return this;
    }

    public SegmentBuilder mss(int v) {
        mss = v;
        return this;
    }

    /** Extra option bytes after MSS (padded to a multiple of 4 with EOL). */
    public SegmentBuilder options(byte[] v) {
        rawOptions = v;
        return this;
    }

    public SegmentBuilder payload(byte[] v) {
        payload = v;
        return this;
    }

    public byte[] build() {
        int optLen = ((mss > 0 ? 4 : 0) + rawOptions.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(20 + optLen + payload.length);
        TcpView.writeHeader(b, 0, sport, dport, seq, ack, 20 + optLen, flags, window, 0);
        int p = 20;
        if (mss > 0) {
            p = TcpOptionsWriter.mss(b, p, mss);
        }
        b.put(p, rawOptions);
        b.put(20 + optLen, payload);
        int len = b.capacity();
        TcpView.fillChecksum(b, 0, len, Checksum.pseudoHeaderIpv4(src, dst, IpProtocol.TCP, len));
        return TestPackets.ipv4(src, dst, IpProtocol.TCP, 1, b.array());
    }
}
