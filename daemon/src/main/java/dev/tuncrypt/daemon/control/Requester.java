package dev.tuncrypt.daemon.control;

/**
 * Who sent a control request: the uid the kernel reported (SCM_CREDENTIALS) on a unix socket,
 * {@link #UNKNOWN} over UDP, which carries no credentials.
 *
 * @param uid the sender's uid, or -1
 */
public record Requester(int uid) {
    /** A sender whose uid is unknown (UDP). */
    public static final Requester UNKNOWN = new Requester(-1);
    /** root. */
    public static final Requester ROOT = new Requester(0);

    /** Whether the sender is root. */
    public boolean isRoot() {
        return uid == 0;
    }

    /** Whether the uid is known. */
    public boolean isKnown() {
        return uid >= 0;
    }
}
