package dev.tuncrypt.tcpcrypt.rfc8548;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.crypto.PointError;
import dev.tuncrypt.tcpcrypt.crypto.XdhKeyPair;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Published test vectors for the primitives rfc8548 builds on: RFC 7748 §6.1 (X25519) and §6.2
 * (X448) Diffie-Hellman, and RFC 5869 Appendix A (HKDF-SHA256). RFC 8548 itself has no vectors.
 */
class CryptoVectorTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    @Test
    void x25519Rfc7748Section61() {
        XdhKeyPair alice = XdhKeyPair.fromPrivateKey(Tep.ECDHE_X25519,
                hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        XdhKeyPair bob = XdhKeyPair.fromPrivateKey(Tep.ECDHE_X25519,
                hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
        assertThat(HEX.formatHex(alice.publicKeyBytes()))
                .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertThat(HEX.formatHex(bob.publicKeyBytes()))
                .isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertThat(HEX.formatHex(alice.agreeWith(bob.publicKeyBytes()).orElseThrow())).isEqualTo(shared);
        assertThat(HEX.formatHex(bob.agreeWith(alice.publicKeyBytes()).orElseThrow())).isEqualTo(shared);
    }

    @Test
    void x448Rfc7748Section62() {
        XdhKeyPair alice = XdhKeyPair.fromPrivateKey(Tep.ECDHE_X448, hex(
                "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b"));
        XdhKeyPair bob = XdhKeyPair.fromPrivateKey(Tep.ECDHE_X448, hex(
                "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d"));
        assertThat(HEX.formatHex(alice.publicKeyBytes())).isEqualTo(
                "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0");
        String shared = "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d";
        assertThat(HEX.formatHex(alice.agreeWith(bob.publicKeyBytes()).orElseThrow())).isEqualTo(shared);
        assertThat(HEX.formatHex(bob.agreeWith(alice.publicKeyBytes()).orElseThrow())).isEqualTo(shared);
    }

    /** RFC 7748 §6.1 "check": a small-order peer key (here u = 0) gives the all-zero output, refused. */
    @Test
    void smallOrderPeerKeysAreRefused() {
        XdhKeyPair a = XdhKeyPair.fromPrivateKey(Tep.ECDHE_X25519,
                hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        assertThat(a.agreeWith(new byte[32]).errorOrNull()).isEqualTo(PointError.ZERO_SHARED_SECRET);
        byte[] one = new byte[32];
        one[0] = 1; // u = 1 has order 4
        assertThat(a.agreeWith(one).errorOrNull()).isEqualTo(PointError.ZERO_SHARED_SECRET);
        assertThat(a.agreeWith(new byte[31]).errorOrNull()).isEqualTo(PointError.BAD_LENGTH);
        XdhKeyPair b = XdhKeyPair.fromPrivateKey(Tep.ECDHE_X448, new byte[56]);
        Result<byte[], PointError> r = b.agreeWith(new byte[56]);
        assertThat(r.errorOrNull()).isEqualTo(PointError.ZERO_SHARED_SECRET);
    }

    /** RFC 5869 Appendix A.1, A.2 and A.3 (HKDF-SHA256). */
    @Test
    void hkdfRfc5869AppendixA() {
        byte[] prk1 = Hkdf.extract(hex("000102030405060708090a0b0c"), hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"));
        assertThat(HEX.formatHex(prk1)).isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        assertThat(HEX.formatHex(Hkdf.expand(prk1, hex("f0f1f2f3f4f5f6f7f8f9"), 42))).isEqualTo(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
        // A.3: empty salt and info
        byte[] prk3 = Hkdf.extract(new byte[0], hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"));
        assertThat(HEX.formatHex(prk3)).isEqualTo("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
        assertThat(HEX.formatHex(Hkdf.expand(prk3, new byte[0], 42))).isEqualTo(
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    }
}
