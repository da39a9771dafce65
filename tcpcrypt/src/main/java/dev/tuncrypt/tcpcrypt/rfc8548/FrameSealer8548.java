package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SymCipher;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/**
 * Builds the frames of one direction (RFC 8548 §4.2):
 *
 * <pre>
 * control u8 | clen u16 BE | AEAD(K, N, AAD = control || clen, plaintext) (clen bytes, tag included)
 * control: bit 0 = rekey (the first frame under a new local generation, §3.8), cres bits 0
 * plaintext: flags u8 [| urgent u16 if URGp] | data                        (§4.2.1, §3.7)
 * flags: 0x01 FINp (the last frame: the FIN that follows is authentic), 0x02 URGp, fres bits 0
 * </pre>
 *
 * This side never sends URGp (the stack has no urgent data).
 *
 * Frames are stream records: TCP may split and coalesce them freely, and a retransmission resends
 * the sealed bytes kept in the send buffer, never re-seals (§3.6, §3.8). {@link #seal} refuses an
 * offset below the end of the last sealed frame, so a (key, nonce) pair is never used twice.
 *
 * <p>Re-keying (RFC 8548 §3.8): the local generation moves on after {@code rekeyAfterBytes}
 * plaintext bytes under one key-set (initiating re-keying), or once per {@link #requestRekey()}
 * (the answer a received rekey = 1 requires); the first frame under the new generation carries
 * rekey = 1, every other frame rekey = 0; the old keys are wiped. Not thread-safe.
 */
public final class FrameSealer8548 extends FrameAead8548 {
    private final byte[] flagsByte = new byte[1];
    private final byte[] scratch = new byte[Rfc8548.FRAME_TAG_LENGTH + 1];
    private final long rekeyAfterBytes;
    private long sealedUnderKey;
    private int rekeysRequested;
    private long nextOffset;
    private boolean sealedAny;
    private boolean sealedFinal;

    /**
     * @param masterKey mk[0] of the session (copied)
     * @param sender this host's original role: k_ab if it was A (RFC 8548 §3.3, §3.5)
     * @param rekeyAfterBytes plaintext bytes per key-set before initiating re-keying; 0 never
     */
    public FrameSealer8548(SymCipher cipher, byte[] masterKey, Role sender, long rekeyAfterBytes) {
        super(cipher, masterKey, sender);
        this.rekeyAfterBytes = rekeyAfterBytes;
    }

    /** Frame length for {@code dataLength} application bytes (no URGp). */
    public static int frameLength(int dataLength) {
        return dataLength + Rfc8548.FRAME_OVERHEAD;
    }

    /** The next frame moves to the next local generation (and carries rekey = 1). */
    public void requestRekey() {
        rekeysRequested++;
    }

    /**
     * RFC 8548 §3.8: the peer's frames reached remote generation {@code remote}; when it is above
     * the local generation (counting moves already requested), the local generation follows and
     * a frame with rekey = 1 must go out at once. Nothing after the FINp frame.
     *
     * @return whether a frame is now owed ({@link #rekeyOwed()})
     */
    public boolean followRemote(long remote) {
        while (!sealedFinal && remote > generation + rekeysRequested) {
            rekeysRequested++;
        }
        return rekeyOwed();
    }

    /** Whether a generation move waits for a frame to carry its rekey = 1 (empty if need be). */
    public boolean rekeyOwed() {
        return rekeysRequested > 0 && !sealedFinal && !closed;
    }

    /** {@link #seal(ByteBuffer, int, long, ByteBuffer)} without flags. */
    public int seal(ByteBuffer data, long offset, ByteBuffer dst) {
        return seal(data, 0, offset, dst);
    }

    /**
     * Seals {@code data}'s remaining bytes with {@code flags} (0 or FINp) as the frame at
     * {@code offset}, written at {@code dst}'s position.
     *
     * @return the frame length
     */
    public int seal(ByteBuffer data, int flags, long offset, ByteBuffer dst) {
        if ((flags & ~Rfc8548.FLAG_FINAL) != 0) {
            throw new IllegalArgumentException("only FINp may be sent");
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
        if (rekeysRequested > 0 || (rekeyAfterBytes > 0 && sealedUnderKey >= rekeyAfterBytes)) {
            // §3.8: a new local generation; its first frame says so
            install(nextMasterKey(masterKey));
            generation++;
            rekeysRequested = Math.max(0, rekeysRequested - 1);
            sealedUnderKey = 0;
            control = Rfc8548.CONTROL_REKEY;
        }
        int body = frameLen - Rfc8548.FRAME_HEADER_LENGTH;
        header[0] = (byte) control;
        header[1] = (byte) (body >>> 8);
        header[2] = (byte) body;
        setNonce(offset, nonceRandomizer);
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
        sealedFinal |= (flags & Rfc8548.FLAG_FINAL) != 0;
        nextOffset = offset + frameLen;
        sealedUnderKey += dataLen;
        return frameLen;
    }

    /** The first offset a next frame may use. */
    public long nextFreeOffset() {
        return nextOffset;
    }
}
