package dev.tuncrypt.tcpcrypt.v05;

/**
 * Why an Init1 or Init2 message is rejected. After a TEP was negotiated any of these must reset
 * the connection (docs/tcpcrypt-protocol.md §2.7), never fall back to plain TCP as the reference
 * does.
 */
public enum InitError {
    /** Fewer bytes than the 8-byte header or than {@code message_len}: wait for more, or the stream ended. */
    TRUNCATED,
    /** The magic is not {@code 15101a0e} (Init1) / {@code 097105e0} (Init2). */
    BAD_MAGIC,
    /** {@code message_len} is not the length the layout gives for this TEP (and cipher count). */
    BAD_LENGTH,
    /** Init1 lists no symmetric cipher. */
    NO_CIPHERS,
    /** None of the ciphers Init1 lists is supported here. */
    NO_COMMON_CIPHER,
    /** Init2 names a cipher id this dialect does not know. */
    UNKNOWN_CIPHER,
    /** Init2 names a cipher that our Init1 did not offer. */
    CIPHER_NOT_OFFERED,
    /** The u16 length before the public key is not 2 + the curve's uncompressed point length. */
    BAD_KEY_LENGTH,
    /** The public key is not an uncompressed point (first byte not 0x04). */
    POINT_NOT_UNCOMPRESSED,
    /** A coordinate of the public key is not below the field prime. */
    POINT_COORDINATE_OUT_OF_RANGE,
    /** The public key is not on the curve. */
    POINT_NOT_ON_CURVE
}
