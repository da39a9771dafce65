package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import java.nio.ByteBuffer;

/**
 * The keys of one session in one dialect, once agreed or resumed: its secrets and its frame
 * sealer and opener (one per direction). {@link FramedStream} opens and seals through it and never
 * sees a key. Loop thread only.
 */
abstract class SessionKeys implements AutoCloseable {
    private final AgreedSecrets secrets;

    SessionKeys(AgreedSecrets secrets) {
        this.secrets = secrets;
    }

    final SessionId sessionId() {
        return secrets.sessionId();
    }

    final Tep tep() {
        return secrets.tep();
    }

    final SymCipher cipher() {
        return secrets.cipher();
    }

    final boolean isResumed() {
        return secrets.isResumed();
    }

    /**
     * Opens the frame that fills {@code frame}'s remaining bytes, at {@code offset}, writing its
     * data at {@code plain}'s position.
     *
     * @return null if it authenticated, else the codec's typed reason
     */
    abstract Enum<?> open(ByteBuffer frame, long offset, ByteBuffer plain);

    /** Whether the frame opened last ended the peer's stream (tcpcrypt-0.5 FIN flag, RFC 8548 FINAL). */
    abstract boolean endedStream();

    /**
     * After a frame opened: takes a key update it announced (RFC 8548 §3.8).
     *
     * @return whether a frame is owed in answer (the stream asks the loop to seal one)
     */
    boolean followPeerKeys() {
        return false;
    }

    /** Whether a frame is owed to the peer although no data waits (RFC 8548 §3.8). */
    boolean frameOwed() {
        return false;
    }

    /** Seals {@code data}'s remaining bytes as one frame at {@code offset}, ending the stream if {@code fin}. */
    abstract void seal(ByteBuffer data, boolean fin, long offset, ByteBuffer wire);

    /** What to cache for resuming this session later. */
    abstract CachedSession cacheEntry();

    /** Wipes the sealer's and the opener's keys. */
    abstract void closeFrames();

    /** Wipes every key. */
    @Override
    public final void close() {
        closeFrames();
        secrets.close();
    }
}
