package dev.tuncrypt.tcpcrypt.rfc8548;

/** The result of {@link FrameOpener8548#open}: {@link #OK} or why the frame was rejected. */
public enum FrameStatus8548 {
    /** Authenticated and decrypted. */
    OK,
    /** Shorter than header + tag (19 bytes), or the length field does not match the bytes given. */
    BAD_LENGTH,
    /** The AEAD tag did not verify (wrong key or offset, any changed bit, a replayed frame). */
    TAG_MISMATCH,
    /** Authenticated, but the plaintext has no flags byte. */
    MISSING_FLAGS,
    /** Authenticated, URGENT set, but the urgent offset is missing. */
    MISSING_URGENT_OFFSET,
    /** The destination cannot take the plaintext. */
    DESTINATION_TOO_SMALL,
    /** The opener was closed. */
    CLOSED
}
