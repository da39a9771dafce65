package dev.tuncrypt.daemon;

import dev.tuncrypt.client.ControlClient;
import dev.tuncrypt.client.ControlException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code tuncrypt flush}: drops the daemon's session-resumption cache. */
@Command(
        name = "flush",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {"Drops the session-resumption cache (needs root).",
            "The next connections run a full key exchange.", ""},
        footer = {"", "Exit status: 0 on success; 1 if refused or the daemon is not there; 2 for a bad command line."})
final class FlushCommand extends ControlCommand {
    @Override
    int run(ControlClient client, PrintWriter out) throws ControlException {
        long n = client.flush();
        out.println("flushed " + n + " cached session" + (n == 1 ? "" : "s"));
        return 0;
    }
}
