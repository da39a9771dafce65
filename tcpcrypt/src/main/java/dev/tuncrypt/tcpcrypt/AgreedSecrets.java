package dev.tuncrypt.tcpcrypt;

import java.util.Objects;

/**
 * The secrets of one tcpcrypt session, the part both dialects' key schedules share
 * ({@code v05.SessionSecrets}, {@code rfc8548.SessionSecrets8548}): what was agreed, and a
 * {@link #close()} that wipes the keys, after which no key can be read.
 */
public abstract class AgreedSecrets implements AutoCloseable {
    private final Tep tep;
    private final SymCipher cipher;
    private final boolean resumed;
    private boolean closed;

    protected AgreedSecrets(Tep tep, SymCipher cipher, boolean resumed) {
        this.tep = Objects.requireNonNull(tep, "tep");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.resumed = resumed;
    }

    public final Tep tep() {
        return tep;
    }

    public final SymCipher cipher() {
        return cipher;
    }

    /** Whether the session was resumed from a cached one. */
    public final boolean isResumed() {
        return resumed;
    }

    /** The ENO session ID (33 bytes, first byte TEP or TEP|0x80). */
    public abstract SessionId sessionId();

    /** {@code key} itself, for reading while the secrets are open. */
    protected final byte[] live(byte[] key) {
        if (closed) {
            throw new IllegalStateException("session secrets closed");
        }
        return key;
    }

    /** Zeroes every key the subclass holds. */
    protected abstract void wipe();

    /** Zeroes every secret. */
    @Override
    public final void close() {
        wipe();
        closed = true;
    }
}
