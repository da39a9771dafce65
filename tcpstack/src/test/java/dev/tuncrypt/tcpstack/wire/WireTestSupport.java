package dev.tuncrypt.tcpstack.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/** Helpers shared by the wire tests. */
final class WireTestSupport {
    private WireTestSupport() {}

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s+", ""));
    }

    /** A heap buffer holding exactly {@code bytes}. */
    static ByteBuffer buf(byte[] bytes) {
        return ByteBuffer.wrap(bytes.clone());
    }

    static ByteBuffer buf(String hex) {
        return ByteBuffer.wrap(hex(hex));
    }

    /**
     * {@code bytes} copied to index {@code at} of a fresh buffer (heap or direct, either byte
     * order) that has {@code slack} more bytes of junk after them.
     */
    static ByteBuffer placed(byte[] bytes, int at, int slack, boolean direct, boolean littleEndian) {
        int cap = at + bytes.length + slack;
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(cap) : ByteBuffer.allocate(cap);
        for (int i = 0; i < cap; i++) {
            b.put(i, (byte) (0xA5 ^ i));
        }
        b.put(at, bytes);
        if (littleEndian) {
            b.order(ByteOrder.LITTLE_ENDIAN);
        }
        return b;
    }

    /** RFC 1071 the slow way: one 16-bit word at a time, folding at the end. */
    static int naiveSum(byte[] data, int off, int len) {
        long s = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            s += ((data[off + i] & 0xFF) << 8) | (data[off + i + 1] & 0xFF);
        }
        if (i < len) {
            s += (data[off + i] & 0xFF) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    static int naiveChecksum(byte[] data, int off, int len, int initial) {
        long s = naiveSum(data, off, len) + (long) initial;
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) (~s & 0xFFFF);
    }

    static byte[] bytes(ByteBuffer b, int off, int len) {
        byte[] out = new byte[len];
        b.get(off, out);
        return out;
    }

    static int ipv4(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }
}
