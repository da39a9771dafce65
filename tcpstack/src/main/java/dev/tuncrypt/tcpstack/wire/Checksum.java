package dev.tuncrypt.tcpstack.wire;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The Internet checksum (RFC 1071): the 16-bit ones'-complement of the ones'-complement sum of
 * the data taken as big-endian 16-bit words.
 *
 * <p>A <em>sum</em> here is a ones'-complement sum folded to 16 bits and <em>not</em>
 * complemented (0..0xFFFF); a <em>checksum</em> is the complement of a sum, the value stored in
 * a header. Sums of ranges combine with {@link #add} as long as every range but the last has an
 * even length (each range is summed as if it started on a word boundary). Pseudo-header sums
 * from {@link #pseudoHeaderIpv4}/{@link #pseudoHeaderIpv6} are passed as {@code initialSum}.
 *
 * <p>The buffer's byte order does not matter: words are always read big-endian. Nothing here
 * allocates.
 */
public final class Checksum {
    private Checksum() {}

    /** Ones'-complement sum of {@code [offset, offset+length)}, folded to 16 bits. */
    public static int sum(ByteBuffer buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.limit());
        return fold(accumulate(buf, offset, length));
    }

    /** Ones'-complement addition of two sums (each 0..0xFFFF, or any non-negative int). */
    public static int add(int sumA, int sumB) {
        return fold(Integer.toUnsignedLong(sumA) + Integer.toUnsignedLong(sumB));
    }

    /**
     * The checksum to store for {@code [offset, offset+length)} (whose checksum field must be
     * zero) on top of {@code initialSum} (a pseudo-header sum, or 0).
     */
    public static int compute(ByteBuffer buf, int offset, int length, int initialSum) {
        Objects.checkFromIndexSize(offset, length, buf.limit());
        // RFC 1071 §1 (3): the checksum is the ones'-complement of the sum.
        return ~fold(accumulate(buf, offset, length) + Integer.toUnsignedLong(initialSum)) & 0xFFFF;
    }

    /** {@link #compute(ByteBuffer, int, int, int)} without a pseudo-header. */
    public static int compute(ByteBuffer buf, int offset, int length) {
        return compute(buf, offset, length, 0);
    }

    /** Whether {@code [offset, offset+length)}, checksum field included, verifies on top of {@code initialSum}. */
    public static boolean verify(ByteBuffer buf, int offset, int length, int initialSum) {
        Objects.checkFromIndexSize(offset, length, buf.limit());
        // RFC 1071 §1 (4): to check, sum everything including the checksum; the result is all ones.
        return fold(accumulate(buf, offset, length) + Integer.toUnsignedLong(initialSum)) == 0xFFFF;
    }

    /** {@link #verify(ByteBuffer, int, int, int)} without a pseudo-header. */
    public static boolean verify(ByteBuffer buf, int offset, int length) {
        return verify(buf, offset, length, 0);
    }

    /**
     * Sum of the IPv4 pseudo-header (RFC 9293 §3.1 "Checksum"; RFC 768 for UDP): source,
     * destination, zero, protocol, and the transport length.
     */
    public static int pseudoHeaderIpv4(int source, int destination, int protocol, int length) {
        long acc = (source >>> 16) + (source & 0xFFFF)
                + (destination >>> 16) + (destination & 0xFFFF)
                + (protocol & 0xFF)
                + (length & 0xFFFF);
        return fold(acc);
    }

    /**
     * Sum of the IPv6 pseudo-header (RFC 8200 §8.1): source, (final) destination, 32-bit
     * upper-layer packet length, three zero bytes, next header (the upper-layer protocol).
     */
    public static int pseudoHeaderIpv6(long sourceHi, long sourceLo, long destinationHi, long destinationLo,
                                       int nextHeader, int length) {
        long acc = halves(sourceHi) + halves(sourceLo) + halves(destinationHi) + halves(destinationLo)
                + Integer.toUnsignedLong(length >>> 16) + (length & 0xFFFF)
                + (nextHeader & 0xFF);
        return fold(acc);
    }

    /**
     * Incremental update after one 16-bit word of the covered data changed from {@code oldValue}
     * to {@code newValue}: RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m').
     */
    public static int update16(int checksum, int oldValue, int newValue) {
        long acc = (~checksum & 0xFFFF) + (~oldValue & 0xFFFF) + (newValue & 0xFFFF);
        return ~fold(acc) & 0xFFFF;
    }

    /**
     * Incremental update after an aligned 32-bit field (two words: an address, a sequence
     * number) changed: RFC 1624 eqn. 3 applied to both words at once.
     */
    public static int update32(int checksum, int oldValue, int newValue) {
        long acc = (~checksum & 0xFFFF)
                + ((~oldValue >>> 16) & 0xFFFF) + (~oldValue & 0xFFFF)
                + (newValue >>> 16) + (newValue & 0xFFFF);
        return ~fold(acc) & 0xFFFF;
    }

    /** Unfolded 64-bit accumulation; bounds are the caller's job. */
    static long accumulate(ByteBuffer buf, int offset, int length) {
        long acc = 0;
        int i = offset;
        int end = offset + length;
        // RFC 1071 §2(B),(C): add 32-bit halves of 64-bit words and defer the carries, which
        // gather in the top bits of acc (2^28 words at most, far from overflow) until fold().
        // The order of the words does not matter (§2(A)), and 2^32 = 2^16 = 1 (mod 0xFFFF).
        for (int last = end - 8; i <= last; i += 8) {
            long w = BigEndian.i64(buf, i);
            acc += (w >>> 32) + (w & 0xFFFF_FFFFL);
        }
        if (end - i >= 4) {
            acc += BigEndian.u32(buf, i);
            i += 4;
        }
        if (end - i >= 2) {
            acc += BigEndian.u16(buf, i);
            i += 2;
        }
        if (i < end) {
            // RFC 1071 §1 (2): an odd count is padded on the right with a zero byte.
            acc += (buf.get(i) & 0xFF) << 8;
        }
        return acc;
    }

    /** Folds a non-negative accumulator to 16 bits with end-around carry (0 only for 0). */
    static int fold(long acc) {
        long s = (acc & 0xFFFF) + ((acc >>> 16) & 0xFFFF) + ((acc >>> 32) & 0xFFFF) + (acc >>> 48);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int) s;
    }

    private static long halves(long w) {
        return (w >>> 32) + (w & 0xFFFF_FFFFL);
    }
}
