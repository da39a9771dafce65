package dev.tuncrypt.daemon;

/** The daemon could not start or keep running; the message is one line a user understands. */
public final class DaemonException extends Exception {
    private static final long serialVersionUID = 1L;

    public DaemonException(String message, Throwable cause) {
        super(message, cause);
    }

    public DaemonException(String message) {
        super(message);
    }
}
