package dev.tuncrypt.tcpstack.tcp;

import java.nio.ByteBuffer;

/**
 * The byte-stream half of a {@link SegmentProtection}, active once the handshake negotiated
 * it: opening messages in each direction, then every application byte sealed into frames
 * (design §6). TCP carries the sealed bytes (the wire stream) with its usual sequence numbers,
 * retransmits them unchanged (never sealing the same bytes twice), and hands the in-order wire
 * stream back through {@link StreamIo}. Called on the connection's loop thread only.
 */
public interface StreamProtection {

    /** Wire bytes a frame adds to its plaintext. */
    int frameOverhead();

    /** Largest plaintext one frame may carry. */
    int maxFramePayload();

    /**
     * Whether each frame must travel alone in one segment, never split or coalesced
     * (tcpcrypt-0.5: one frame per data segment).
     */
    boolean segmentAligned();

    /**
     * For a segment-aligned protection: whether the peer may be tcpcryptd 0.5, which maps
     * sequence numbers through a ring of its last 100 segments, so that at most 64 frames may be
     * unacknowledged and about as many advertised. Default: {@link #segmentAligned()}; false
     * lifts the cap (both ends are known to keep no such map).
     */
    default boolean limitsFramesInFlight() {
        return segmentAligned();
    }

    /** The connection is established: send opening bytes (e.g. Init1) with {@link StreamIo#emit}. */
    void start(StreamIo io) throws ProtectionException;

    /**
     * In-order wire bytes may be available ({@link StreamIo#wireAvailable}), or work the
     * protection asked to be woken for has finished: consume what can be processed and deliver
     * plaintext. Bytes that cannot be delivered yet stay unconsumed.
     */
    void onWireData(StreamIo io) throws ProtectionException;

    /**
     * Whether the end of the stream is sealed into a frame: when the application closes with
     * nothing left to seal, {@link #seal} is called once more with no bytes and {@code fin} set,
     * so the peer can authenticate the end of the stream. False (the default): a close with
     * nothing pending is a bare FIN (tcpcrypt-0.5).
     */
    default boolean sealsFinalFrame() {
        return false;
    }

    /**
     * Whether a frame must go out now even with no application data: {@link #seal} is then
     * called with no bytes (and {@code fin} false) until this turns false, e.g. the frame that
     * answers a key update (RFC 8548 §3.8). Default false.
     */
    default boolean wantsFrame() {
        return false;
    }

    /** Whether application bytes may be sealed now (keys are ready). */
    boolean canSeal();

    /**
     * Seals {@code length} bytes of {@code plain} (from its position, which advances) into one
     * frame written at {@code wire}'s position (which advances).
     *
     * @param fin whether this frame ends the stream (its segment carries FIN)
     * @param streamOffset wire-stream offset of the frame's first byte (0 = ISS + 1)
     */
    void seal(ByteBuffer plain, int length, boolean fin, long streamOffset, ByteBuffer wire) throws ProtectionException;

    /**
     * The peer's FIN arrived after {@code wireOffset} wire bytes. Throw if that contradicts
     * the framing (e.g. a partial frame is pending: the stream was truncated).
     */
    void onPeerFin(long wireOffset) throws ProtectionException;

    /** Wipes keys; called once when the connection ends. */
    void close();
}
