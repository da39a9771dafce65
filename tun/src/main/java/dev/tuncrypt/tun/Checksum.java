package dev.tuncrypt.tun;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The Internet checksum (RFC 1071) over buffer ranges, without allocating. */
final class Checksum {
    private Checksum() {}

    /**
     * Adds the bytes {@code [from, to)} of {@code buffer}, read as big-endian 16-bit words (an odd
     * last byte is padded with zero), to {@code initial}; absolute indices, the position is not
     * used. The result is unfolded: pass it on to another {@code sum} or to {@link #fold}.
     */
    static long sum(ByteBuffer buffer, int from, int to, long initial) {
        long sum = initial;
        boolean bigEndian = buffer.order() == ByteOrder.BIG_ENDIAN;
        int i = from;
        for (; i + 4 <= to; i += 4) {
            int word = buffer.getInt(i);
            sum += (bigEndian ? word : Integer.reverseBytes(word)) & 0xffffffffL;
        }
        if (i + 2 <= to) {
            sum += ((buffer.get(i) & 0xff) << 8) | (buffer.get(i + 1) & 0xff);
            i += 2;
        }
        if (i < to) {
            sum += (buffer.get(i) & 0xff) << 8;
        }
        return sum;
    }

    /** Folds a sum to 16 bits (one's complement addition of the carries). */
    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }
}
