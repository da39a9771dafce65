package dev.tuncrypt.client.wire;

/** A control datagram or option payload that cannot be decoded. */
public final class MalformedMessageException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong. */
    public enum Reason {
        /** Fewer than 36 bytes. */
        TRUNCATED_HEADER,
        /** {@code dlen} larger than the receiver accepts. */
        DATA_TOO_LONG,
        /** {@code dlen} disagrees with the datagram's length. */
        LENGTH_MISMATCH,
        /** An option payload that is cut short or inconsistent. */
        BAD_PAYLOAD
    }

    private final Reason reason;

    public MalformedMessageException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** What was wrong. */
    public Reason reason() {
        return reason;
    }
}
