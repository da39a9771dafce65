package dev.tuncrypt.daemon;

import dev.tuncrypt.routing.Destination;
import dev.tuncrypt.routing.PortRange;
import java.net.InetSocketAddress;

/** Whether a connection's destination falls under a {@code --require PREFIX[:PORTS]}. */
final class RoutingMatch {
    private RoutingMatch() {}

    static boolean matches(Destination d, InetSocketAddress a) {
        if (!d.prefix().contains(a.getAddress())) {
            return false;
        }
        if (d.allPorts()) {
            return true;
        }
        for (PortRange r : d.ports()) {
            if (a.getPort() >= r.first() && a.getPort() <= r.last()) {
                return true;
            }
        }
        return false;
    }
}
