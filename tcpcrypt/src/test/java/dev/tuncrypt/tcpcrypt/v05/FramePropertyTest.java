package dev.tuncrypt.tcpcrypt.v05;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpcrypt.SymCipher;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Seal/open properties and every typed frame error. */
class FramePropertyTest {
    static final byte[] KEY16 = Vector.hex("24e63d2ee0b8ea777451ef7bad12c9a7");
    static final byte[] KEY32 = Vector.hex("24e63d2ee0b8ea777451ef7bad12c9a7b49e60e44a36de4136b452ab29e89db5");

    @Provide
    Arbitrary<SymCipher> ciphers() {
        return Arbitraries.of(SymCipher.class);
    }

    static byte[] key(SymCipher c) {
        return c == SymCipher.AES_128_GCM ? KEY16 : KEY32;
    }

    static byte[] seal(FrameSealer s, byte[] data, int flags, int urp, long offset) {
        ByteBuffer out = ByteBuffer.allocate(data.length + 32);
        s.seal(ByteBuffer.wrap(data), flags, urp, offset, out);
        return Arrays.copyOf(out.array(), out.position());
    }

    @Property
    void sealThenOpenRoundTrips(@ForAll("ciphers") SymCipher c, @ForAll @Size(max = 1500) byte[] data,
            @ForAll @IntRange(max = 3) int flags, @ForAll @IntRange(max = 0xffff) int urp, @ForAll long offset) {
        try (FrameSealer sealer = new FrameSealer(c, key(c)); FrameOpener opener = new FrameOpener(c, key(c))) {
            byte[] frame = seal(sealer, data, flags, urp, offset);
            assertThat(frame).hasSize(FrameSealer.frameLength(data.length, flags));
            assertThat(frame[0]).isZero();
            assertThat(((frame[1] & 0xff) << 8) | (frame[2] & 0xff)).isEqualTo(frame.length - 3);
            assertThat(FrameOpener.announcedFrameLength(ByteBuffer.wrap(frame), 0)).isEqualTo(frame.length);

            ByteBuffer out = ByteBuffer.allocate(frame.length);
            assertThat(opener.open(ByteBuffer.wrap(frame), offset, out)).isEqualTo(FrameStatus.OK);
            assertThat(Arrays.copyOf(out.array(), out.position())).isEqualTo(data);
            assertThat(opener.flags()).isEqualTo(flags);
            assertThat(opener.urgentPointer()).isEqualTo((flags & 2) != 0 ? urp : 0);
            // a retransmitted copy opens again
            out.clear();
            assertThat(opener.open(ByteBuffer.wrap(frame), offset, out)).isEqualTo(FrameStatus.OK);
        }
    }

    @Property
    void anySingleBitFlipFailsTheTag(@ForAll("ciphers") SymCipher c, @ForAll @Size(max = 300) byte[] data,
            @ForAll @IntRange(max = 1) int flags, @ForAll @IntRange(max = 100_000) long offset,
            @ForAll @IntRange(min = 0, max = 1_000_000) int bitSeed) {
        try (FrameSealer sealer = new FrameSealer(c, key(c)); FrameOpener opener = new FrameOpener(c, key(c))) {
            byte[] frame = seal(sealer, data, flags, 0, offset);
            int bit = bitSeed % (frame.length * 8);
            frame[bit / 8] ^= (byte) (1 << (bit % 8));
            ByteBuffer in = ByteBuffer.wrap(frame);
            ByteBuffer out = ByteBuffer.allocate(frame.length);
            assertThat(opener.open(in, offset, out)).isEqualTo(FrameStatus.TAG_MISMATCH);
            assertThat(in.position()).isZero();
            assertThat(out.position()).isZero();
            assertThat(opener.dataLength()).isZero();
        }
    }

    @Property
    void wrongOffsetFails(@ForAll("ciphers") SymCipher c, @ForAll @Size(max = 300) byte[] data,
            @ForAll long offset, @ForAll long other) {
        Assume.that(offset != other);
        try (FrameSealer sealer = new FrameSealer(c, key(c)); FrameOpener opener = new FrameOpener(c, key(c))) {
            byte[] frame = seal(sealer, data, 0, 0, offset);
            assertThat(opener.open(ByteBuffer.wrap(frame), other, ByteBuffer.allocate(frame.length)))
                    .isEqualTo(FrameStatus.TAG_MISMATCH);
        }
    }

    @Property
    void wrongKeyOrDirectionFails(@ForAll @Size(max = 100) byte[] data, @ForAll long offset) {
        byte[] otherKey = KEY16.clone();
        otherKey[15] ^= 1;
        try (FrameSealer sealer = new FrameSealer(SymCipher.AES_128_GCM, KEY16);
                FrameOpener opener = new FrameOpener(SymCipher.AES_128_GCM, otherKey)) {
            byte[] frame = seal(sealer, data, 0, 0, offset);
            assertThat(opener.open(ByteBuffer.wrap(frame), offset, ByteBuffer.allocate(frame.length)))
                    .isEqualTo(FrameStatus.TAG_MISMATCH);
        }
    }

    @Property
    void truncatedOrExtendedFramesFail(@ForAll @Size(min = 1, max = 100) byte[] data, @ForAll @IntRange(min = 1, max = 30) int cut) {
        try (FrameSealer sealer = new FrameSealer(SymCipher.AES_128_GCM, KEY16);
                FrameOpener opener = new FrameOpener(SymCipher.AES_128_GCM, KEY16)) {
            byte[] frame = seal(sealer, data, 0, 0, 7);
            byte[] shorter = Arrays.copyOf(frame, Math.max(0, frame.length - cut));
            FrameStatus s = opener.open(ByteBuffer.wrap(shorter), 7, ByteBuffer.allocate(frame.length));
            assertThat(s).isIn(FrameStatus.TRUNCATED, FrameStatus.TAG_MISMATCH);
            byte[] longer = Arrays.copyOf(frame, frame.length + cut);
            assertThat(opener.open(ByteBuffer.wrap(longer), 7, ByteBuffer.allocate(longer.length)))
                    .isEqualTo(FrameStatus.TAG_MISMATCH);
        }
    }

    @Test
    void overheadIsTwentyBytes() {
        assertThat(FrameSealer.OVERHEAD).isEqualTo(20).isEqualTo(Tcpcrypt05.FRAME_OVERHEAD);
        assertThat(FrameSealer.frameLength(34, 0)).isEqualTo(54); // docs: 34 plaintext bytes, 54-byte segment
        assertThat(FrameSealer.frameLength(1408, 0)).isEqualTo(1428); // README correction 2
        assertThat(FrameSealer.frameLength(10, Tcpcrypt05.FLAG_URG)).isEqualTo(32);
    }

    @Test
    void sealerRefusesARepeatedOrOverlappingOffset() {
        try (FrameSealer sealer = new FrameSealer(SymCipher.AES_128_GCM, KEY16)) {
            seal(sealer, new byte[10], 0, 0, 100);
            assertThat(sealer.nextFreeOffset()).isEqualTo(130);
            assertThatThrownBy(() -> seal(sealer, new byte[10], 0, 0, 100)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> seal(sealer, new byte[10], 0, 0, 129)).isInstanceOf(IllegalStateException.class);
            seal(sealer, new byte[10], 0, 0, 130);
        }
    }

    @Test
    void sealerRejectsBadArguments() {
        try (FrameSealer sealer = new FrameSealer(SymCipher.AES_128_GCM, KEY16)) {
            assertThatThrownBy(() -> sealer.seal(ByteBuffer.allocate(1), 0x04, 0, ByteBuffer.allocate(64)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> sealer.seal(ByteBuffer.allocate(1), Tcpcrypt05.FLAG_URG, 0, ByteBuffer.allocate(64)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> sealer.seal(ByteBuffer.allocate(10), 0, 0, ByteBuffer.allocate(29)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> sealer.seal(ByteBuffer.allocate(FrameSealer.MAX_DATA + 1), 0, 0,
                    ByteBuffer.allocate(70_000))).isInstanceOf(IllegalArgumentException.class);
            ByteBuffer big = ByteBuffer.allocate(70_000);
            assertThat(sealer.seal(ByteBuffer.allocate(FrameSealer.MAX_DATA), 0, 0, big)).isEqualTo(0xffff + 3);
        }
        assertThatThrownBy(() -> new FrameSealer(SymCipher.AES_256_GCM, KEY16)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closedObjectsRefuseWorkAndDropTheirKeys() {
        FrameSealer sealer = new FrameSealer(SymCipher.AES_128_GCM, KEY16);
        FrameOpener opener = new FrameOpener(SymCipher.AES_128_GCM, KEY16);
        byte[] frame = seal(sealer, new byte[5], 0, 0, 0);
        sealer.close();
        opener.close();
        assertThat(sealer.key.isDestroyed()).isTrue();
        assertThatThrownBy(() -> seal(sealer, new byte[5], 0, 0, 100)).isInstanceOf(IllegalStateException.class);
        assertThat(opener.open(ByteBuffer.wrap(frame), 0, ByteBuffer.allocate(64))).isEqualTo(FrameStatus.CLOSED);
        assertThat(KEY16[0]).as("caller's key untouched").isEqualTo((byte) 0x24);
    }

    // ---------------------------------------------------------------- authenticated but invalid frames

    /** A frame sealed by a raw GCM with any header and plaintext: what a broken peer could send. */
    static byte[] craft(int control, int lenDelta, byte[] plaintext, long offset) {
        try {
            int body = plaintext.length + 16;
            byte[] header = {(byte) control, (byte) ((body + lenDelta) >>> 8), (byte) (body + lenDelta)};
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY16, "AES"), new GCMParameterSpec(128, StreamOffsets.iv(offset)));
            c.updateAAD(header);
            byte[] ct = c.doFinal(plaintext);
            byte[] frame = new byte[3 + ct.length];
            System.arraycopy(header, 0, frame, 0, 3);
            System.arraycopy(ct, 0, frame, 3, ct.length);
            return frame;
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static FrameStatus open(byte[] frame, long offset) {
        try (FrameOpener opener = new FrameOpener(SymCipher.AES_128_GCM, KEY16)) {
            ByteBuffer in = ByteBuffer.wrap(frame);
            ByteBuffer out = ByteBuffer.allocate(frame.length);
            FrameStatus s = opener.open(in, offset, out);
            if (s != FrameStatus.OK) {
                assertThat(in.position()).isZero();
                assertThat(out.position()).isZero();
            }
            return s;
        }
    }

    @Test
    void craftedValidFrameOpens() {
        assertThat(open(craft(0, 0, new byte[] {1, 'x'}, 5), 5)).isEqualTo(FrameStatus.OK);
    }

    @Test
    void nonzeroControlByte() {
        assertThat(open(craft(0x01, 0, new byte[] {0, 'x'}, 5), 5)).isEqualTo(FrameStatus.NONZERO_CONTROL);
    }

    @Test
    void lengthFieldDisagreesWithTheFrame() {
        assertThat(open(craft(0, 1, new byte[] {0, 'x'}, 5), 5)).isEqualTo(FrameStatus.BAD_LENGTH);
        assertThat(open(craft(0, -1, new byte[] {0, 'x'}, 5), 5)).isEqualTo(FrameStatus.BAD_LENGTH);
    }

    @Test
    void unexpectedFlags() {
        for (int f : new int[] {0x04, 0x08, 0x80, 0xff}) {
            assertThat(open(craft(0, 0, new byte[] {(byte) f, 'x'}, 5), 5)).as("flags %02x", f)
                    .isEqualTo(FrameStatus.UNEXPECTED_FLAGS);
        }
    }

    @Test
    void missingFlagsAndUrgentPointer() {
        assertThat(open(craft(0, 0, new byte[0], 5), 5)).isEqualTo(FrameStatus.MISSING_FLAGS);
        assertThat(open(craft(0, 0, new byte[] {2, 0}, 5), 5)).isEqualTo(FrameStatus.MISSING_URGENT_POINTER);
        assertThat(open(craft(0, 0, new byte[] {2, 0, 9}, 5), 5)).isEqualTo(FrameStatus.OK);
    }

    @Test
    void tooShortAndNoRoom() {
        assertThat(open(new byte[18], 0)).isEqualTo(FrameStatus.TRUNCATED);
        byte[] frame = craft(0, 0, new byte[] {0, 1, 2, 3}, 5);
        try (FrameOpener opener = new FrameOpener(SymCipher.AES_128_GCM, KEY16)) {
            assertThat(opener.open(ByteBuffer.wrap(frame), 5, ByteBuffer.allocate(3)))
                    .isEqualTo(FrameStatus.DESTINATION_TOO_SMALL);
            ByteBuffer exact = ByteBuffer.allocate(4);
            assertThat(opener.open(ByteBuffer.wrap(frame), 5, exact)).isEqualTo(FrameStatus.OK);
            assertThat(exact.position()).isEqualTo(3);
        }
    }

    @Test
    void referenceOffsetAcrossASequenceWrap() {
        int start = 0xfffffff0;
        assertThat(StreamOffsets.referenceOffset(0xfffffff0 + 8, start)).isEqualTo(8);
        // the reference's IV after the 32-bit sequence number wraps: (uint64) seq - start
        assertThat(StreamOffsets.referenceOffset(0x10, start)).isEqualTo(0x10L - 0xfffffff0L);
        assertThat(StreamOffsets.offset32(0x10, start)).isEqualTo(0x20);
        assertThat(Vector.hex(StreamOffsets.iv(33))).isEqualTo("2100000000000000");
        // ISN near the top of the sequence space: the reference's offsets jump once seq wraps
        int isn = 0xffffff00;
        assertThat(StreamOffsets.fromWireOffset(isn, 110 + 33, 110)).isEqualTo(33);
        assertThat(StreamOffsets.fromWireOffset(isn, 0x200, 110)).isEqualTo(0x200L - 110 - (1L << 32));
    }

    /** JDK 25 zeroes a direct destination from index 0 on a tag failure; the opener confines it. */
    @Test
    void tagFailureLeavesEarlierBytesOfADirectDestinationAlone() {
        try (FrameSealer sealer = new FrameSealer(SymCipher.AES_128_GCM, KEY16);
                FrameOpener opener = new FrameOpener(SymCipher.AES_128_GCM, KEY16)) {
            byte[] frame = seal(sealer, new byte[20], 0, 0, 0);
            frame[10] ^= 1;
            for (ByteBuffer dst : new ByteBuffer[] {ByteBuffer.allocate(100), ByteBuffer.allocateDirect(100)}) {
                for (int i = 0; i < 100; i++) {
                    dst.put(i, (byte) 0x77);
                }
                dst.position(30);
                assertThat(opener.open(ByteBuffer.wrap(frame), 0, dst)).isEqualTo(FrameStatus.TAG_MISMATCH);
                assertThat(dst.position()).isEqualTo(30);
                for (int i = 0; i < 30; i++) {
                    assertThat(dst.get(i)).as("byte %d of a %s buffer", i, dst.isDirect() ? "direct" : "heap")
                            .isEqualTo((byte) 0x77);
                }
            }
        }
    }

    @Test
    void directBuffersRoundTrip() {
        try (FrameSealer sealer = new FrameSealer(SymCipher.AES_256_GCM, KEY32);
                FrameOpener opener = new FrameOpener(SymCipher.AES_256_GCM, KEY32)) {
            ByteBuffer data = ByteBuffer.allocateDirect(1408);
            for (int i = 0; i < 1408; i++) {
                data.put(i, (byte) i);
            }
            ByteBuffer frame = ByteBuffer.allocateDirect(2000);
            frame.position(7);
            int n = sealer.seal(data, Tcpcrypt05.FLAG_FIN | Tcpcrypt05.FLAG_URG, 0x1234, 1L << 40, frame);
            assertThat(n).isEqualTo(1408 + 22);
            frame.flip().position(7);
            ByteBuffer out = ByteBuffer.allocateDirect(3000);
            out.position(100);
            assertThat(opener.open(frame, 1L << 40, out)).isEqualTo(FrameStatus.OK);
            assertThat(out.position()).isEqualTo(1508);
            assertThat(opener.fin()).isTrue();
            assertThat(opener.urgent()).isTrue();
            assertThat(opener.urgentPointer()).isEqualTo(0x1234);
            for (int i = 0; i < 1408; i++) {
                assertThat(out.get(100 + i)).isEqualTo((byte) i);
            }
        }
    }
}
