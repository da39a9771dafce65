package dev.tuncrypt.daemon.control;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * What the control socket sees of the daemon and may ask of it. Connections are found by the
 * 4-tuple the application's own socket reports (getsockname/getpeername): for a spliced
 * connection that is leg 1's tuple, and the view reports leg 2's tcpcrypt session.
 * Implementations are thread-safe; the control server calls them from its own thread.
 */
public interface ControlTarget {

    /**
     * The connection whose application socket has local address {@code local} and peer
     * {@code remote}; {@code remote} may be null (tcpcryptd's library sends a zero peer for an
     * unconnected socket), then the first connection with that local address.
     */
    Optional<ConnectionView> find(InetSocketAddress local, InetSocketAddress remote);

    /** Every connection the daemon carries now, in no particular order. */
    List<ConnectionView> connections();

    /**
     * Options an application sets on its socket before connect (TCP_CRYPT_ENABLE,
     * TCP_CRYPT_APP_SUPPORT): remembered for the application socket bound to {@code local} and
     * applied when its connection reaches the daemon; forgotten after a minute if none does.
     */
    void preset(InetSocketAddress local, Preset preset);

    /** Drops every cached session (TCP_CRYPT_NOCACHE / tuncrypt flush); returns how many. */
    int flushCache();

    /** Uptime, counters and cache size, for {@code tuncrypt status} and metrics. */
    ControlStatus status();

    /** A before-connect option. */
    sealed interface Preset {
        /** TCP_CRYPT_ENABLE: 0 disables tcpcrypt for that connection (plain leg 2). */
        record Enable(boolean enabled) implements Preset {}

        /** TCP_CRYPT_APP_SUPPORT: the application-aware value to announce. */
        record AppSupport(int value) implements Preset {}
    }
}
