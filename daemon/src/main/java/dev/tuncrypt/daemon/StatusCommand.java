package dev.tuncrypt.daemon;

import dev.tuncrypt.client.ControlClient;
import dev.tuncrypt.client.ControlException;
import dev.tuncrypt.client.wire.StatusPayload;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tuncrypt status}: in the spirit of {@code wg show}: the daemon, its device, the routing
 * it installed, each peer (remote address) with its last handshake, connections and bytes, and
 * the counters.
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {"Shows the daemon's version and uptime, its device, the routing it installed, per peer"
                + " (remote address) the dialect, last handshake, connections and bytes, and its counters.", ""},
        footer = {"", "Exit status: 0 on success; 1 if the daemon is not there; 2 for a bad command line."})
final class StatusCommand extends ControlCommand {
    @Option(names = "--json", description = "JSON output.")
    boolean json;

    Clock clock = Clock.systemUTC();

    @Override
    int run(ControlClient client, PrintWriter out) throws ControlException {
        StatusPayload s = client.status();
        out.print(json ? json(s) + "\n" : text(s, clock.millis()));
        return 0;
    }

    static String json(StatusPayload s) {
        JsonText j = new JsonText().beginObject().member("version", s.version())
                .member("uptime_ms", s.uptimeMillis()).member("cached_sessions", s.cachedSessions())
                .name("device").beginObject();
        s.host().forEach((k, v) -> j.member(k.replace(' ', '_'), v));
        j.endObject().name("routing").beginArray();
        s.routing().forEach(j::value);
        j.endArray().name("peers").beginArray();
        for (StatusPayload.Peer p : s.peers()) {
            j.beginObject().member("address", p.address()).member("dialect", p.dialect())
                    .member("last_handshake_ms", p.lastHandshakeMillis()).member("open", p.open())
                    .member("encrypted", p.encrypted()).member("plain", p.plain()).member("refused", p.refused())
                    .member("connect_failed", p.connectFailed()).member("bytes_in", p.bytesIn())
                    .member("bytes_out", p.bytesOut()).endObject();
        }
        j.endArray().name("counters").beginObject();
        s.counters().forEach(j::member);
        return j.endObject().endObject().toString();
    }

    static String text(StatusPayload s, long nowMillis) {
        StringBuilder b = new StringBuilder();
        b.append("tuncryptd ").append(s.version()).append(", up ").append(uptime(Duration.ofMillis(s.uptimeMillis())))
                .append(", ").append(s.cachedSessions()).append(" cached sessions\n");
        if (!s.host().isEmpty()) {
            b.append('\n');
            s.host().forEach((k, v) -> b.append(k.equals("device") ? "" : "  ").append(k).append(": ").append(v)
                    .append('\n'));
        }
        if (!s.routing().isEmpty()) {
            b.append("\nrouting:\n");
            s.routing().forEach(r -> b.append("  ").append(r).append('\n'));
        }
        for (StatusPayload.Peer p : s.peers()) {
            b.append("\npeer: ").append(p.address()).append('\n');
            if (!p.dialect().isEmpty()) {
                b.append("  dialect: ").append(p.dialect()).append('\n');
            }
            if (p.lastHandshakeMillis() > 0) {
                b.append("  latest handshake: ").append(ago(Duration.ofMillis(nowMillis - p.lastHandshakeMillis())))
                        .append('\n');
            }
            b.append("  connections: ").append(p.open()).append(" open; since start ").append(p.encrypted())
                    .append(" encrypted, ").append(p.plain()).append(" plain, ").append(p.refused())
                    .append(" refused, ").append(p.connectFailed()).append(" failed\n");
            b.append("  transfer: ").append(bytes(p.bytesIn())).append(" received, ").append(bytes(p.bytesOut()))
                    .append(" sent\n");
        }
        int w = s.counters().keySet().stream().mapToInt(String::length).max().orElse(0);
        b.append("\ncounters:\n");
        s.counters().forEach((k, v) -> b.append("  ").append(k).append(" ".repeat(w - k.length() + 2)).append(v)
                .append('\n'));
        return b.toString();
    }

    static String ago(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + (s == 1 ? " second ago" : " seconds ago");
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s ago";
        }
        return uptime(d) + " ago";
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[i]);
    }

    static String uptime(Duration d) {
        long s = d.toSeconds();
        return (s >= 86400 ? s / 86400 + "d " : "") + String.format("%02d:%02d:%02d", s / 3600 % 24, s / 60 % 60, s % 60);
    }
}
