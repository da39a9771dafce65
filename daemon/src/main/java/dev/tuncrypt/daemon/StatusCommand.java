package dev.tuncrypt.daemon;

import dev.tuncrypt.client.ControlClient;
import dev.tuncrypt.client.ControlException;
import dev.tuncrypt.client.wire.StatusPayload;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tuncrypt status}: the daemon's version, uptime, cache size and counters. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {"Shows the daemon's version, uptime, cached sessions and counters.", ""},
        footer = {"", "Exit status: 0 on success; 1 if the daemon is not there; 2 for a bad command line."})
final class StatusCommand extends ControlCommand {
    @Option(names = "--json", description = "JSON output.")
    boolean json;

    @Override
    int run(ControlClient client, PrintWriter out) throws ControlException {
        StatusPayload s = client.status();
        if (json) {
            JsonText j = new JsonText().beginObject().member("version", s.version())
                    .member("uptime_ms", s.uptimeMillis()).member("cached_sessions", s.cachedSessions())
                    .name("counters").beginObject();
            s.counters().forEach(j::member);
            out.println(j.endObject().endObject());
            return 0;
        }
        out.println("version          " + s.version());
        out.println("uptime           " + uptime(Duration.ofMillis(s.uptimeMillis())));
        out.println("cached sessions  " + s.cachedSessions());
        int w = s.counters().keySet().stream().mapToInt(String::length).max().orElse(0);
        out.println("counters");
        s.counters().forEach((k, v) -> out.println("  " + k + " ".repeat(w - k.length() + 2) + v));
        return 0;
    }

    static String uptime(Duration d) {
        long s = d.toSeconds();
        return (s >= 86400 ? s / 86400 + "d " : "") + String.format("%02d:%02d:%02d", s / 3600 % 24, s / 60 % 60, s % 60);
    }
}
