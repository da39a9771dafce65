package dev.tuncrypt.client;

import dev.tuncrypt.client.wire.Errno;
import java.io.IOException;

/** A control request that got no answer, or a refusal, from the daemon. */
public final class ControlException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** Nothing listens at the control address (no socket file, connection refused). */
        NOT_RUNNING,
        /** The socket file exists but this user may not write to it. */
        NO_ACCESS,
        /** No reply in time. */
        TIMEOUT,
        /** The reply could not be decoded. */
        BAD_REPLY,
        /** The daemon answered with an error ({@link #errno()}). */
        REFUSED,
        /** Another I/O failure. */
        IO
    }

    private final Kind kind;
    private final int errno;

    public ControlException(Kind kind, int errno, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.errno = errno;
    }

    static ControlException refused(int errno, String what) {
        return new ControlException(Kind.REFUSED, errno, what + ": " + Errno.describe(errno), null);
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** The daemon's errno for {@link Kind#REFUSED}, else 0. */
    public int errno() {
        return errno;
    }
}
