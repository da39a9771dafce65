package dev.tuncrypt.tcpcrypt.v05;

/** The result of {@link FrameOpener#open}: {@link #OK} or why the frame was rejected. */
public enum FrameStatus {
    /** Authenticated and decrypted. */
    OK,
    /** Shorter than header + tag (19 bytes): not a frame. */
    TRUNCATED,
    /** The GCM tag did not verify (wrong key, wrong offset, or any bit changed). */
    TAG_MISMATCH,
    /** Authenticated, but the header's length field is not the frame length minus 3. */
    BAD_LENGTH,
    /** Authenticated, but the control byte is not 0 (the reference has no rekey). */
    NONZERO_CONTROL,
    /** Authenticated, but the plaintext has no flags byte. */
    MISSING_FLAGS,
    /** Authenticated, but the flags byte has bits other than FIN (0x01) and URG (0x02). */
    UNEXPECTED_FLAGS,
    /** Authenticated, URG set, but the urgent pointer is missing. */
    MISSING_URGENT_POINTER,
    /** The destination cannot take the plaintext (flags byte included while decrypting). */
    DESTINATION_TOO_SMALL,
    /** The opener was closed. */
    CLOSED
}
