package dev.tuncrypt.routing;

/** After applying, the kernel's state did not match the plan (it was rolled back). */
public final class VerificationException extends RoutingException {
    private static final long serialVersionUID = 1L;

    public VerificationException(String message) {
        super(message);
    }
}
