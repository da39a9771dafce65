package dev.tuncrypt.tcpstack.tcp;

/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012) of a fixed 40-byte message given as five
 * little-endian 64-bit words: the keyed hash behind {@link TupleHash}. Allocation-free and
 * stateless, so it is safe from any thread.
 */
final class SipHash {
    private static final int MESSAGE_WORDS = 5;
    private static final long LENGTH_WORD = (long) (8 * MESSAGE_WORDS) << 56;

    private SipHash() {}

    /** SipHash-2-4 with key (k0, k1) of the 40 bytes m0..m4 (each word little-endian). */
    static long hash24(long k0, long k1, long m0, long m1, long m2, long m3, long m4) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        // Words 0..4 are the message, word 5 the final block (length byte, no tail), word 6
        // the finalization: 2 compression rounds per block, 4 finalization rounds.
        for (int w = 0; w <= MESSAGE_WORDS + 1; w++) {
            long m = switch (w) {
                case 0 -> m0;
                case 1 -> m1;
                case 2 -> m2;
                case 3 -> m3;
                case 4 -> m4;
                default -> LENGTH_WORD;
            };
            boolean finalization = w > MESSAGE_WORDS;
            if (finalization) {
                v2 ^= 0xff;
            } else {
                v3 ^= m;
            }
            for (int round = finalization ? 4 : 2; round > 0; round--) {
                v0 += v1;
                v1 = Long.rotateLeft(v1, 13);
                v1 ^= v0;
                v0 = Long.rotateLeft(v0, 32);
                v2 += v3;
                v3 = Long.rotateLeft(v3, 16);
                v3 ^= v2;
                v0 += v3;
                v3 = Long.rotateLeft(v3, 21);
                v3 ^= v0;
                v2 += v1;
                v1 = Long.rotateLeft(v1, 17);
                v1 ^= v2;
                v2 = Long.rotateLeft(v2, 32);
            }
            if (!finalization) {
                v0 ^= m;
            }
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
