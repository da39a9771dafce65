package dev.tuncrypt.routing;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** Builds and reads TCP segments (IPv4, IPv6) for the namespace tests. */
final class Segments {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int ACK = 0x10;

    private Segments() {}

    static ByteBuffer tcp4(InetAddress src, int sport, InetAddress dst, int dport, int flags, long seq, long ack, byte[] options) {
        int tcpLen = 20 + options.length;
        byte[] p = new byte[20 + tcpLen];
        p[0] = 0x45;
        put16(p, 2, p.length);
        p[8] = 64;
        p[9] = 6;
        System.arraycopy(src.getAddress(), 0, p, 12, 4);
        System.arraycopy(dst.getAddress(), 0, p, 16, 4);
        put16(p, 10, checksum(p, 0, 20, 0));
        put16(p, 20, sport);
        put16(p, 22, dport);
        put32(p, 24, seq);
        put32(p, 28, ack);
        p[32] = (byte) ((tcpLen / 4) << 4);
        p[33] = (byte) flags;
        put16(p, 34, 65535);
        System.arraycopy(options, 0, p, 40, options.length);
        long pseudo = 0;
        for (int i = 12; i < 20; i += 2) {
            pseudo += ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
        }
        pseudo += 6 + tcpLen;
        put16(p, 36, checksum(p, 20, tcpLen, pseudo));
        return ByteBuffer.wrap(p);
    }

    /** An IPv6 TCP segment without options. */
    static ByteBuffer tcp6(InetAddress src, int sport, InetAddress dst, int dport, int flags, long seq, long ack) {
        byte[] p = new byte[40 + 20];
        p[0] = 0x60;
        put16(p, 4, 20);
        p[6] = 6;
        p[7] = 64;
        System.arraycopy(src.getAddress(), 0, p, 8, 16);
        System.arraycopy(dst.getAddress(), 0, p, 24, 16);
        put16(p, 40, sport);
        put16(p, 42, dport);
        put32(p, 44, seq);
        put32(p, 48, ack);
        p[52] = (byte) (5 << 4);
        p[53] = (byte) flags;
        put16(p, 54, 65535);
        long pseudo = 0;
        for (int i = 8; i < 40; i += 2) {
            pseudo += ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
        }
        pseudo += 6 + 20;
        put16(p, 56, checksum(p, 40, 20, pseudo));
        return ByteBuffer.wrap(p);
    }

    private static int checksum(byte[] p, int off, int len, long initial) {
        long sum = initial;
        for (int i = 0; i < len; i += 2) {
            sum += ((p[off + i] & 0xff) << 8) | (i + 1 < len ? p[off + i + 1] & 0xff : 0);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static void put16(byte[] p, int at, int v) {
        p[at] = (byte) (v >>> 8);
        p[at + 1] = (byte) v;
    }

    private static void put32(byte[] p, int at, long v) {
        put16(p, at, (int) (v >>> 16));
        put16(p, at + 2, (int) v);
    }

    /** A parsed IPv4 TCP segment: addresses, ports, flags, sequence numbers, raw options. */
    record Seen(InetAddress src, int sport, InetAddress dst, int dport, int flags, long seq, long ack, byte[] options) {
        boolean has(int flag) {
            return (flags & flag) != 0;
        }

        /** Whether a TCP option of this kind is present. */
        boolean hasOption(int kind) {
            for (int i = 0; i < options.length; ) {
                int k = options[i] & 0xff;
                if (k == 0) {
                    return false;
                }
                if (k == 1) {
                    i++;
                    continue;
                }
                if (k == kind) {
                    return true;
                }
                if (i + 1 >= options.length || (options[i + 1] & 0xff) < 2) {
                    return false;
                }
                i += options[i + 1] & 0xff;
            }
            return false;
        }
    }

    /** The segment, or null if the packet is not TCP over IPv4 or IPv6 (without extension headers). */
    static Seen parse(ByteBuffer b) {
        ByteBuffer p = b.duplicate();
        int base = p.position();
        int version = p.remaining() < 1 ? 0 : (p.get(base) & 0xff) >> 4;
        int t;
        byte[] s;
        byte[] d;
        if (version == 4 && p.remaining() >= 40 && p.get(base + 9) == 6) {
            t = base + (p.get(base) & 0x0f) * 4;
            s = new byte[4];
            d = new byte[4];
            p.get(base + 12, s);
            p.get(base + 16, d);
        } else if (version == 6 && p.remaining() >= 60 && p.get(base + 6) == 6) {
            t = base + 40;
            s = new byte[16];
            d = new byte[16];
            p.get(base + 8, s);
            p.get(base + 24, d);
        } else {
            return null;
        }
        int doff = ((p.get(t + 12) & 0xff) >> 4) * 4;
        byte[] opts = new byte[Math.max(0, doff - 20)];
        p.get(t + 20, opts);
        try {
            return new Seen(InetAddress.getByAddress(s), p.getShort(t) & 0xffff, InetAddress.getByAddress(d),
                    p.getShort(t + 2) & 0xffff, p.get(t + 13) & 0xff, p.getInt(t + 4) & 0xffffffffL,
                    p.getInt(t + 8) & 0xffffffffL, opts);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
