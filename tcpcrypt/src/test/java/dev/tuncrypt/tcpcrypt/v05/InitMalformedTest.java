package dev.tuncrypt.tcpcrypt.v05;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.crypto.EcdhKeyPair;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every malformation of Init1/Init2 is a typed {@link InitError}; nothing throws. */
class InitMalformedTest {
    static final Vector P256 = Vector.load("full-handshake-p256.json");
    static final Vector P521 = Vector.load("full-handshake-p521.json");
    static final List<SymCipher> BOTH = List.of(SymCipher.AES_128_GCM, SymCipher.AES_256_GCM);
    static final Set<InitError> SEEN = EnumSet.noneOf(InitError.class);

    static byte[] init1() {
        return P256.bytes("init1_hex");
    }

    static byte[] init2() {
        return P256.bytes("init2_hex");
    }

    static InitError init1Error(byte[] msg) {
        return init1Error(Tep.ECDHE_P256, msg);
    }

    static InitError init1Error(Tep tep, byte[] msg) {
        ByteBuffer src = ByteBuffer.wrap(msg);
        Result<Init1, InitError> r = Init1.parse(tep, src);
        InitError e = r.errorOrNull();
        if (e != null) {
            assertThat(src.position()).as("position unchanged on error").isZero();
            SEEN.add(e);
        }
        return e;
    }

    static InitError init2Error(byte[] msg, List<SymCipher> offered) {
        ByteBuffer src = ByteBuffer.wrap(msg);
        Result<Init2, InitError> r = Init2.parse(Tep.ECDHE_P256, src, offered);
        assertThat(src.position()).isZero();
        InitError e = r.errorOrNull();
        if (e != null) {
            SEEN.add(e);
        }
        return e;
    }

    static byte[] with(byte[] msg, int index, int value) {
        byte[] b = msg.clone();
        b[index] = (byte) value;
        return b;
    }

    @Test
    void truncated() {
        assertThat(init1Error(Arrays.copyOf(init1(), 7))).isEqualTo(InitError.TRUNCATED);
        assertThat(init1Error(Arrays.copyOf(init1(), 8))).isEqualTo(InitError.TRUNCATED);
        assertThat(init1Error(Arrays.copyOf(init1(), 109))).isEqualTo(InitError.TRUNCATED);
        assertThat(init2Error(Arrays.copyOf(init2(), 107), BOTH)).isEqualTo(InitError.TRUNCATED);
        assertThat(init2Error(new byte[0], BOTH)).isEqualTo(InitError.TRUNCATED);
    }

    @Test
    void badMagic() {
        assertThat(init1Error(with(init1(), 0, 0x16))).isEqualTo(InitError.BAD_MAGIC);
        assertThat(init1Error(init2())).as("Init2 where Init1 belongs").isEqualTo(InitError.BAD_MAGIC);
        assertThat(init2Error(init1(), BOTH)).isEqualTo(InitError.BAD_MAGIC);
    }

    @Test
    void badLength() {
        assertThat(init1Error(with(init1(), 7, 111))).isEqualTo(InitError.BAD_LENGTH);
        assertThat(init1Error(with(init1(), 7, 109))).isEqualTo(InitError.BAD_LENGTH);
        assertThat(init1Error(with(init1(), 4, 1))).isEqualTo(InitError.BAD_LENGTH);
        assertThat(init1Error(with(Arrays.copyOf(init1(), 8), 7, 0))).as("too small before nciphers arrives")
                .isEqualTo(InitError.BAD_LENGTH);
        assertThat(init1Error(with(init1(), 8, 3))).as("nciphers disagrees with message_len").isEqualTo(InitError.BAD_LENGTH);
        assertThat(init2Error(with(init2(), 7, 109), BOTH)).isEqualTo(InitError.BAD_LENGTH);
        assertThat(init1Error(Tep.ECDHE_P521, init1())).as("P-256 Init1 where P-521 was negotiated")
                .isEqualTo(InitError.BAD_LENGTH);
    }

    @Test
    void trailingBytesAreLeftForTheStream() {
        byte[] longer = Arrays.copyOf(init1(), 120);
        ByteBuffer src = ByteBuffer.wrap(longer);
        assertThat(Init1.parse(Tep.ECDHE_P256, src).isOk()).isTrue();
        assertThat(src.position()).isEqualTo(110);
    }

    @Test
    void cipherLists() {
        byte[] none = with(init1(), 8, 0);
        assertThat(init1Error(none)).isEqualTo(InitError.NO_CIPHERS);
        assertThat(init2Error(with(init2(), 8, 0x10), BOTH)).isEqualTo(InitError.UNKNOWN_CIPHER);
        assertThat(init2Error(with(init2(), 8, 0x00), BOTH)).isEqualTo(InitError.UNKNOWN_CIPHER);
        assertThat(init2Error(with(init2(), 8, 0x02), List.of(SymCipher.AES_128_GCM)))
                .isEqualTo(InitError.CIPHER_NOT_OFFERED);

        // Init1 listing ciphers B does not support: the server step reports it
        byte[] unknownOnly = with(with(init1(), 9, 0x10), 10, 0x11);
        assertThat(init1Error(unknownOnly)).as("unknown ids parse").isNull();
        try (EcdhKeyPair b = EcdhKeyPair.fromPrivateKey(Tep.ECDHE_P256, P256.bytes("server_ec_private_key_hex"))) {
            ByteBuffer src = ByteBuffer.wrap(unknownOnly);
            Result<ServerKeyExchange.Accepted, InitError> r = ServerKeyExchange.onInit1(Tep.ECDHE_P256, src, BOTH,
                    new byte[0], new byte[32], b);
            assertThat(r.errorOrNull()).isEqualTo(InitError.NO_COMMON_CIPHER);
            assertThat(src.position()).isZero();
            SEEN.add(r.errorOrNull());
            // A lists 02 01: B (supporting both) takes A's first
            byte[] reversed = with(with(init1(), 9, 0x02), 10, 0x01);
            Init1 i1 = Init1.parse(Tep.ECDHE_P256, ByteBuffer.wrap(reversed)).orElseThrow();
            assertThat(i1.chooseCipher(BOTH)).isEqualTo(SymCipher.AES_256_GCM);
            assertThat(i1.chooseCipher(List.of(SymCipher.AES_128_GCM))).isEqualTo(SymCipher.AES_128_GCM);
        }
    }

    // key field: 110-byte Init1 = 8 header + 1 + 2 ciphers + 32 nonce = 43, then u16 length, then the point
    static final int KEY_AT = 43;
    static final int POINT_AT = 45;

    @Test
    void keyLengthPrefix() {
        assertThat(init1Error(with(init1(), KEY_AT + 1, 0x44))).isEqualTo(InitError.BAD_KEY_LENGTH);
        assertThat(init1Error(with(init1(), KEY_AT, 0x01))).isEqualTo(InitError.BAD_KEY_LENGTH);
        assertThat(init2Error(with(init2(), 41 + 1, 0x41), BOTH)).isEqualTo(InitError.BAD_KEY_LENGTH);
    }

    @Test
    void points() {
        assertThat(init1Error(with(init1(), POINT_AT, 0x02))).isEqualTo(InitError.POINT_NOT_UNCOMPRESSED);
        assertThat(init1Error(with(init1(), POINT_AT, 0x00))).isEqualTo(InitError.POINT_NOT_UNCOMPRESSED);
        byte[] xTooBig = init1();
        Arrays.fill(xTooBig, POINT_AT + 1, POINT_AT + 33, (byte) 0xff);
        assertThat(init1Error(xTooBig)).isEqualTo(InitError.POINT_COORDINATE_OUT_OF_RANGE);
        byte[] offCurve = init1();
        offCurve[offCurve.length - 1] ^= 1;
        assertThat(init1Error(offCurve)).isEqualTo(InitError.POINT_NOT_ON_CURVE);
        byte[] zero = init1();
        Arrays.fill(zero, POINT_AT + 1, zero.length, (byte) 0);
        assertThat(init1Error(zero)).as("(0,0)").isEqualTo(InitError.POINT_NOT_ON_CURVE);
        byte[] offCurve2 = init2();
        offCurve2[offCurve2.length - 5] ^= 0x10;
        assertThat(init2Error(offCurve2, BOTH)).isEqualTo(InitError.POINT_NOT_ON_CURVE);
        byte[] p521 = P521.bytes("init1_hex");
        p521[p521.length - 1] ^= 1;
        assertThat(init1Error(Tep.ECDHE_P521, p521)).isEqualTo(InitError.POINT_NOT_ON_CURVE);
    }

    @Test
    void clientReportsInit2ErrorsTyped() {
        try (ClientKeyExchange c = ClientKeyExchange.start(Tep.ECDHE_P256, List.of(SymCipher.AES_128_GCM),
                new SecureRandom())) {
            assertThat(c.onInit2(ByteBuffer.wrap(with(init2(), 3, 0)), new byte[0]).errorOrNull())
                    .isEqualTo(InitError.BAD_MAGIC);
            byte[] offCurve = init2();
            offCurve[offCurve.length - 1] ^= 1;
            assertThat(c.onInit2(ByteBuffer.wrap(offCurve), new byte[0]).errorOrNull())
                    .isEqualTo(InitError.POINT_NOT_ON_CURVE);
            assertThat(c.onInit2(ByteBuffer.wrap(init2()), new byte[0]).isOk()).isTrue();
        }
    }

    /** Any mutation of a valid Init message is parsed or rejected with a reason; never an exception. */
    @Property(tries = 2000)
    void mutationsNeverThrow(@ForAll @IntRange(max = 177) int index, @ForAll byte value,
            @ForAll @IntRange(min = 0, max = 180) int cut, @ForAll boolean p521, @ForAll boolean second) {
        Vector v = p521 ? P521 : P256;
        byte[] msg = v.bytes(second ? "init2_hex" : "init1_hex");
        msg[index % msg.length] = value;
        msg = Arrays.copyOf(msg, Math.min(msg.length, cut));
        ByteBuffer src = ByteBuffer.wrap(msg);
        Result<?, InitError> r = second ? Init2.parse(v.tep(), src, BOTH) : Init1.parse(v.tep(), src);
        assertThat(r).isNotNull();
        if (!r.isOk()) {
            assertThat(src.position()).isZero();
        }
    }

    @Property(tries = 500)
    void randomBytesNeverThrow(@ForAll @Size(max = 200) byte[] msg, @ForAll boolean second) {
        ByteBuffer src = ByteBuffer.wrap(msg);
        Result<?, InitError> r = second ? Init2.parse(Tep.ECDHE_P256, src, BOTH) : Init1.parse(Tep.ECDHE_P256, src);
        assertThat(r.isOk()).isFalse();
    }

    @AfterAll
    static void everyReasonWasProduced() {
        // runs after the JUnit tests of this class (jqwik properties run in their own engine)
        if (SEEN.size() > 3) {
            assertThat(SEEN).containsExactlyInAnyOrder(InitError.values());
        }
    }
}
