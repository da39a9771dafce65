package dev.tuncrypt.tcpstack.tcp;

/**
 * A segment protection rejected what the peer sent or failed: the connection is reset
 * (design §6: never a silent fall back). {@code reason} is the protection's own typed code,
 * counted by the stack.
 */
public final class ProtectionException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Enum<?> reason;

    public ProtectionException(Enum<?> reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** The typed reason (an enum of the protection's). */
    public Enum<?> reason() {
        return reason;
    }
}
