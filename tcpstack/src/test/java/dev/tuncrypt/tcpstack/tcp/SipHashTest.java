package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class SipHashTest {
    private static final long K0 = 0x0706050403020100L; // key bytes 00 01 .. 0f
    private static final long K1 = 0x0f0e0d0c0b0a0908L;

    /** SipHash-2-4 of any byte string, written from the paper as an independent reference. */
    private static long reference(long k0, long k1, byte[] message) {
        long[] v = {k0 ^ 0x736f6d6570736575L, k1 ^ 0x646f72616e646f6dL, k0 ^ 0x6c7967656e657261L, k1 ^ 0x7465646279746573L};
        ByteBuffer in = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        while (in.remaining() >= 8) {
            long m = in.getLong();
            v[3] ^= m;
            rounds(v, 2);
            v[0] ^= m;
        }
        long last = (long) message.length << 56;
        for (int i = 0; in.hasRemaining(); i++) {
            last |= (in.get() & 0xffL) << (8 * i);
        }
        v[3] ^= last;
        rounds(v, 2);
        v[0] ^= last;
        v[2] ^= 0xff;
        rounds(v, 4);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void rounds(long[] v, int n) {
        for (int i = 0; i < n; i++) {
            v[0] += v[1]; v[1] = Long.rotateLeft(v[1], 13); v[1] ^= v[0]; v[0] = Long.rotateLeft(v[0], 32);
            v[2] += v[3]; v[3] = Long.rotateLeft(v[3], 16); v[3] ^= v[2];
            v[0] += v[3]; v[3] = Long.rotateLeft(v[3], 21); v[3] ^= v[0];
            v[2] += v[1]; v[1] = Long.rotateLeft(v[1], 17); v[1] ^= v[2]; v[2] = Long.rotateLeft(v[2], 32);
        }
    }

    private static byte[] counting(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void referenceMatchesThePaperVectors() {
        assertEquals(0x726fdb47dd0e0e31L, reference(K0, K1, counting(0)));
        assertEquals(0x74f839c593dc67fdL, reference(K0, K1, counting(1)));
        assertEquals(0x93f5f5799a932462L, reference(K0, K1, counting(8)));
        assertEquals(0xa129ca6149be45e5L, reference(K0, K1, counting(15)));
    }

    @Property
    void fiveWordHashEqualsSipHashOfTheFortyBytes(@ForAll long k0, @ForAll long k1, @ForAll long m0, @ForAll long m1,
                                                  @ForAll long m2, @ForAll long m3, @ForAll long m4) {
        byte[] message = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(m0).putLong(m1).putLong(m2).putLong(m3).putLong(m4).array();
        assertEquals(reference(k0, k1, message), SipHash.hash24(k0, k1, m0, m1, m2, m3, m4));
    }

    @Test
    void countingMessageOfFortyBytes() {
        ByteBuffer words = ByteBuffer.wrap(counting(40)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(reference(K0, K1, counting(40)),
                SipHash.hash24(K0, K1, words.getLong(), words.getLong(), words.getLong(), words.getLong(), words.getLong()));
    }
}
