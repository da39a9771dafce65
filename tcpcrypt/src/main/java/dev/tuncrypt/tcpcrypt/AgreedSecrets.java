package dev.tuncrypt.tcpcrypt;

/**
 * The secrets of one tcpcrypt session as both dialects' key schedules expose them
 * ({@code v05.SessionSecrets}, {@code rfc8548.SessionSecrets8548}): what was agreed, and a
 * {@link #close()} that wipes it.
 */
public interface AgreedSecrets extends AutoCloseable {
    Tep tep();

    SymCipher cipher();

    /** Whether the session was resumed from a cached one. */
    boolean isResumed();

    SessionId sessionId();

    /** Wipes the secrets. */
    @Override
    void close();
}
