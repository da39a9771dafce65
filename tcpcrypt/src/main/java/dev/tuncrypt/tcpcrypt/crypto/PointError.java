package dev.tuncrypt.tcpcrypt.crypto;

/** Why bytes are not an acceptable public key on the expected curve. */
public enum PointError {
    /** Not the size of an uncompressed point on this curve (65 bytes P-256, 133 bytes P-521). */
    BAD_LENGTH,
    /** The first byte is not 0x04 (uncompressed SEC1 encoding). */
    NOT_UNCOMPRESSED,
    /** The first byte is not 0x02 or 0x03 (compressed SEC1 encoding, RFC 8548 §5). */
    NOT_COMPRESSED,
    /** A coordinate is not below the field prime. */
    COORDINATE_OUT_OF_RANGE,
    /** The coordinates do not satisfy the curve equation. */
    NOT_ON_CURVE,
    /** X25519 / X448 gave the all-zero output: the peer sent a small-order point (RFC 7748 §6.1). */
    ZERO_SHARED_SECRET
}
