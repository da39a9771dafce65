package dev.tuncrypt.routing;

/**
 * Why a routing plan could not be built, applied, verified or removed. Callers tell the cases
 * apart by type: {@link InvalidPlanException}, {@link ToolMissingException},
 * {@link KernelFeatureException}, {@link CommandFailedException}, {@link LeftoversException},
 * {@link VerificationException}, {@link OwnerAliveException}.
 */
public abstract sealed class RoutingException extends Exception
        permits InvalidPlanException, ToolMissingException, KernelFeatureException,
                CommandFailedException, LeftoversException, VerificationException, OwnerAliveException {
    private static final long serialVersionUID = 1L;

    RoutingException(String message) {
        super(message);
    }

    RoutingException(String message, Throwable cause) {
        super(message, cause);
    }
}
