package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.SymCipher;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/**
 * Builds the frames of one direction (RFC 8548 §4.2):
 *
 * <pre>
 * control u8 | length u16 BE | AEAD(key, nonce, AAD = control || length, plaintext) (length bytes, tag included)
 * control: bit 0 = rekey (this frame is the first under the next key), other bits 0
 * plaintext: flags u8 [| urgent u16 if URGENT] | data            (§4.3, TCP header protection)
 * flags: 0x01 FINAL (the end of the stream: the FIN that follows is authentic), 0x02 URGENT
 * </pre>
 *
 * This side never sends URGENT (the stack has no urgent data).
 *
 * Frames are stream records: TCP may split and coalesce them freely, and a retransmission resends
 * the sealed bytes kept in the send buffer, never re-seals. {@link #seal} refuses an offset below
 * the end of the last sealed frame, so a (key, nonce) pair is never used twice.
 *
 * <p>Re-keying (RFC 8548 §3.8): after {@code rekeyAfterBytes} plaintext bytes under one key (or
 * on {@link #requestRekey()}), the next frame is sealed under {@code CPRF(key, CONST_REKEY,
 * ae_keylen)} with the rekey bit set, and the old key is wiped. Not thread-safe.
 */
public final class FrameSealer8548 extends FrameAead8548 {
    private final byte[] flagsByte = new byte[1];
    private final byte[] scratch = new byte[Rfc8548.FRAME_TAG_LENGTH + 1];
    private final long rekeyAfterBytes;
    private long sealedUnderKey;
    private boolean rekeyRequested;
    private long nextOffset;
    private boolean sealedAny;

    /**
     * @param key the direction's first key (copied)
     * @param rekeyAfterBytes plaintext bytes per key before re-keying; 0 never re-keys on its own
     */
    public FrameSealer8548(SymCipher cipher, byte[] key, long rekeyAfterBytes) {
        super(cipher, key);
        this.rekeyAfterBytes = rekeyAfterBytes;
    }

    /** Frame length for {@code dataLength} application bytes (no URGENT). */
    public static int frameLength(int dataLength) {
        return dataLength + Rfc8548.FRAME_OVERHEAD;
    }

    /** The next frame re-keys. */
    public void requestRekey() {
        rekeyRequested = true;
    }

    /** {@link #seal(ByteBuffer, int, long, ByteBuffer)} without flags. */
    public int seal(ByteBuffer data, long offset, ByteBuffer dst) {
        return seal(data, 0, offset, dst);
    }

    /**
     * Seals {@code data}'s remaining bytes with {@code flags} (0 or FINAL) as the frame at
     * {@code offset}, written at {@code dst}'s position.
     *
     * @return the frame length
     */
    public int seal(ByteBuffer data, int flags, long offset, ByteBuffer dst) {
        if ((flags & ~Rfc8548.FLAG_FINAL) != 0) {
            throw new IllegalArgumentException("only FINAL may be sent");
        }
        if (closed) {
            throw new IllegalStateException("sealer closed");
        }
        int dataLen = data.remaining();
        int frameLen = frameLength(dataLen);
        if (frameLen - Rfc8548.FRAME_HEADER_LENGTH > Rfc8548.MAX_FRAME_BODY) {
            throw new IllegalArgumentException("data too long for one frame: " + dataLen);
        }
        if (dst.remaining() < frameLen) {
            throw new IllegalArgumentException("destination has " + dst.remaining() + " bytes, frame needs " + frameLen);
        }
        if (sealedAny && Long.compareUnsigned(offset, nextOffset) < 0) {
            throw new IllegalStateException("offset " + Long.toUnsignedString(offset)
                    + " repeats or overlaps sealed frames (next free " + Long.toUnsignedString(nextOffset)
                    + "): resend the stored frame instead");
        }
        int control = 0;
        if (rekeyRequested || (rekeyAfterBytes > 0 && sealedUnderKey >= rekeyAfterBytes)) {
            replaceKey(nextKey(keyBytes));
            rekeyRequested = false;
            sealedUnderKey = 0;
            control = Rfc8548.CONTROL_REKEY;
        }
        int body = frameLen - Rfc8548.FRAME_HEADER_LENGTH;
        header[0] = (byte) control;
        header[1] = (byte) (body >>> 8);
        header[2] = (byte) body;
        setNonce(offset);
        int start = dst.position();
        flagsByte[0] = (byte) flags;
        try {
            init(Cipher.ENCRYPT_MODE, key);
            cipher.updateAAD(header);
            dst.put(header);
            int n = cipher.update(flagsByte, 0, 1, scratch);
            dst.put(scratch, 0, n);
            cipher.doFinal(data, dst);
        } catch (GeneralSecurityException e) {
            dst.position(start);
            throw new IllegalStateException(suite + " failed", e);
        }
        if (dst.position() - start != frameLen) {
            throw new IllegalStateException("frame length " + (dst.position() - start) + ", expected " + frameLen);
        }
        sealedAny = true;
        nextOffset = offset + frameLen;
        sealedUnderKey += dataLen;
        return frameLen;
    }

    /** The first offset a next frame may use. */
    public long nextFreeOffset() {
        return nextOffset;
    }
}
