package dev.tuncrypt.tun;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** Hand-built IP/UDP packets for tests, with an Internet checksum written independently of main. */
final class Packets {
    static final int PROTO_ICMP = 1;
    static final int PROTO_UDP = 17;

    private Packets() {}

    /** An IPv4/UDP packet with correct header and UDP checksums, in a direct buffer. */
    static ByteBuffer udp4(InetAddress src, int srcPort, InetAddress dst, int dstPort, byte[] payload) {
        int udpLength = 8 + payload.length;
        ByteBuffer p = ByteBuffer.allocateDirect(20 + udpLength);
        p.put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpLength)).putShort((short) 0x1234)
                .putShort((short) 0x4000).put((byte) 64).put((byte) PROTO_UDP).putShort((short) 0)
                .put(src.getAddress()).put(dst.getAddress());
        p.putShort(10, (short) checksum(p, 0, 20, 0));
        p.putShort((short) srcPort).putShort((short) dstPort).putShort((short) udpLength).putShort((short) 0)
                .put(payload);
        long pseudo = sum(p, 12, 20) + PROTO_UDP + udpLength;
        int udpChecksum = checksum(p, 20, 20 + udpLength, pseudo);
        p.putShort(26, (short) (udpChecksum == 0 ? 0xffff : udpChecksum));
        return p.flip();
    }

    /** An IPv6/UDP packet with a correct UDP checksum, in a direct buffer. */
    static ByteBuffer udp6(InetAddress src, int srcPort, InetAddress dst, int dstPort, byte[] payload) {
        int udpLength = 8 + payload.length;
        ByteBuffer p = ByteBuffer.allocateDirect(40 + udpLength);
        p.putInt(0x60000000).putShort((short) udpLength).put((byte) PROTO_UDP).put((byte) 64)
                .put(src.getAddress()).put(dst.getAddress());
        p.putShort((short) srcPort).putShort((short) dstPort).putShort((short) udpLength).putShort((short) 0)
                .put(payload);
        long pseudo = sum(p, 8, 40) + PROTO_UDP + udpLength;
        int udpChecksum = checksum(p, 40, 40 + udpLength, pseudo);
        p.putShort(46, (short) (udpChecksum == 0 ? 0xffff : udpChecksum));
        return p.flip();
    }

    /** An IPv4 ICMP echo request with correct checksums, in a direct buffer. */
    static ByteBuffer echoRequest4(InetAddress src, InetAddress dst, int id, int sequence) {
        ByteBuffer p = ByteBuffer.allocateDirect(20 + 8 + 8);
        p.put((byte) 0x45).put((byte) 0).putShort((short) 36).putShort((short) sequence)
                .putShort((short) 0x4000).put((byte) 64).put((byte) PROTO_ICMP).putShort((short) 0)
                .put(src.getAddress()).put(dst.getAddress());
        p.putShort(10, (short) checksum(p, 0, 20, 0));
        p.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) sequence)
                .putLong(0x0123456789abcdefL);
        p.putShort(22, (short) checksum(p, 20, 36, 0));
        return p.flip();
    }

    static boolean isEchoReply4(ByteBuffer p) {
        return p.remaining() >= 28 && (p.get(0) & 0xf0) == 0x40 && p.get(9) == PROTO_ICMP
                && p.get((p.get(0) & 0x0f) * 4) == 0;
    }

    /** Whether the IPv4 packet's UDP checksum verifies (a sum of all ones). */
    static boolean udp4ChecksumValid(ByteBuffer p) {
        int ihl = (p.get(0) & 0x0f) * 4;
        int total = p.getShort(2) & 0xffff;
        long pseudo = sum(p, 12, 20) + PROTO_UDP + (total - ihl);
        return checksum(p, ihl, total, pseudo) == 0;
    }

    static boolean isIpv4Udp(ByteBuffer p) {
        return p.remaining() >= 28 && (p.get(0) & 0xf0) == 0x40 && p.get(9) == PROTO_UDP;
    }

    static byte[] ipv4Address(ByteBuffer p, int offset) {
        byte[] a = new byte[4];
        p.get(offset, a);
        return a;
    }

    static int udp4DstPort(ByteBuffer p) {
        return p.getShort((p.get(0) & 0x0f) * 4 + 2) & 0xffff;
    }

    static int udp4SrcPort(ByteBuffer p) {
        return p.getShort((p.get(0) & 0x0f) * 4) & 0xffff;
    }

    static byte[] udp4Payload(ByteBuffer p) {
        int ihl = (p.get(0) & 0x0f) * 4;
        byte[] payload = new byte[p.limit() - ihl - 8];
        p.get(ihl + 8, payload);
        return payload;
    }

    private static long sum(ByteBuffer p, int from, int to) {
        long sum = 0;
        for (int i = from; i < to; i += 2) {
            int hi = p.get(i) & 0xff;
            int lo = i + 1 < to ? p.get(i + 1) & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        return sum;
    }

    private static int checksum(ByteBuffer p, int from, int to, long initial) {
        long sum = initial + sum(p, from, to);
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
