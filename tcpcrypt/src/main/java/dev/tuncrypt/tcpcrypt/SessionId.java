package dev.tuncrypt.tcpcrypt;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A TCP-ENO session ID as tcpcryptd 0.5 exports it: 33 bytes, the first the negotiated TEP
 * identifier (with the v bit 0x80 set on a resumed session), then 32 bytes of
 * {@code Expand(secret, CONST_SESSID)} ({@code compute_sid} in {@code src/tcpcrypt.c};
 * golden vectors {@code sid_hex}: {@code 21…} full, {@code A1…} resumed). {@link #toString()}
 * prints it as {@code tcnetstat} does: upper-case hex.
 */
public final class SessionId {
    /** Length of the reference's session IDs. */
    public static final int LENGTH = 33;

    private final byte[] bytes;

    private SessionId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Copies {@code bytes} (33 bytes). */
    public static SessionId of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("session ID must be " + LENGTH + " bytes, got " + bytes.length);
        }
        return new SessionId(bytes.clone());
    }

    /** A copy of the 33 bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The first byte: TEP id, with 0x80 set when resumed. */
    public int firstByte() {
        return bytes[0] & 0xff;
    }

    /** The negotiated TEP. */
    public Tep tep() {
        return Tep.fromId(firstByte());
    }

    /** Whether this session was resumed (v bit set in the first byte). */
    public boolean isResumed() {
        return (firstByte() & 0x80) != 0;
    }

    /** The first {@code n} bytes. */
    public byte[] prefix(int n) {
        return Arrays.copyOf(bytes, n);
    }

    /** Lower-case hex, as in the golden vectors. */
    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionId other && MessageDigest.isEqual(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Upper-case hex, as {@code tcnetstat} prints it. */
    @Override
    public String toString() {
        return HexFormat.of().withUpperCase().formatHex(bytes);
    }
}
