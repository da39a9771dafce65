package dev.tuncrypt.daemon;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * An address and port from the command line: {@code 198.18.7.2:7777}, {@code [2001:2::1]:7777},
 * and, where a default port exists, {@code 198.18.7.2} or a bare {@code 2001:2::1}. Addresses are
 * literals: nothing is resolved (the daemon's stack has no resolver of its own, and a name would
 * be resolved by the kernel's view of the network, not the stack's).
 */
public record HostPort(InetAddress address, int port) {

    /** Parses {@code text}; {@code defaultPort} 0 means the port is required. */
    public static HostPort parse(String text, int defaultPort) throws UsageException {
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new UsageException("'" + text + "': missing ']' after the IPv6 address");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new UsageException("'" + text + "': expected ':PORT' after ']'");
                }
                port = rest.substring(1);
            }
            if (!host.contains(":")) {
                throw new UsageException("'" + text + "': brackets are for IPv6 addresses only");
            }
        } else if (text.indexOf(':') != text.lastIndexOf(':')) {
            host = text; // a bare IPv6 address: no port
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new UsageException("'" + text + "': an address is needed before the port");
        }
        InetAddress address;
        try {
            address = InetAddresses.forString(host);
        } catch (IllegalArgumentException e) {
            throw new UsageException("'" + host + "' is not an IPv4 or IPv6 address");
        }
        int p;
        if (port == null) {
            if (defaultPort == 0) {
                throw new UsageException("'" + text + "': a port is required (ADDR:PORT, [IPv6]:PORT)");
            }
            p = defaultPort;
        } else {
            p = parsePort(port, text);
        }
        return new HostPort(address, p);
    }

    private static int parsePort(String s, String whole) throws UsageException {
        if (!s.isEmpty() && s.length() <= 5 && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int p = Integer.parseInt(s);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        }
        throw new UsageException("'" + whole + "': '" + s + "' is not a port (1-65535)");
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    /** {@code 198.18.7.2:7777} or {@code [2001:2::1]:7777}. */
    @Override
    public String toString() {
        String a = InetAddresses.toAddrString(address);
        return (a.contains(":") ? "[" + a + "]" : a) + ":" + port;
    }
}
