package dev.tuncrypt.tcpcrypt.rfc8548;

/**
 * Why an rfc8548 Init1 or Init2 is rejected. After ENO negotiated tcpcrypt, each of these resets
 * the connection (RFC 8547 §4.6: no fallback once encryption is enabled; RFC 8548 §3.3 "abort the connection").
 */
public enum InitError8548 {
    /** Fewer bytes than the fixed part or than {@code message_len}. */
    TRUNCATED,
    /** Not the Init1 / Init2 magic (RFC 8548 §4.1). */
    BAD_MAGIC,
    /** {@code message_len} is shorter than the fixed part, or longer than this side accepts. */
    BAD_LENGTH,
    /** Init1 lists no cipher. */
    NO_CIPHERS,
    /** No cipher Init1 lists is supported here. */
    NO_COMMON_CIPHER,
    /** Init2 names a cipher that Init1 did not offer (or that is unknown). */
    CIPHER_NOT_OFFERED,
    /** The public key is not a valid point / u-coordinate of the TEP's group. */
    BAD_PUBLIC_KEY,
    /** X25519 / X448 produced the all-zero shared secret (a small-order key). */
    ZERO_SHARED_SECRET
}
