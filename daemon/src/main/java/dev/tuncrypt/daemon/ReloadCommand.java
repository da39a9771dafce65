package dev.tuncrypt.daemon;

import dev.tuncrypt.client.ControlClient;
import dev.tuncrypt.client.ControlException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code tuncrypt reload}: the daemon re-reads its configuration and applies it, as on SIGHUP. */
@Command(
        name = "reload",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {"Makes the daemon re-read its configuration (--config) and apply it, as SIGHUP does (needs root).",
            "Added and removed steer, serve and require rules take effect at once, all or nothing;",
            "on any error the running configuration stays and the reason (file, line) is printed.", ""},
        footer = {"", "Exit status: 0 when applied; 1 if not applied, refused or the daemon is not there;"
                + " 2 for a bad command line."})
final class ReloadCommand extends ControlCommand {
    /** A reload runs ip and nft and verifies: more than the usual 3 s on a busy host, unless --timeout says otherwise. */
    @Override
    java.time.Duration timeout() {
        return spec.commandLine().getParseResult().hasMatchedOption("--timeout") ? super.timeout()
                : java.time.Duration.ofSeconds(30);
    }

    @Override
    int run(ControlClient client, PrintWriter out) throws ControlException {
        ControlClient.ReloadResult r = client.reload();
        out.println(r.message());
        return r.applied() ? 0 : 1;
    }
}
