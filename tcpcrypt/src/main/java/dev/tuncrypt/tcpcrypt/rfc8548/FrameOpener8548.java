package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SymCipher;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import dev.tuncrypt.tcpcrypt.crypto.RawKey;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;

/**
 * Checks and decrypts the frames of one direction (layout in {@link FrameSealer8548}). The tag
 * covers the control byte and the length (AAD) and is verified by the JDK's AEAD in constant time
 * before any plaintext is released; on any failure the destination bytes are wiped and nothing is
 * returned. A frame with rekey = 1 is opened under the next generation's keys, and the remote
 * generation moves on only once that frame authenticated (RFC 8548 §3.8: a forged bit fails the
 * tag and moves nothing). Reserved cres and fres bits are authenticated and otherwise ignored
 * (§4.2, §4.2.1). Not thread-safe.
 */
public final class FrameOpener8548 extends FrameAead8548 {
    private int control;
    private int flags;
    private int urgentOffset;
    private int dataLength;

    /**
     * @param masterKey mk[0] of the session (copied)
     * @param sender the peer's original role: k_ab if it was A (RFC 8548 §3.3, §3.5)
     */
    public FrameOpener8548(SymCipher cipher, byte[] masterKey, Role sender) {
        super(cipher, masterKey, sender);
    }

    /** The frame length a header at absolute {@code index} announces (3 + the u16), or -1 without 3 bytes. */
    public static int announcedFrameLength(ByteBuffer buf, int index) {
        if (buf.limit() - index < Rfc8548.FRAME_HEADER_LENGTH) {
            return -1;
        }
        return Rfc8548.FRAME_HEADER_LENGTH + (buf.getShort(index + 1) & 0xffff);
    }

    /**
     * Opens the frame filling {@code frame}'s remaining bytes, at stream {@code offset}, writing the
     * plaintext at {@code dst}'s position. On {@link FrameStatus8548#OK} both positions advance; on
     * anything else neither does.
     */
    public FrameStatus8548 open(ByteBuffer frame, long offset, ByteBuffer dst) {
        control = 0;
        flags = 0;
        urgentOffset = 0;
        dataLength = 0;
        if (closed) {
            return FrameStatus8548.CLOSED;
        }
        int start = frame.position();
        int n = frame.limit() - start;
        if (n < Rfc8548.FRAME_HEADER_LENGTH + Rfc8548.FRAME_TAG_LENGTH || announcedFrameLength(frame, start) != n) {
            return FrameStatus8548.BAD_LENGTH;
        }
        int plainLen = n - Rfc8548.FRAME_HEADER_LENGTH - Rfc8548.FRAME_TAG_LENGTH;
        int out = dst.position();
        if (dst.remaining() < plainLen) {
            return FrameStatus8548.DESTINATION_TOO_SMALL;
        }
        frame.get(start, header);
        boolean rekey = (header[0] & Rfc8548.CONTROL_REKEY) != 0;
        byte[] nextMk = rekey ? nextMasterKey(masterKey) : null;
        byte[] nextTraffic = rekey ? trafficKey(nextMk, sender, suite) : null;
        RawKey next = rekey ? new RawKey(key.getAlgorithm(), nextTraffic, 0, suite.keyLength()) : null;
        setNonce(offset, rekey ? Arrays.copyOfRange(nextTraffic, suite.keyLength(), nextTraffic.length) : nonceRandomizer);
        try {
            init(Cipher.DECRYPT_MODE, next != null ? next : key);
            cipher.updateAAD(header);
            frame.position(start + Rfc8548.FRAME_HEADER_LENGTH);
            cipher.doFinal(frame, dst.isDirect() ? dst.slice(out, plainLen) : dst);
        } catch (AEADBadTagException e) {
            frame.position(start);
            wipe(dst, out, plainLen);
            dst.position(out);
            if (nextMk != null) {
                Arrays.fill(nextMk, (byte) 0);
            }
            return FrameStatus8548.TAG_MISMATCH;
        } catch (GeneralSecurityException e) {
            frame.position(start);
            dst.position(out);
            throw new IllegalStateException(suite + " failed", e);
        } finally {
            if (next != null) {
                next.destroy();
            }
            if (nextTraffic != null) {
                Arrays.fill(nextTraffic, (byte) 0);
            }
        }
        if (nextMk != null) {
            install(nextMk); // §3.8: the frame authenticated under the next generation: the remote generation moves on
            generation++;
        }
        control = header[0] & 0xff;
        // §4.2.1: flags byte, the urgent offset if URGp, then the data (moved down to out)
        if (plainLen < Rfc8548.FRAME_FLAGS_LENGTH) {
            dst.position(out);
            return FrameStatus8548.MISSING_FLAGS;
        }
        flags = dst.get(out) & 0xff;
        int skip = Rfc8548.FRAME_FLAGS_LENGTH;
        if ((flags & Rfc8548.FLAG_URGENT) != 0) {
            if (plainLen < skip + Rfc8548.URGENT_LENGTH) {
                wipe(dst, out, plainLen);
                dst.position(out);
                return FrameStatus8548.MISSING_URGENT_OFFSET;
            }
            urgentOffset = dst.getShort(out + skip) & 0xffff;
            skip += Rfc8548.URGENT_LENGTH;
        }
        dataLength = plainLen - skip;
        dst.put(out, dst, out + skip, dataLength);
        dst.position(out + dataLength);
        return FrameStatus8548.OK;
    }

    /** Flags byte of the last frame opened (reserved bits are authenticated and ignored). */
    public int flags() {
        return flags;
    }

    /** Whether the last frame opened carried FINAL: the end of the stream. */
    public boolean fin() {
        return (flags & Rfc8548.FLAG_FINAL) != 0;
    }

    /** The urgent offset of the last frame opened (0 without URGENT); the stack has no urgent data to give it to. */
    public int urgentOffset() {
        return urgentOffset;
    }

    private static void wipe(ByteBuffer dst, int from, int len) {
        for (int i = 0; i < len && from + i < dst.limit(); i++) {
            dst.put(from + i, (byte) 0);
        }
    }

    /** Control byte of the last frame opened. */
    public int control() {
        return control;
    }

    /** Application bytes of the last frame opened. */
    public int dataLength() {
        return dataLength;
    }
}
