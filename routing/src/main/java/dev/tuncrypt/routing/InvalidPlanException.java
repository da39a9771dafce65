package dev.tuncrypt.routing;

/** A plan or one of its parts (prefix, port list, mark, uid) is malformed; the message is one line. */
public final class InvalidPlanException extends RoutingException {
    private static final long serialVersionUID = 1L;

    public InvalidPlanException(String message) {
        super(message);
    }
}
