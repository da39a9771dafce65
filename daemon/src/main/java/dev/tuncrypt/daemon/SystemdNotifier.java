package dev.tuncrypt.daemon;

import dev.tuncrypt.client.transport.LinuxDatagramSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify(3) without libsystemd: one datagram of {@code KEY=VALUE} lines to the unix socket
 * systemd names in {@code $NOTIFY_SOCKET} (a path, or {@code @name} for an abstract socket), as
 * a {@code Type=notify} unit expects: {@code READY=1} once the daemon serves, {@code STOPPING=1}
 * when it begins to stop. Without the variable (not started by systemd) it does nothing. A
 * failed send is logged and otherwise ignored: the daemon runs on, and systemd's start timeout
 * reports the missing notification.
 */
final class SystemdNotifier {
    /** The environment variable systemd sets for a {@code Type=notify} service. */
    static final String ENVIRONMENT = "NOTIFY_SOCKET";
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);
    private static final int SUN_PATH_MAX = 108;

    private final byte[] sockaddr;
    private final String socket;

    private SystemdNotifier(String socket, byte[] sockaddr) {
        this.socket = socket;
        this.sockaddr = sockaddr;
    }

    /** The notifier for {@code $NOTIFY_SOCKET}, or one that does nothing when it is not set. */
    static SystemdNotifier fromEnvironment() {
        return forSocket(System.getenv(ENVIRONMENT));
    }

    /**
     * The notifier for {@code socket} as {@code $NOTIFY_SOCKET} spells it; null, empty or a
     * form this class cannot reach (systemd's {@code vsock:}) gives one that does nothing.
     */
    static SystemdNotifier forSocket(String socket) {
        if (socket == null || socket.isEmpty()) {
            return new SystemdNotifier(null, null);
        }
        byte[] name = socket.getBytes(StandardCharsets.UTF_8);
        boolean isAbstract = name[0] == '@';
        if ((!isAbstract && name[0] != '/') || name.length + 1 > SUN_PATH_MAX) {
            LOG.warn("{}={} is no unix socket this daemon can notify; systemd will not hear it is ready",
                    ENVIRONMENT, socket);
            return new SystemdNotifier(null, null);
        }
        // struct sockaddr_un: sa_family (AF_UNIX, host order), then the path with its NUL; an
        // abstract name is a NUL and the name, its length exactly the name's (sd_notify(3)).
        byte[] sa = new byte[2 + name.length + (isAbstract ? 0 : 1)];
        sa[0] = 1; // AF_UNIX, little-endian (amd64, arm64)
        System.arraycopy(name, isAbstract ? 1 : 0, sa, isAbstract ? 3 : 2, isAbstract ? name.length - 1 : name.length);
        return new SystemdNotifier(socket, sa);
    }

    /** Whether notifications go anywhere. */
    boolean active() {
        return sockaddr != null;
    }

    /** The daemon serves; {@code status} is shown by {@code systemctl status}. */
    void ready(String status) {
        send("READY=1\nSTATUS=" + status.replace('\n', ' ') + "\nMAINPID=" + ProcessHandle.current().pid() + "\n");
    }

    /** The daemon has begun to stop. */
    void stopping() {
        send("STOPPING=1\nSTATUS=stopping\n");
    }

    private void send(String state) {
        if (sockaddr == null) {
            return;
        }
        try (LinuxDatagramSocket s = LinuxDatagramSocket.bind(null)) {
            s.send(state.getBytes(StandardCharsets.UTF_8), Arrays.copyOf(sockaddr, sockaddr.length), true);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot notify systemd at {}: {}", socket, e.getMessage());
        }
    }
}
