package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import java.nio.ByteBuffer;

/**
 * The keys of one session in one dialect, once agreed or resumed: its identity and its frame
 * sealer and opener (one per direction). {@link FramedStream} opens and seals through it and never
 * sees a key. Loop thread only.
 */
interface SessionKeys extends AutoCloseable {
    SessionId sessionId();

    Tep tep();

    SymCipher cipher();

    boolean isResumed();

    /**
     * Opens the frame that fills {@code frame}'s remaining bytes, at {@code offset}, writing its
     * data at {@code plain}'s position.
     *
     * @return null if it authenticated, else the codec's typed reason
     */
    Enum<?> open(ByteBuffer frame, long offset, ByteBuffer plain);

    /** Whether the frame opened last ended the peer's stream (tcpcrypt-0.5 FIN flag, RFC 8548 FINAL). */
    boolean endedStream();

    /**
     * After a frame opened: takes a key update it announced (RFC 8548 §3.8).
     *
     * @return whether a frame is owed in answer (the stream asks the loop to seal one)
     */
    boolean followPeerKeys();

    /** Whether a frame is owed to the peer although no data waits (RFC 8548 §3.8). */
    boolean frameOwed();

    /** Seals {@code data}'s remaining bytes as one frame at {@code offset}, ending the stream if {@code fin}. */
    void seal(ByteBuffer data, boolean fin, long offset, ByteBuffer wire);

    /** What to cache for resuming this session later. */
    CachedSession cacheEntry();

    /** Wipes the keys. */
    @Override
    void close();
}
