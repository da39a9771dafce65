package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import dev.tuncrypt.tcpstack.wire.Ipv4View;
import dev.tuncrypt.tcpstack.wire.Ipv6View;
import dev.tuncrypt.tcpstack.wire.TcpView;
import dev.tuncrypt.tcpstack.wire.UdpView;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Hand-built packets for stack tests (heap buffers, allocation is fine here). */
public final class TestPackets {
    public static final int KERNEL4 = ip4("198.18.7.1");
    public static final int STACK4 = ip4("198.18.7.2");
    public static final long[] KERNEL6 = ip6("2001:2:0:7::1");
    public static final long[] STACK6 = ip6("2001:2:0:7::2");

    private TestPackets() {}

    public static int ip4(String literal) {
        return ByteBuffer.wrap(InetAddress.ofLiteral(literal).getAddress()).getInt();
    }

    public static long[] ip6(String literal) {
        ByteBuffer b = ByteBuffer.wrap(InetAddress.ofLiteral(literal).getAddress());
        return new long[] {b.getLong(), b.getLong()};
    }

    public static byte[] ipv4(int src, int dst, int protocol, int id, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        Ipv4View.writeHeader(b, 0, 20 + payload.length, id, 64, protocol, src, dst, false);
        b.put(20, payload);
        return b.array();
    }

    public static byte[] ipv6(long[] src, long[] dst, int nextHeader, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        Ipv6View.writeHeader(b, 0, payload.length, nextHeader, 64, src[0], src[1], dst[0], dst[1]);
        b.put(40, payload);
        return b.array();
    }

    public static byte[] icmpEcho(int type, int id, int seq, byte[] data, int pseudo) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put(0, (byte) type).putShort(4, (short) id).putShort(6, (short) seq).put(8, data);
        b.putShort(2, (short) Checksum.compute(b, 0, b.capacity(), pseudo));
        return b.array();
    }

    public static byte[] echoRequest4(int src, int dst, int id, int seq, byte[] data) {
        return ipv4(src, dst, IpProtocol.ICMP, 7, icmpEcho(8, id, seq, data, 0));
    }

    public static byte[] echoRequest6(long[] src, long[] dst, int id, int seq, byte[] data) {
        int pseudo = Checksum.pseudoHeaderIpv6(src[0], src[1], dst[0], dst[1], IpProtocol.ICMPV6, 8 + data.length);
        return ipv6(src, dst, IpProtocol.ICMPV6, icmpEcho(128, id, seq, data, pseudo));
    }

    public static byte[] tcpSegment(int sport, int dport, long seq, long ack, int flags, byte[] payload, int pseudo) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        TcpView.writeHeader(b, 0, sport, dport, seq, ack, 20, flags, 65535, 0);
        b.put(20, payload);
        TcpView.fillChecksum(b, 0, b.capacity(), pseudo);
        return b.array();
    }

    public static byte[] tcp4(int src, int dst, int sport, int dport, long seq, long ack, int flags, byte[] payload) {
        int pseudo = Checksum.pseudoHeaderIpv4(src, dst, IpProtocol.TCP, 20 + payload.length);
        return ipv4(src, dst, IpProtocol.TCP, 9, tcpSegment(sport, dport, seq, ack, flags, payload, pseudo));
    }

    public static byte[] tcp6(long[] src, long[] dst, int sport, int dport, long seq, long ack, int flags, byte[] payload) {
        int pseudo = Checksum.pseudoHeaderIpv6(src[0], src[1], dst[0], dst[1], IpProtocol.TCP, 20 + payload.length);
        return ipv6(src, dst, IpProtocol.TCP, tcpSegment(sport, dport, seq, ack, flags, payload, pseudo));
    }

    public static byte[] udp4(int src, int dst, int sport, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        UdpView.writeHeader(b, 0, sport, dport, 8 + payload.length);
        b.put(8, payload);
        UdpView.fillChecksum(b, 0, 8 + payload.length, Checksum.pseudoHeaderIpv4(src, dst, IpProtocol.UDP, 8 + payload.length));
        return ipv4(src, dst, IpProtocol.UDP, 11, b.array());
    }

    /** Splits an IPv4 packet (20-byte header) into fragments of {@code chunk} data bytes (a multiple of 8). */
    public static List<byte[]> fragment(byte[] packet, int chunk) {
        ByteBuffer p = ByteBuffer.wrap(packet);
        int payload = packet.length - 20;
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < payload; off += chunk) {
            int len = Math.min(chunk, payload - off);
            ByteBuffer f = ByteBuffer.allocate(20 + len);
            f.put(0, packet, 0, 20);
            f.put(20, packet, 20 + off, len);
            f.putShort(2, (short) (20 + len));
            f.putShort(6, (short) ((off + len < payload ? 0x2000 : 0) | (off >>> 3)));
            f.putShort(10, (short) 0);
            f.putShort(10, (short) Checksum.compute(f, 0, 20));
            out.add(f.array());
        }
        return out;
    }

    public static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
