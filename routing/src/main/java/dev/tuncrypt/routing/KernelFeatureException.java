package dev.tuncrypt.routing;

/**
 * The kernel (or the installed nftables) refused a feature the plan needs, found before anything
 * was changed: {@code nft --check} rejected the ruleset, or a sysctl the plan sets does not exist.
 */
public final class KernelFeatureException extends RoutingException {
    private static final long serialVersionUID = 1L;

    public KernelFeatureException(String message) {
        super(message);
    }
}
