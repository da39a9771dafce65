package dev.tuncrypt.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A root process, started before the daemon drops its privileges, that waits for the daemon to
 * exit (however it exits, kill -9 included) and then undoes as root what the unprivileged
 * daemon cannot: {@code tuncryptd --cleanup} (routing, sysctls) and the control socket file.
 */
final class StopWatcher {
    private StopWatcher() {}

    /** Starts the watcher for this process; {@code controlPath} may be null. */
    static void start(Path controlPath) throws DaemonException {
        String home = System.getProperty("tuncrypt.home");
        if (home == null) {
            throw new DaemonException("-U: cannot find bin/tuncryptd to clean up after the daemon (run it through bin/tuncryptd)");
        }
        long pid = ProcessHandle.current().pid();
        String script = "while kill -0 " + pid + " 2>/dev/null; do sleep 1; done; "
                + (controlPath != null ? "rm -f -- \"$1\"; " : "")
                + "exec \"$0\" --cleanup >/dev/null 2>&1";
        List<String> argv = new ArrayList<>(List.of("setsid", "sh", "-c", script, Path.of(home, "bin", "tuncryptd").toString()));
        if (controlPath != null) {
            argv.add(controlPath.toString());
        }
        try {
            new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new DaemonException("-U: cannot start the watcher that cleans up after the daemon: " + e.getMessage(), e);
        }
    }
}
