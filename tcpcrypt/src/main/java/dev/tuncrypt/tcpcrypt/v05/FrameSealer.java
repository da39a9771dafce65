package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.SymCipher;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/**
 * Builds the frames of one direction of a tcpcrypt-0.5 connection. Layout
 * ({@code encrypt_and_mac} in {@code src/tcpcrypt.c}; golden vectors {@code frames[]}):
 *
 * <pre>
 * 00 | len u16 BE | AES-GCM( flags u8 [| urgent pointer u16 BE if flags &amp; URG] | data ) | tag (16)
 * len = bytes after the 3-byte header, tag included;  AAD = the 3 header bytes
 * flags: 0x01 FIN was set on the carrying segment, 0x02 URG
 * IV = stream offset of the frame's first byte, 8 bytes little-endian ({@link StreamOffsets})
 * </pre>
 *
 * One frame per data segment, so a 34-byte payload becomes a 54-byte segment:
 * {@link #OVERHEAD} = 20 bytes, 22 with URG. The reference sends no frame for a segment without
 * data (a bare FIN stays a plain TCP FIN); {@link #seal} accepts empty data but the caller should
 * not send such a frame to tcpcryptd 0.5.
 *
 * <p>Hot path: one reused {@link Cipher} and reused scratch arrays; this class allocates nothing
 * per frame but the {@code GCMParameterSpec} the JCE requires. The SunJCE GCM engine allocates
 * its own per-operation state on every {@code init} (about 1.2 KB per frame with heap buffers on
 * JDK 25, about 3 KB with direct buffers, whose contents it copies through temporary arrays):
 * prefer heap buffers. GCM must never see a (key, IV) pair twice: offsets must
 * increase (unsigned) from frame to frame, and a retransmission must resend the stored frame,
 * never re-seal it. {@link #seal} throws {@link IllegalStateException} on a repeated or
 * overlapping offset. Not thread-safe: one per connection direction, on the connection's thread.
 */
public final class FrameSealer extends FrameCipher {
    /** Frame bytes beyond the data without URG: 3 header + 1 flags + 16 tag. */
    public static final int OVERHEAD = Tcpcrypt05.FRAME_OVERHEAD;
    /** Largest data length of one frame without URG (the u16 length field bounds it). */
    public static final int MAX_DATA = Tcpcrypt05.MAX_FRAME_BODY - Tcpcrypt05.FRAME_FLAGS_LENGTH - Tcpcrypt05.FRAME_TAG_LENGTH;

    private final ByteBuffer prefix = ByteBuffer.allocate(Tcpcrypt05.FRAME_FLAGS_LENGTH + Tcpcrypt05.FRAME_URGENT_POINTER_LENGTH);
    private long nextOffset;
    private boolean sealedAny;

    /** A sealer with a copy of {@code key}. */
    public FrameSealer(SymCipher cipher, byte[] key) {
        super(cipher, key);
    }

    /** Total frame length for {@code dataLength} bytes of data and these flags. */
    public static int frameLength(int dataLength, int flags) {
        return dataLength + OVERHEAD + ((flags & Tcpcrypt05.FLAG_URG) != 0 ? Tcpcrypt05.FRAME_URGENT_POINTER_LENGTH : 0);
    }

    /**
     * Seals all remaining bytes of {@code data} with {@code flags} (FIN only; URG needs
     * {@link #seal(ByteBuffer, int, int, long, ByteBuffer)}) as the frame at {@code streamOffset},
     * written at {@code dst}'s position.
     *
     * @return the frame length; {@code data}'s position reaches its limit, {@code dst}'s advances
     *     by the frame length
     */
    public int seal(ByteBuffer data, int flags, long streamOffset, ByteBuffer dst) {
        if ((flags & Tcpcrypt05.FLAG_URG) != 0) {
            throw new IllegalArgumentException("URG needs an urgent pointer");
        }
        return seal(data, flags, 0, streamOffset, dst);
    }

    /**
     * Seals with an urgent pointer, carried when {@code flags} has URG (0x02), big-endian as the
     * reference copies {@code th_urp}.
     */
    public int seal(ByteBuffer data, int flags, int urgentPointer, long streamOffset, ByteBuffer dst) {
        if (closed) {
            throw new IllegalStateException("sealer closed");
        }
        if ((flags & ~(Tcpcrypt05.FLAG_FIN | Tcpcrypt05.FLAG_URG)) != 0) {
            throw new IllegalArgumentException("flags may only be FIN (0x01) and URG (0x02)");
        }
        boolean urg = (flags & Tcpcrypt05.FLAG_URG) != 0;
        int dataLen = data.remaining();
        int frameLen = frameLength(dataLen, flags);
        int body = frameLen - Tcpcrypt05.FRAME_HEADER_LENGTH;
        if (body > Tcpcrypt05.MAX_FRAME_BODY) {
            throw new IllegalArgumentException("data too long for one frame: " + dataLen);
        }
        if (dst.remaining() < frameLen) {
            throw new IllegalArgumentException("destination has " + dst.remaining() + " bytes, frame needs " + frameLen);
        }
        if (sealedAny && Long.compareUnsigned(streamOffset, nextOffset) < 0) {
            throw new IllegalStateException("offset " + Long.toUnsignedString(streamOffset)
                    + " repeats or overlaps sealed frames (next free offset " + Long.toUnsignedString(nextOffset)
                    + "): resend the stored frame instead");
        }
        header[0] = 0;
        header[1] = (byte) (body >>> 8);
        header[2] = (byte) body;
        prefix.clear();
        prefix.put((byte) flags);
        if (urg) {
            prefix.putShort((short) urgentPointer);
        }
        prefix.flip();
        setIv(streamOffset);
        int start = dst.position();
        try {
            init(Cipher.ENCRYPT_MODE);
            cipher.updateAAD(header);
            dst.put(header);
            cipher.update(prefix, dst);
            cipher.doFinal(data, dst);
        } catch (GeneralSecurityException e) {
            dst.position(start);
            throw new IllegalStateException("AES-GCM failed", e);
        }
        if (dst.position() - start != frameLen) {
            throw new IllegalStateException("frame length " + (dst.position() - start) + ", expected " + frameLen);
        }
        sealedAny = true;
        nextOffset = streamOffset + frameLen;
        return frameLen;
    }

    /** The first offset a next frame may use (unsigned). */
    public long nextFreeOffset() {
        return nextOffset;
    }
}
