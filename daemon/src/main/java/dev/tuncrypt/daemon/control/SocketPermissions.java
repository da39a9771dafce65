package dev.tuncrypt.daemon.control;

import java.util.Optional;

/**
 * Who may reach the control socket and what they may change.
 *
 * <p>The socket file gets {@code mode} and, when given, {@code owner} and {@code group} (names or
 * numeric ids). Writing to the file is what lets a process send a request, so 0666 lets every
 * local user read session IDs and netstat, as tcpcryptd 0.5 (0777) did. Changing a connection
 * (RESET) is for root or the connection's owner ({@link ConnectionView#ownerUid()}); flushing the
 * session cache is for root. An option set before connect (TCP_CRYPT_ENABLE,
 * TCP_CRYPT_APP_SUPPORT) has no connection yet to own: root only, unless
 * {@code presetsFromAnyUser}, which lets any local user preset any port (tcpcryptd 0.5's
 * behaviour, a downgrade lever against other users' connections).
 *
 * @param mode permission bits of the socket file (e.g. 0666)
 * @param owner user to chown the socket file to, if any
 * @param group group to chown the socket file to, if any
 * @param presetsFromAnyUser whether non-root users may set before-connect options
 */
public record SocketPermissions(int mode, Optional<String> owner, Optional<String> group, boolean presetsFromAnyUser) {

    /** Mode 0666, owner and group as created (the daemon's), presets for root only. */
    public static final SocketPermissions DEFAULT = new SocketPermissions(0666, Optional.empty(), Optional.empty(), false);

    public SocketPermissions {
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("mode must be within 0777: " + Integer.toOctalString(mode));
        }
    }

    /** Parses an octal mode such as "0660" (for a command line). */
    public static int parseMode(String octal) {
        if (!octal.matches("0?[0-7]{3}")) {
            throw new IllegalArgumentException("mode must be three octal digits such as 0660: " + octal);
        }
        return Integer.parseInt(octal, 8);
    }
}
