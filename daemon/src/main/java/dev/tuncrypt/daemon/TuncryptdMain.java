package dev.tuncrypt.daemon;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of {@code tuncryptd}: parses the command line, runs the daemon, maps errors to exit codes. */
public final class TuncryptdMain {
    /** Exit status for a bad command line (as getopt-based daemons do). */
    static final int EXIT_USAGE = 2;
    /** Exit status for a runtime failure (device, privilege, address). */
    static final int EXIT_FAILURE = 1;

    private TuncryptdMain() {}

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the daemon with {@code args}; returns the process exit status. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        DaemonOptions options = new DaemonOptions();
        CommandLine cmd = new CommandLine(options)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(out)
                .setErr(err);
        CommandLine.ParseResult parsed;
        try {
            parsed = cmd.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            err.println("tuncryptd: " + e.getMessage() + " (see tuncryptd --help)");
            return EXIT_USAGE;
        }
        if (parsed.isUsageHelpRequested()) {
            cmd.usage(out);
            return 0;
        }
        if (parsed.isVersionHelpRequested()) {
            cmd.printVersionHelp(out);
            return 0;
        }
        try {
            options.validate();
        } catch (UsageException e) {
            err.println("tuncryptd: " + e.getMessage() + " (see tuncryptd --help)");
            return EXIT_USAGE;
        }
        Logging.configure(options.verbosity());
        try (Daemon daemon = Daemon.start(options, err)) {
            daemon.awaitSignal();
            return 0;
        } catch (DaemonException e) {
            err.println("tuncryptd: " + e.getMessage());
            return EXIT_FAILURE;
        }
    }
}
