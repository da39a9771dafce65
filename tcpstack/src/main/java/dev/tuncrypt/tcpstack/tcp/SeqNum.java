package dev.tuncrypt.tcpstack.tcp;

/**
 * 32-bit sequence number arithmetic (RFC 9293 §3.4, serial number arithmetic of RFC 1982).
 *
 * <p>Sequence numbers are held in Java {@code int}s and wrap modulo 2^32; {@code a} is "less
 * than" {@code b} when the signed difference {@code a - b} is negative, which is meaningful as
 * long as the two are less than 2^31 apart (always true inside a TCP window, at most 2^30).
 */
public final class SeqNum {
    private SeqNum() {}

    /** {@code a < b} in sequence space. */
    public static boolean lt(int a, int b) {
        return a - b < 0; // RFC 9293 §3.4: comparisons modulo 2^32
    }

    /** {@code a <= b} in sequence space. */
    public static boolean le(int a, int b) {
        return a - b <= 0;
    }

    /** {@code a > b} in sequence space. */
    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    /** {@code a >= b} in sequence space. */
    public static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    /** {@code seq + n} modulo 2^32. */
    public static int add(int seq, int n) {
        return seq + n;
    }

    /** Signed distance {@code a - b}: positive when {@code a} is after {@code b}. */
    public static int diff(int a, int b) {
        return a - b;
    }

    /**
     * Whether {@code start <= seq < start + len}, with {@code len} taken as unsigned (RFC 9293
     * §3.4: {@code RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND}). An empty window contains nothing.
     */
    public static boolean inWindow(int seq, int start, int len) {
        return Integer.compareUnsigned(seq - start, len) < 0;
    }

    /** The later of two sequence numbers. */
    public static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    /** The earlier of two sequence numbers. */
    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /** A wire value (unsigned 32 bits held in a {@code long}, as the wire layer reads it) as a sequence number. */
    public static int fromUnsigned(long wire) {
        return (int) wire;
    }

    /** A sequence number as the unsigned 32-bit value the wire layer writes. */
    public static long toUnsigned(int seq) {
        return Integer.toUnsignedLong(seq);
    }
}
