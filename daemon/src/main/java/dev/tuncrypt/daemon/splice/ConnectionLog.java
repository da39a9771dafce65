package dev.tuncrypt.daemon.splice;

import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * The daemon's one line per connection, at open (its outcome known) and at close. Addresses as
 * {@code 198.18.1.1:51962} or {@code [2001:2::1]:443} (never {@code InetSocketAddress}'s
 * leading slash); the session ID (a public value, equal on both ends) but never key material.
 * <pre>
 * open outbound 198.18.1.1:51962 -> 198.18.0.2:5000 encrypted dialect tcpcrypt-0.5 tep ECDHE-P256 sid 21AB…
 * close outbound 198.18.1.1:51962 -> 198.18.0.2:5000 encrypted sid 21AB… in 12 out 345 duration 1.204s reason finished
 * </pre>
 */
final class ConnectionLog {
    private ConnectionLog() {}

    /** {@code 198.18.1.1:51962} or {@code [2001:2::1]:443}. */
    static String address(InetSocketAddress a) {
        if (a == null) {
            return "-";
        }
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        if (a.getAddress() instanceof Inet6Address) {
            int zone = host.indexOf('%');
            host = "[" + (zone < 0 ? host : host.substring(0, zone)) + "]";
        }
        return host + ":" + a.getPort();
    }

    private static String head(String event, Direction d, InetSocketAddress local, InetSocketAddress remote, String outcome) {
        return event + " " + d.name().toLowerCase(Locale.ROOT) + " " + address(local) + " -> " + address(remote) + " "
                + outcome;
    }

    /** The line when the connection's outcome is known (encrypted or plain). */
    static String open(Direction d, InetSocketAddress local, InetSocketAddress remote, TcpCryptInfo info,
            String plainReason) {
        if (info == null) {
            return head("open", d, local, remote, "plain") + " reason " + quote(plainReason);
        }
        return head("open", d, local, remote, "encrypted") + " dialect " + info.dialect() + " tep " + info.tep()
                + " cipher " + info.cipher() + (info.resumed() ? " resumed" : "") + " sid " + info.sessionId();
    }

    /** The line when the connection has ended. */
    static String close(Direction d, InetSocketAddress local, InetSocketAddress remote, String outcome,
            TcpCryptInfo info, long bytesIn, long bytesOut, Duration duration, String reason) {
        return head("close", d, local, remote, outcome) + (info == null ? "" : " sid " + info.sessionId())
                + " in " + bytesIn + " out " + bytesOut + " duration " + seconds(duration) + " reason " + quote(reason);
    }

    /** The line of a connection refused or given up before it was spliced. */
    static String refused(Direction d, InetSocketAddress local, InetSocketAddress remote, String outcome, String reason) {
        return head("close", d, local, remote, outcome) + " in 0 out 0 duration 0.000s reason " + quote(reason);
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%d.%03ds", d.toSeconds(), d.toMillisPart());
    }

    /** A reason as one token when it is one word, else in double quotes. */
    private static String quote(String reason) {
        if (reason == null || reason.isEmpty()) {
            return "-";
        }
        return reason.matches("[A-Za-z0-9_.-]+") ? reason : "\"" + reason.replace("\"", "'") + "\"";
    }
}
