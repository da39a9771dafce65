package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.SymCipher;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;

/**
 * Checks and decrypts the frames of one direction (layout in {@link FrameSealer}), in the
 * reference's order ({@code check_mac_and_decrypt}): minimum length, then the GCM tag over the
 * header as received (AAD) and the ciphertext, then the authenticated header fields and flags.
 * Because the header is authenticated before its fields are trusted, any single changed bit is a
 * {@link FrameStatus#TAG_MISMATCH}. The tag comparison is the JDK's GCM (constant time), and no
 * plaintext is released unless the tag verified.
 *
 * <p>Unlike the reference, a flags byte with bits other than FIN and URG is rejected
 * ({@link FrameStatus#UNEXPECTED_FLAGS}). Opening the same frame twice (a retransmission) is
 * fine. Not thread-safe, one per connection direction.
 *
 * <p>Allocation: this class allocates nothing per frame but the JCE's {@code GCMParameterSpec}
 * (and a slice when {@code dst} is direct, see the comment in {@link #open}); the SunJCE GCM
 * engine allocates its own per-operation state on every {@code init} (about 1.2 KB per frame
 * with heap buffers on JDK 25, about 3 KB with direct buffers). Prefer heap buffers.
 */
public final class FrameOpener extends FrameCipher {
    private int flags;
    private int urgentPointer;
    private int dataLength;

    /** An opener with a copy of {@code key}. */
    public FrameOpener(SymCipher cipher, byte[] key) {
        super(cipher, key);
    }

    /**
     * The frame length announced by a header at absolute {@code index}: 3 + the u16, or -1 if
     * fewer than 3 bytes are there. For callers that delimit frames in a byte stream.
     */
    public static int announcedFrameLength(ByteBuffer buf, int index) {
        if (buf.limit() - index < Tcpcrypt05.FRAME_HEADER_LENGTH) {
            return -1;
        }
        return Tcpcrypt05.FRAME_HEADER_LENGTH + (buf.getShort(index + 1) & 0xffff);
    }

    /**
     * Opens the frame that fills {@code frame}'s remaining bytes (one frame per segment) at
     * {@code streamOffset}, writing the data into {@code dst} at its position.
     *
     * <p>{@code dst} needs room for the whole plaintext (data + 1, or + 3 with URG) while
     * decrypting. On {@link FrameStatus#OK}: {@code frame}'s position reaches its limit,
     * {@code dst}'s advances by the data length, and {@link #flags()}, {@link #urgentPointer()},
     * {@link #dataLength()} describe the frame. On any other status both positions are unchanged
     * and the bytes of {@code dst} beyond its position are unspecified (zeroed on a tag failure).
     */
    public FrameStatus open(ByteBuffer frame, long streamOffset, ByteBuffer dst) {
        flags = 0;
        urgentPointer = 0;
        dataLength = 0;
        if (closed) {
            return FrameStatus.CLOSED;
        }
        int start = frame.position();
        int n = frame.limit() - start;
        if (n < Tcpcrypt05.FRAME_HEADER_LENGTH + Tcpcrypt05.FRAME_TAG_LENGTH) {
            return FrameStatus.TRUNCATED;
        }
        int plainLen = n - Tcpcrypt05.FRAME_HEADER_LENGTH - Tcpcrypt05.FRAME_TAG_LENGTH;
        int out = dst.position();
        if (dst.remaining() < plainLen) {
            return FrameStatus.DESTINATION_TOO_SMALL;
        }
        setIv(streamOffset);
        try {
            init(Cipher.DECRYPT_MODE);
            frame.get(start, header); // the AAD as received; the JDK would copy it from a direct buffer anyway
            cipher.updateAAD(header);
            frame.position(start + Tcpcrypt05.FRAME_HEADER_LENGTH);
            // JDK 25 SunJCE GCM, on a tag mismatch, zeroes a direct destination from its index 0
            // up to position + length, wiping bytes before the position; a slice confines that.
            cipher.doFinal(frame, dst.isDirect() ? dst.slice(out, plainLen) : dst);
        } catch (AEADBadTagException e) {
            frame.position(start);
            wipe(dst, out, plainLen);
            dst.position(out);
            return FrameStatus.TAG_MISMATCH;
        } catch (GeneralSecurityException e) {
            frame.position(start);
            dst.position(out);
            throw new IllegalStateException("AES-GCM failed", e);
        }
        FrameStatus s = check(frame, start, n, dst, out, plainLen);
        if (s != FrameStatus.OK) {
            frame.position(start);
            dst.position(out);
            flags = 0;
            urgentPointer = 0;
            return s;
        }
        int skip = (flags & Tcpcrypt05.FLAG_URG) != 0 ? 3 : 1;
        dataLength = plainLen - skip;
        dst.put(out, dst, out + skip, dataLength);
        dst.position(out + dataLength);
        return FrameStatus.OK;
    }

    private FrameStatus check(ByteBuffer frame, int start, int n, ByteBuffer dst, int out, int plainLen) {
        int control = frame.get(start) & 0xff;
        int len = frame.getShort(start + 1) & 0xffff;
        if (len != n - Tcpcrypt05.FRAME_HEADER_LENGTH) {
            return FrameStatus.BAD_LENGTH;
        }
        if (control != 0) {
            return FrameStatus.NONZERO_CONTROL;
        }
        if (plainLen < 1) {
            return FrameStatus.MISSING_FLAGS;
        }
        flags = dst.get(out) & 0xff;
        if ((flags & ~(Tcpcrypt05.FLAG_FIN | Tcpcrypt05.FLAG_URG)) != 0) {
            return FrameStatus.UNEXPECTED_FLAGS;
        }
        if ((flags & Tcpcrypt05.FLAG_URG) != 0) {
            if (plainLen < 3) {
                return FrameStatus.MISSING_URGENT_POINTER;
            }
            urgentPointer = dst.getShort(out + 1) & 0xffff;
        }
        return FrameStatus.OK;
    }

    private static void wipe(ByteBuffer dst, int from, int len) {
        for (int i = 0; i < len; i++) {
            dst.put(from + i, (byte) 0);
        }
    }

    /** Flags byte of the last frame opened with {@link FrameStatus#OK}. */
    public int flags() {
        return flags;
    }

    /** Whether the last opened frame carried FIN. */
    public boolean fin() {
        return (flags & Tcpcrypt05.FLAG_FIN) != 0;
    }

    /** Whether the last opened frame carried URG. */
    public boolean urgent() {
        return (flags & Tcpcrypt05.FLAG_URG) != 0;
    }

    /** Urgent pointer of the last opened frame (0 without URG). */
    public int urgentPointer() {
        return urgentPointer;
    }

    /** Data bytes of the last opened frame. */
    public int dataLength() {
        return dataLength;
    }
}
