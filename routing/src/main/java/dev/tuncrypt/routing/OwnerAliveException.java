package dev.tuncrypt.routing;

/**
 * {@code --cleanup} was asked to remove routing state whose daemon still runs: removing it would
 * send that daemon's steered (and required-encrypted) traffic out in the clear. Nothing was
 * changed; stop the daemon (SIGTERM restores everything) or force the cleanup.
 */
public final class OwnerAliveException extends RoutingException {
    private static final long serialVersionUID = 1L;
    private final long pid;

    public OwnerAliveException(long pid) {
        super("the routing state belongs to tuncryptd pid " + pid + ", which is running: stop it (SIGTERM restores"
                + " everything), or add --force to remove the state under it (its traffic then leaves unencrypted)");
        this.pid = pid;
    }

    /** The running owner. */
    public long pid() {
        return pid;
    }
}
