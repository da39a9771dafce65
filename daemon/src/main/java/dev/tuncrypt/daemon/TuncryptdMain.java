package dev.tuncrypt.daemon;

import dev.tuncrypt.routing.Cleanup;
import dev.tuncrypt.routing.DryRun;
import dev.tuncrypt.routing.RoutingException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;
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

    /** The outcome of parsing: options, or an exit status to return at once. */
    private record Parsed(DaemonOptions options, Integer exit, String error) {}

    /** Runs the daemon with {@code args}; returns the process exit status. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        Parsed p = parse(args, out, err, true);
        if (p.exit() != null) {
            return p.exit();
        }
        DaemonOptions options = p.options();
        Logging.configure(options.verbosity());
        if (options.routing.cleanup()) {
            return cleanup(options.routing.force(), out, err);
        }
        if (options.routing.dryRun()) {
            try {
                out.print(DryRun.render(options.routing.plan(options.device.tunName, options.device.stackAddresses,
                        options.device.kernelAddresses)));
                out.flush();
                return 0;
            } catch (UsageException e) {
                err.println("tuncryptd: " + e.getMessage());
                return EXIT_USAGE;
            }
        }
        for (String note : options.legacyNotes()) {
            err.println("tuncryptd: note: " + note);
        }
        java.util.concurrent.LinkedBlockingQueue<Daemon.Request> requests = new java.util.concurrent.LinkedBlockingQueue<>();
        // Resolved now, not in the handler: a handler that had to load a class could fail (the
        // jar replaced by an upgrade, say) and leave the daemon deaf to SIGTERM.
        Daemon.Request stop = Daemon.Request.STOP;
        Daemon.Request reload = Daemon.Request.RELOAD;
        Signals.onTermination(() -> requests.add(stop));
        Signals.onHangup(() -> requests.add(reload));
        SystemdNotifier systemd = SystemdNotifier.fromEnvironment();
        try (Daemon daemon = Daemon.start(options, err, requests)) {
            systemd.ready("serving on " + options.device.tunName);
            daemon.run(() -> reload(args));
            systemd.stopping();
            return 0;
        } catch (DaemonException e) {
            err.println("tuncryptd: " + e.getMessage());
            return EXIT_FAILURE;
        }
    }

    /**
     * {@code --cleanup}: removes what a killed daemon left behind; idempotent. Refused while the
     * daemon that owns the state runs, unless {@code force}.
     */
    private static int cleanup(boolean force, PrintWriter out, PrintWriter err) {
        try {
            Cleanup.Report r = Cleanup.run(force);
            out.println(r.nothing() ? "tuncryptd: nothing to clean up"
                    : "tuncryptd: removed " + r.rules() + " rule(s), " + r.routes() + " route(s), " + r.nftTables()
                            + " nft table(s); restored " + r.sysctls() + " sysctl(s)"
                            + (r.stateFile() ? "; state file removed" : ""));
            out.flush();
            return 0;
        } catch (RoutingException e) {
            err.println("tuncryptd: --cleanup: " + e.getMessage());
            return EXIT_FAILURE;
        }
    }

    /** A reload: the options as the config file and command line give them now; the error names file, line and reason. */
    private static DaemonOptions reload(String[] args) throws UsageException {
        Parsed p = parse(args, new PrintWriter(PrintWriter.nullWriter()), new PrintWriter(PrintWriter.nullWriter()), false);
        if (p.options() == null) {
            throw new UsageException(p.error() == null ? "help or version asked for" : p.error());
        }
        return p.options();
    }

    private static Parsed parse(String[] args, PrintWriter out, PrintWriter err, boolean first) {
        DaemonOptions options = new DaemonOptions();
        CommandLine cmd = command(options, out, err);
        CommandLine.ParseResult parsed;
        Path file = null;
        List<ConfigFile.Entry> entries = List.of();
        try {
            parsed = cmd.parseArgs(args);
            if (options.config != null) {
                file = options.config;
                entries = ConfigFile.entries(file, cmd.getCommandSpec());
                List<String> all = new ArrayList<>();
                entries.forEach(e -> all.addAll(e.args()));
                all.addAll(List.of(args));
                options = new DaemonOptions();
                cmd = command(options, out, err);
                parsed = cmd.parseArgs(all.toArray(String[]::new));
            }
        } catch (CommandLine.ParameterException e) {
            String where = file == null ? "" : badLine(file, entries).orElse("");
            return usageError(err, where.isEmpty() ? e.getMessage() + " (see tuncryptd --help)" : where);
        } catch (UsageException e) {
            return usageError(err, e.getMessage());
        }
        if (parsed.isUsageHelpRequested()) {
            cmd.usage(out);
            return new Parsed(null, 0, null);
        }
        if (parsed.isVersionHelpRequested()) {
            cmd.printVersionHelp(out);
            return new Parsed(null, 0, null);
        }
        try {
            options.validate();
            if (!options.routing.cleanup()) {
                // The plan as a whole (a steered family without a stack address, say) is part of the configuration.
                options.routing.plan(options.device.tunName, options.device.stackAddresses, options.device.kernelAddresses);
            }
        } catch (UsageException e) {
            String message = e.getMessage();
            java.util.Optional<ConfigFile.Entry> line = ConfigFile.lineOf(message, entries);
            // An option given on the command line too is the command line's (it wins).
            if (file != null && line.isPresent() && !List.of(args).contains(line.get().flag())) {
                return usageError(err, ConfigFile.where(file, line.get().line()) + message);
            }
            return usageError(err, message + " (see tuncryptd --help)");
        }
        return new Parsed(options, null, null);
    }

    private static Parsed usageError(PrintWriter err, String message) {
        err.println("tuncryptd: " + message);
        return new Parsed(null, EXIT_USAGE, message);
    }

    /**
     * The first line of the config file that picocli rejects on its own (a value of the wrong
     * type, say), as "--config FILE line N: name = value: reason".
     */
    private static java.util.Optional<String> badLine(Path file, List<ConfigFile.Entry> entries) {
        for (ConfigFile.Entry e : entries) {
            try {
                command(new DaemonOptions(), new PrintWriter(PrintWriter.nullWriter()), new PrintWriter(PrintWriter.nullWriter()))
                        .parseArgs(e.args().toArray(String[]::new));
            } catch (CommandLine.ParameterException bad) {
                String shown = e.flag().replaceFirst("^-+", "") + (e.args().size() > 1 ? " = " + e.args().get(1) : "");
                return java.util.Optional.of(ConfigFile.where(file, e.line()) + shown + ": " + bad.getMessage());
            }
        }
        return java.util.Optional.empty();
    }

    /** The daemon's command line, laid out as {@link HelpLayout} says (also for the man page). */
    static CommandLine command(DaemonOptions options, PrintWriter out, PrintWriter err) {
        return HelpLayout.apply(new CommandLine(options))
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOverwrittenOptionsAllowed(true)
                .setOut(out)
                .setErr(err);
    }
}
