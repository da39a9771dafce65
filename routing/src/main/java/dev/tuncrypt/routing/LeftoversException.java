package dev.tuncrypt.routing;

/**
 * Rules, routes, nft tables or a state file carrying this project's tag already exist (a daemon
 * still running, or one that crashed): nothing was changed; run the cleanup first.
 */
public final class LeftoversException extends RoutingException {
    private static final long serialVersionUID = 1L;

    public LeftoversException(String message) {
        super(message);
    }
}
