package dev.tuncrypt.client;

import java.nio.file.Path;

/**
 * Where tuncryptd's control socket is, as {@code -u} spells it (tcpcryptd's syntax):
 * {@code /path} is a unix datagram socket at that path, {@code @name} a Linux abstract unix
 * datagram socket, {@code :port} UDP on 127.0.0.1.
 */
public sealed interface ControlAddress {

    /**
     * The default path, {@value #DEFAULT_PATH}: the daemon's, the CLI's and the systemd unit's
     * ({@code RuntimeDirectory=tuncryptd}). {@value #ENVIRONMENT} overrides it for all of them.
     */
    String DEFAULT_PATH = "/run/tuncryptd/control";

    /** The environment variable that overrides {@link #DEFAULT_PATH} (any {@code -u} value). */
    String ENVIRONMENT = "TUNCRYPT_CONTROL";

    /** {@value #DEFAULT_PATH}, or {@value #ENVIRONMENT} when set: as picocli's default value spells it. */
    String DEFAULT_VALUE = "${env:" + ENVIRONMENT + ":-" + DEFAULT_PATH + "}";

    /** The default address, a unix datagram socket at {@value #DEFAULT_PATH}. */
    ControlAddress DEFAULT = new UnixPath(Path.of(DEFAULT_PATH));

    /** A unix datagram socket file. */
    record UnixPath(Path path) implements ControlAddress {
        @Override
        public String toString() {
            return path.toString();
        }
    }

    /** A Linux abstract unix datagram socket (no file; any process in the network namespace reaches it). */
    record UnixAbstract(String name) implements ControlAddress {
        @Override
        public String toString() {
            return "@" + name;
        }
    }

    /** UDP on 127.0.0.1. */
    record Udp(int port) implements ControlAddress {
        public Udp {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        @Override
        public String toString() {
            return ":" + port;
        }
    }

    /**
     * Parses {@code -u}'s value.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    static ControlAddress parse(String s) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("empty control address (expected /path, @name or :port)");
        }
        return switch (s.charAt(0)) {
            case '/' -> {
                if (s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
                    throw new IllegalArgumentException("control socket path longer than 107 bytes: " + s);
                }
                yield new UnixPath(Path.of(s));
            }
            case '@' -> {
                if (s.length() < 2 || s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 106) {
                    throw new IllegalArgumentException("abstract socket name must be 1 to 105 bytes: " + s);
                }
                yield new UnixAbstract(s.substring(1));
            }
            case ':' -> {
                int port;
                try {
                    port = Integer.parseInt(s.substring(1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a port number: " + s);
                }
                if (port < 1 || port > 65535 || !s.substring(1).matches("[0-9]+")) {
                    throw new IllegalArgumentException("UDP port must be 1 to 65535: " + s);
                }
                yield new Udp(port);
            }
            default -> throw new IllegalArgumentException(
                    "control address must be /path (unix socket), @name (abstract) or :port (UDP on localhost): " + s);
        };
    }
}
