package dev.tuncrypt.tcpstack.tcp;

/** Why a connection ended abnormally; each maps to the errno a kernel socket would report. */
public enum TcpError {
    /** The peer answered our SYN with a reset (ECONNREFUSED). */
    REFUSED("connection refused"),
    /** The peer reset an established connection (ECONNRESET). */
    RESET("connection reset by peer"),
    /** Retransmissions, keepalives or the user timeout ran out (ETIMEDOUT). */
    TIMED_OUT("connection timed out"),
    /** The local application aborted the connection. */
    ABORTED("connection aborted"),
    /** ICMP said the destination is unreachable (EHOSTUNREACH / ECONNREFUSED for port unreachable). */
    UNREACHABLE("destination unreachable"),
    /** The segment protection rejected what the peer sent (the connection was reset). */
    PROTECTION_FAILED("protection failure"),
    /** A policy requires protection and the peer does not offer it (the connection was refused). */
    NOT_PROTECTED("peer does not support the required encryption"),
    /** The stack is shutting down. */
    STACK_CLOSED("stack closed");

    private final String message;

    TcpError(String message) {
        this.message = message;
    }

    public String message() {
        return message;
    }
}
