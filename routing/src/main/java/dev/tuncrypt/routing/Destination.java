package dev.tuncrypt.routing;

import java.util.List;

/**
 * A prefix and, optionally, the TCP ports on it ({@code --steer}, {@code --require}). No ports
 * means every TCP port.
 *
 * <p>Written {@code PREFIX[:PORTS]}: {@code 198.18.5.0/24}, {@code 198.18.5.7:80,443},
 * {@code 2001:2::/48:8000-8100}, {@code [2001:2::7]:443}. An IPv6 address without a prefix
 * length takes ports only in brackets.
 */
public record Destination(Prefix prefix, List<PortRange> ports) {

    public Destination {
        ports = List.copyOf(ports);
    }

    /** Whether every TCP port is meant. */
    /** Whether a connection to {@code address} falls under this destination (prefix and, if given, ports). */
    public boolean matches(java.net.InetSocketAddress address) {
        if (!prefix.contains(address.getAddress())) {
            return false;
        }
        return allPorts() || ports.stream().anyMatch(r -> address.getPort() >= r.first() && address.getPort() <= r.last());
    }

    public boolean allPorts() {
        return ports.isEmpty();
    }

    public static Destination parse(String text) throws InvalidPlanException {
        String prefixText;
        String portsText = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new InvalidPlanException("'" + text + "': missing ']'");
            }
            prefixText = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (rest.startsWith("/")) {
                int colon = rest.indexOf(':');
                prefixText += colon < 0 ? rest : rest.substring(0, colon);
                rest = colon < 0 ? "" : rest.substring(colon);
            }
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new InvalidPlanException("'" + text + "': expected ':PORTS' after ']'");
                }
                portsText = rest.substring(1);
            }
        } else {
            int slash = text.indexOf('/');
            int colon;
            if (slash >= 0) {
                colon = text.indexOf(':', slash);
            } else {
                int first = text.indexOf(':');
                // IPv4 with ports has exactly one ':'; a bare IPv6 address has several and no ports.
                colon = first >= 0 && text.indexOf(':', first + 1) < 0 ? first : -1;
            }
            prefixText = colon < 0 ? text : text.substring(0, colon);
            portsText = colon < 0 ? null : text.substring(colon + 1);
        }
        Prefix prefix = Prefix.parse(prefixText);
        List<PortRange> ports = portsText == null ? List.of() : PortRange.parseList(portsText);
        return new Destination(prefix, ports);
    }

    @Override
    public String toString() {
        if (ports.isEmpty()) {
            return prefix.toString();
        }
        StringBuilder sb = new StringBuilder(prefix.toString()).append(':');
        for (int i = 0; i < ports.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(ports.get(i));
        }
        return sb.toString();
    }
}
