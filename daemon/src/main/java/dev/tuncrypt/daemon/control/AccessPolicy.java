package dev.tuncrypt.daemon.control;

/**
 * What a requester may do. Reading (session IDs, netstat, status) is open to every local sender
 * that can reach the socket; changes need credentials, so over UDP nothing can be changed.
 */
final class AccessPolicy {
    private final SocketPermissions permissions;

    AccessPolicy(SocketPermissions permissions) {
        this.permissions = permissions;
    }

    /** RESET of a connection: root, or the uid owning the application socket. */
    boolean mayChange(Requester who, ConnectionView view) {
        return who.isRoot() || (who.isKnown() && view.ownerUid() >= 0 && who.uid() == view.ownerUid());
    }

    /** An option set before connect: root, or anyone local with credentials if configured. */
    boolean mayPreset(Requester who) {
        return who.isRoot() || (who.isKnown() && permissions.presetsFromAnyUser());
    }

    /** Flushing the daemon-wide session cache: root. */
    boolean mayFlush(Requester who) {
        return who.isRoot();
    }
}
