package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.SessionCache;
import dev.tuncrypt.tcpstack.tcp.ProtectionException;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * What one wire dialect supplies to {@link FramedStream} for one connection: the Init message
 * codec and key agreement, the key schedule ({@link SessionKeys}) and the framing rules. The
 * stream itself (states, hand-off to a worker, open and seal loops, FIN rules) is the same for
 * every dialect. Init handling ({@link #init1}) runs on the loop, {@link #agreeAsA} and
 * {@link #agreeAsB} on a worker.
 */
interface DialectCodec {
    /** Bytes of an Init message's header (magic u32 and message length u32) in both dialects. */
    int INIT_HEADER = 8;

    /** The dialect's name ({@link TcpCryptInfo#dialect()}). */
    String dialect();

    /** Frame bytes beyond the data (header, flags, tag). */
    int frameOverhead();

    /** The most data one frame carries. */
    int maxFramePayload();

    /** Whether frames are cut to segments (tcpcrypt-0.5) rather than records of the stream (RFC 8548 §4.2). */
    boolean segmentAligned();

    /** Whether the peer may cap the frames in flight ({@code StreamProtection#limitsFramesInFlight}). */
    boolean limitsFramesInFlight();

    /**
     * Whether the end of the stream must be authenticated: it travels in a frame (RFC 8547 §5,
     * RFC 8548 §3.7 FINp), a FIN after whole frames none of which ended the stream is an error.
     * tcpcrypt-0.5 ends with a bare FIN as tcpcryptd does.
     */
    boolean authenticatedEnd();

    /** Whether frame offsets count from the byte after the Init message (tcpcrypt-0.5) or from the first byte of the stream. */
    boolean offsetsAfterInit();

    /** Bytes of the nonce in an Init message (N_A, N_B). */
    int nonceLength();

    /** Bytes of a frame header (the u16 length in it gives the rest). */
    int frameHeaderLength();

    /** The whole length a frame header at absolute index 0 of {@code header} announces. */
    int announcedFrameLength(ByteBuffer header);

    /** Rejects an announced frame length the dialect cannot open (checked before the frame is whole). */
    void checkFrameLength(int length) throws ProtectionException;

    /** The application room needed before a frame {@code length} bytes long is opened. */
    int plainRoom(int length);

    /**
     * The length of the Init message whose header fills {@code header} (absolute index 0): how
     * many bytes to take before the codec parses them.
     */
    int initLength(ByteBuffer header) throws ProtectionException;

    /** The length of a whole Init message at the start of {@code available} bytes with this header, or -1 if it is cut short. */
    int wholeInitLength(ByteBuffer header, int available);

    /** Role A, on the loop: Init1 with {@code nonce} and the current ephemeral key ({@link #localPublicKey()} after it). */
    byte[] init1(byte[] nonce);

    /** Role A's public key as Init1 carries it, once {@link #init1} ran. */
    byte[] localPublicKey();

    /** Role A, on a worker: the keys from the peer's Init2. */
    Agreement agreeAsA(byte[] init2, byte[] transcript);

    /** Role B, on a worker: the keys and Init2 from the peer's Init1. */
    Agreement agreeAsB(byte[] init1, byte[] transcript, byte[] nonce);

    /** The keys of a resumed session, without Init messages. */
    SessionKeys resume(EnoOutcome.Resumed resumed);

    /** The cache the dialect's sessions go to. */
    SessionCache<InetAddress> cache();

    /** How key agreement on a worker ended. */
    sealed interface Agreement {
        /** Keys agreed; {@code init2} is role B's answer to emit (null for role A). */
        record Agreed(SessionKeys keys, byte[] localPublicKey, byte[] peerPublicKey, byte[] init2) implements Agreement {}

        /** The peer's Init message was refused for {@code reason}. */
        record Refused(Enum<?> reason) implements Agreement {}
    }
}
