package dev.tuncrypt.tcpcrypt;

/**
 * The TCP encryption protocols (TEP identifiers) this module implements: tcpcrypt with ECDHE on
 * the NIST curves (both dialects) and on Curve25519 / Curve448 (rfc8548 only: RFC 8548 §5 and
 * §7, keys and shared secrets as RFC 7748 X25519 / X448). Identifiers are the RFC 8547 registry values, equal to the reference's
 * {@code TC_CIPHER_ECDHE_P256 = 0x21} and {@code TC_CIPHER_ECDHE_P521 = 0x22}
 * (scslab/tcpcrypt v0.5 {@code src/tcpcrypt.h}).
 *
 * <p>Sizes come from the reference's {@code crypto_reg.c} ({@code ECDHE256_HKDF_new}: key
 * {@code 65 + 2}, {@code ECDHE521_HKDF_new}: {@code 133 + 2}) and were confirmed by the golden
 * vectors (P-256 prefix {@code 00 43}, P-521 prefix {@code 00 87}, ES 32/66 bytes).
 */
public enum Tep {
    /** TCPCRYPT_ECDHE_P256. */
    ECDHE_P256(0x21, "secp256r1", 32),
    /** TCPCRYPT_ECDHE_P521. */
    ECDHE_P521(0x22, "secp521r1", 66),
    /** TCPCRYPT_ECDHE_Curve25519 (rfc8548 only): 32-byte X25519 keys and ES. */
    ECDHE_X25519(0x23, "X25519", 32),
    /** TCPCRYPT_ECDHE_Curve448 (rfc8548 only): 56-byte X448 keys and ES. */
    ECDHE_X448(0x24, "X448", 56);

    private final int id;
    private final String curveName;
    private final int fieldLength;

    Tep(int id, String curveName, int fieldLength) {
        this.id = id;
        this.curveName = curveName;
        this.fieldLength = fieldLength;
    }

    /** The 7-bit TEP identifier (0x21 to 0x24). */
    public int id() {
        return id;
    }

    /** SEC 2 name of the curve, or the RFC 7748 function name. */
    public String curveName() {
        return curveName;
    }

    /** Bytes of a field element: the size of ES and of each point coordinate (32 / 66 / 32 / 56). */
    public int fieldLength() {
        return fieldLength;
    }

    /**
     * Bytes of an uncompressed SEC1 point, {@code 04 || X || Y} (65 / 133, as tcpcrypt-0.5 sends
     * it), or of the RFC 7748 u-coordinate (32 / 56). RFC 8548 §5 sends NIST points compressed
     * with a length prefix instead: {@code rfc8548.PublicKeys8548}.
     */
    public int pointLength() {
        return montgomery() ? fieldLength : 1 + 2 * fieldLength;
    }

    /** Whether this is an RFC 7748 curve (X25519 / X448) rather than a NIST curve. */
    public boolean montgomery() {
        return this == ECDHE_X25519 || this == ECDHE_X448;
    }

    /** Whether tcpcryptd 0.5 implements this TEP (P-256 and P-521 only). */
    public boolean inDialect05() {
        return !montgomery();
    }

    /** The TEP with identifier {@code id} (v bit ignored), or null if this module has none. */
    public static Tep fromId(int id) {
        int glt = id & 0x7f;
        for (Tep t : values()) {
            if (t.id == glt) {
                return t;
            }
        }
        return null;
    }
}
