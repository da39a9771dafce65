package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.WireTestSupport.naiveChecksum;
import static dev.tuncrypt.tcpstack.wire.WireTestSupport.naiveSum;
import static dev.tuncrypt.tcpstack.wire.WireTestSupport.placed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** {@link Checksum} against a word-at-a-time implementation, and RFC 1624 against recomputation. */
class ChecksumTest {

    @Provide
    Arbitrary<byte[]> data() {
        // Mostly short (every tail shape: 0..7 leftover bytes after the 8-byte loop), some long.
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(3000),
                Arbitraries.just((byte) 0xFF).array(byte[].class).ofMaxSize(2000));
    }

    @Property(tries = 2000)
    void sumEqualsNaive(@ForAll("data") byte[] data, @ForAll @IntRange(max = 9) int at,
                        @ForAll @IntRange(max = 1000) int cut, @ForAll boolean direct, @ForAll boolean littleEndian) {
        int len = Math.max(0, data.length - Math.min(cut, data.length));
        ByteBuffer b = placed(data, at, 5, direct, littleEndian);
        assertEquals(naiveSum(data, 0, len), Checksum.sum(b, at, len));
    }

    @Property(tries = 1000)
    void computeEqualsNaiveAndVerifies(@ForAll("data") byte[] data, @ForAll @IntRange(max = 7) int at,
                                       @ForAll @IntRange(max = 0xFFFF) int initial, @ForAll boolean direct) {
        ByteBuffer b = placed(data, at, 0, direct, false);
        int c = Checksum.compute(b, at, data.length, initial);
        assertEquals(naiveChecksum(data, 0, data.length, initial), c);
        // Appending the checksum at an even position makes the whole verify (RFC 1071 §1 (4)).
        if (data.length % 2 == 0) {
            ByteBuffer withSum = placed(data, at, 2, direct, false);
            BigEndian.put16(withSum, at + data.length, c);
            assertTrue(Checksum.verify(withSum, at, data.length + 2, initial));
            BigEndian.put16(withSum, at + data.length, c ^ 0x0100);
            assertFalse(Checksum.verify(withSum, at, data.length + 2, initial));
        }
    }

    @Property
    void sumsOfEvenPiecesAdd(@ForAll @Size(max = 600) byte[] data, @ForAll @IntRange(max = 300) int half) {
        int split = Math.min(2 * half, data.length & ~1);
        ByteBuffer b = ByteBuffer.wrap(data);
        int whole = Checksum.sum(b, 0, data.length);
        int pieces = Checksum.add(Checksum.sum(b, 0, split), Checksum.sum(b, split, data.length - split));
        assertEquals(whole, pieces);
    }

    @Property
    void ipv4PseudoHeaderEqualsNaive(@ForAll int src, @ForAll int dst, @ForAll @IntRange(max = 255) int proto,
                                     @ForAll @IntRange(max = 0xFFFF) int length) {
        ByteBuffer p = ByteBuffer.allocate(12);
        p.putInt(src).putInt(dst).put((byte) 0).put((byte) proto).putShort((short) length);
        assertEquals(naiveSum(p.array(), 0, 12), Checksum.pseudoHeaderIpv4(src, dst, proto, length));
    }

    @Property
    void ipv6PseudoHeaderEqualsNaive(@ForAll long sHi, @ForAll long sLo, @ForAll long dHi, @ForAll long dLo,
                                     @ForAll @IntRange(max = 255) int nh, @ForAll @IntRange(max = 0xFFFF) int length) {
        ByteBuffer p = ByteBuffer.allocate(40);
        p.putLong(sHi).putLong(sLo).putLong(dHi).putLong(dLo).putInt(length).put(new byte[3]).put((byte) nh);
        assertEquals(naiveSum(p.array(), 0, 40), Checksum.pseudoHeaderIpv6(sHi, sLo, dHi, dLo, nh, length));
    }

    /** RFC 1624 eqn. 3 on a random word of random data equals computing the checksum again. */
    @Property(tries = 2000)
    void update16EqualsRecompute(@ForAll @Size(min = 4, max = 80) byte[] raw, @ForAll @IntRange(max = 39) int csWord,
                                 @ForAll @IntRange(max = 39) int word, @ForAll @IntRange(max = 0xFFFF) int newValue) {
        byte[] data = Arrays.copyOf(raw, raw.length + (raw.length & 1));
        int words = data.length / 2;
        int c = csWord % words;
        int w = word % words;
        Assume.that(c != w);
        ByteBuffer b = ByteBuffer.wrap(data);
        BigEndian.put16(b, 2 * c, 0); // the checksum field is zero while computing
        int oldValue = BigEndian.u16(b, 2 * w);
        int hc = Checksum.compute(b, 0, data.length);
        BigEndian.put16(b, 2 * w, newValue);
        // Eqn. 3 matches full recomputation unless the data ends up all zero (then the full
        // computation yields 0xFFFF and eqn. 3 the other zero, 0x0000; RFC 1624 §3, §5).
        Assume.that(Checksum.sum(b, 0, data.length) != 0);
        int expected = Checksum.compute(b, 0, data.length);
        assertEquals(expected, Checksum.update16(hc, oldValue, newValue));
    }

    @Property(tries = 2000)
    void update32EqualsRecompute(@ForAll @Size(min = 4, max = 20) int[] raw, @ForAll @IntRange(max = 19) int csIndex,
                                 @ForAll @IntRange(max = 19) int index, @ForAll int newValue) {
        int n = raw.length;
        int c = csIndex % n;
        int w = index % n;
        Assume.that(c != w);
        ByteBuffer b = ByteBuffer.allocate(4 * n);
        for (int v : raw) {
            b.putInt(v);
        }
        BigEndian.put32(b, 4 * c, 0); // checksum word (and a zero word beside it)
        int oldValue = BigEndian.i32(b, 4 * w);
        int hc = Checksum.compute(b, 0, 4 * n);
        BigEndian.put32(b, 4 * w, newValue);
        Assume.that(Checksum.sum(b, 0, 4 * n) != 0);
        assertEquals(Checksum.compute(b, 0, 4 * n), Checksum.update32(hc, oldValue, newValue));
    }

    /** The IPv4 use: decrement TTL (the TTL/protocol word) and rewrite an address in place. */
    @Property
    void incrementalIpv4HeaderEdits(@ForAll int src, @ForAll int dst, @ForAll @IntRange(min = 1, max = 255) int ttl,
                                    @ForAll @IntRange(max = 255) int proto, @ForAll int newDst) {
        ByteBuffer b = ByteBuffer.allocate(20);
        Ipv4View.writeHeader(b, 0, 20, 7, ttl, proto, src, dst, true);
        int hc = BigEndian.u16(b, 10);
        int oldWord = BigEndian.u16(b, 8);
        int newWord = oldWord - 0x100;
        int hc2 = Checksum.update16(hc, oldWord, newWord);
        int hc3 = Checksum.update32(hc2, dst, newDst);
        Ipv4View.writeHeader(b, 0, 20, 7, ttl - 1, proto, src, newDst, true);
        assertEquals(BigEndian.u16(b, 10), hc3);
        assertTrue(Checksum.verify(b, 0, 20));
    }

    /** The TCP use: a sequence number rewritten under a pseudo-header-covered checksum. */
    @Property
    void incrementalTcpSequenceRewrite(@ForAll @Size(max = 50) byte[] payload, @ForAll int seq, @ForAll int newSeq,
                                       @ForAll int src, @ForAll int dst) {
        int len = 20 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(len);
        TcpView.writeHeader(b, 0, 1000, 2000, Integer.toUnsignedLong(seq), 0, 20, TcpView.ACK, 100, 0);
        b.put(20, payload);
        int ph = Checksum.pseudoHeaderIpv4(src, dst, 6, len);
        int hc = TcpView.fillChecksum(b, 0, len, ph);
        int updated = Checksum.update32(hc, seq, newSeq);
        BigEndian.put32(b, 4, newSeq);
        assertEquals(TcpView.fillChecksum(b, 0, len, ph), updated);
    }

    @Example
    void rfc1071Example() {
        // RFC 1071 §3 numerical example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2.
        ByteBuffer b = ByteBuffer.wrap(new byte[] {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7});
        assertEquals(0xddf2, Checksum.sum(b, 0, 8));
        assertEquals(0x220d, Checksum.compute(b, 0, 8));
    }

    @Example
    void rfc1624Example() {
        // RFC 1624 §4: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285, eqn. 3 gives 0x0000.
        assertEquals(0x0000, Checksum.update16(0xDD2F, 0x5555, 0x3285));
    }
}
