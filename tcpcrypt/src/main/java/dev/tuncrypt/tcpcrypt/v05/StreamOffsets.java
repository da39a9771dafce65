package dev.tuncrypt.tcpcrypt.v05;

/**
 * Stream offsets, the frames' IVs. The offset is the TCP sequence distance of the frame's first
 * byte from the start of that direction's frame stream, so it counts <b>frame bytes on the
 * wire</b> (headers, flags bytes and tags included), not plaintext (golden vectors README,
 * correction 3: A->B frames at 0, 33, 1461, 2889).
 *
 * <p>Stream start ({@code tc_isn} / {@code tc_isn_peer} in {@code src/tcpcrypt.c}):
 * <ul>
 *   <li>full handshake: the sequence number of the Init message's first byte + its length, i.e.
 *       SYN ISN + 1 + Init length ({@code do_output_pkconf_rcvd}, {@code process_init1},
 *       {@code do_input_pkconf_sent}, {@code process_init2});
 *   <li>resumed: ISN + 1 ({@code do_tcp_output}, {@code tcp_input_pre}).
 * </ul>
 *
 * <p>Sequence wrap: the reference computes {@code (uint64_t) seq32 - (uint64_t) start32}
 * ({@code get_iv}, "XXX WRAP"), which equals {@code (seq - start) mod 2^32} only until the
 * sequence number wraps past 2^32; after that its offset is that difference minus 2^32 as an
 * unsigned 64-bit number, and after 2^32 bytes the IVs repeat. {@link #referenceOffset} reproduces
 * this for interoperation; {@link FrameSealer} refuses to seal at a repeated offset, so a
 * direction must end before 4 GiB of frames (the reference cannot rekey).
 */
public final class StreamOffsets {
    private StreamOffsets() {}

    /** Stream start after a full handshake: first sequence number after the Init message. */
    public static int fullHandshakeStart(int initMessageSeq, int initLength) {
        return initMessageSeq + initLength;
    }

    /** Stream start of a resumed session: the sender's ISN + 1. */
    public static int resumedStart(int isn) {
        return isn + 1;
    }

    /** The offset exactly as tcpcryptd 0.5 derives it from a segment's sequence number. */
    public static long referenceOffset(int seq, int streamStart) {
        return Integer.toUnsignedLong(seq) - Integer.toUnsignedLong(streamStart);
    }

    /**
     * The frame offset (as tcpcryptd 0.5 computes it) of a frame at {@code wireOffset} in a
     * stream whose wire offset 0 is the sender's ISN + 1 (the convention of tcpstack's
     * {@code StreamProtection}), after an opening message of {@code openingLength} bytes (the
     * Init1 or Init2 length on a full handshake, 0 on a resumed session).
     *
     * @param isn the sender's initial sequence number (its SYN's sequence number)
     */
    public static long fromWireOffset(int isn, long wireOffset, int openingLength) {
        int seq = (int) (Integer.toUnsignedLong(isn) + 1 + wireOffset);
        return referenceOffset(seq, isn + 1 + openingLength);
    }

    /** {@code (seq - start) mod 2^32}, equal to {@link #referenceOffset} while no wrap occurred. */
    public static long offset32(int seq, int streamStart) {
        return Integer.toUnsignedLong(seq - streamStart);
    }

    /** The 8-byte GCM IV of a frame at {@code streamOffset}: the offset little-endian. */
    public static byte[] iv(long streamOffset) {
        byte[] b = new byte[Tcpcrypt05.IV_LENGTH];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (streamOffset >>> (8 * i));
        }
        return b;
    }
}
