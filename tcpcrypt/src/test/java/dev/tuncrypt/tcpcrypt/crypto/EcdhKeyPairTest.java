package dev.tuncrypt.tcpcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpcrypt.Tep;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EcdhKeyPairTest {

    static SecureRandom seeded(long seed) throws NoSuchAlgorithmException {
        SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
        r.setSeed(seed);
        return r;
    }

    @ParameterizedTest
    @EnumSource(value = Tep.class, names = {"ECDHE_P256", "ECDHE_P521"})
    void generatedKeysAgree(Tep tep) throws Exception {
        try (EcdhKeyPair a = EcdhKeyPair.generate(tep, new SecureRandom());
                EcdhKeyPair b = EcdhKeyPair.generate(tep, new SecureRandom())) {
            byte[] es = a.agree(b.publicKey());
            assertThat(es).hasSize(tep.fieldLength()).isEqualTo(b.agree(a.publicKey()));
            assertThat(a.publicKey().encoded()).hasSize(tep.pointLength());
            assertThat(EcPublicKey.decode(tep, a.publicKey().encoded()).orElseThrow()).isEqualTo(a.publicKey());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Tep.class, names = {"ECDHE_P256", "ECDHE_P521"})
    void injectedRandomnessIsReproducible(Tep tep) throws Exception {
        try (EcdhKeyPair a = EcdhKeyPair.generate(tep, seeded(42));
                EcdhKeyPair b = EcdhKeyPair.generate(tep, seeded(42))) {
            assertThat(a.publicKey()).isEqualTo(b.publicKey());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Tep.class, names = {"ECDHE_P256", "ECDHE_P521"})
    void privateKeyRange(Tep tep) {
        assertThatThrownBy(() -> EcdhKeyPair.fromPrivateKey(tep, new byte[tep.fieldLength()]))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] ff = new byte[tep.fieldLength()];
        java.util.Arrays.fill(ff, (byte) 0xff);
        assertThatThrownBy(() -> EcdhKeyPair.fromPrivateKey(tep, ff)).isInstanceOf(IllegalArgumentException.class);
        try (EcdhKeyPair one = EcdhKeyPair.fromPrivateKey(tep, new byte[] {1})) {
            assertThat(one.publicKey().encoded()[0]).isEqualTo((byte) 4);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Tep.class, names = {"ECDHE_P256", "ECDHE_P521"})
    void decodeRejects(Tep tep) {
        try (EcdhKeyPair a = EcdhKeyPair.generate(tep, new SecureRandom())) {
            byte[] p = a.publicKey().encoded();
            assertThat(EcPublicKey.decode(tep, p, 0, p.length - 1).errorOrNull()).isEqualTo(PointError.BAD_LENGTH);
            byte[] c = p.clone();
            c[0] = 3;
            assertThat(EcPublicKey.decode(tep, c).errorOrNull()).isEqualTo(PointError.NOT_UNCOMPRESSED);
            byte[] off = p.clone();
            off[off.length - 1] ^= 1;
            assertThat(EcPublicKey.decode(tep, off).errorOrNull()).isEqualTo(PointError.NOT_ON_CURVE);
            byte[] big = p.clone();
            java.util.Arrays.fill(big, 1, 1 + tep.fieldLength(), (byte) 0xff);
            assertThat(EcPublicKey.decode(tep, big).errorOrNull()).isEqualTo(PointError.COORDINATE_OUT_OF_RANGE);
            Tep other = tep == Tep.ECDHE_P256 ? Tep.ECDHE_P521 : Tep.ECDHE_P256;
            try (EcdhKeyPair o = EcdhKeyPair.generate(other, new SecureRandom())) {
                assertThatThrownBy(() -> a.agree(o.publicKey())).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Tep.class, names = {"ECDHE_P256", "ECDHE_P521"})
    void closedKeyPairRefusesToAgree(Tep tep) {
        EcdhKeyPair a = EcdhKeyPair.generate(tep, new SecureRandom());
        EcPublicKey pub = a.publicKey();
        a.close();
        assertThatThrownBy(() -> a.agree(pub)).isInstanceOf(IllegalStateException.class);
    }
}
