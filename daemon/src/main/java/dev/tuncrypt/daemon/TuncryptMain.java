package dev.tuncrypt.daemon;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code tuncrypt} client CLI. */
@Command(
        name = "tuncrypt",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Client tools for the tuncrypt stack.",
        subcommands = {NcCommand.class, NetstatCommand.class, SidCommand.class, StatusCommand.class,
            FlushCommand.class, ReloadCommand.class, TestServerCommand.class, dev.tuncrypt.daemon.perf.PerfCommand.class,
            CommandLine.HelpCommand.class})
public final class TuncryptMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cmd = command().setOut(out).setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler((e, a) -> {
                    err.println("tuncrypt: " + e.getMessage() + " (see tuncrypt "
                            + (e.getCommandLine().getCommandName().equals("tuncrypt") ? "" : e.getCommandLine().getCommandName() + " ")
                            + "--help)");
                    return TuncryptdMain.EXIT_USAGE;
                });
        return cmd.execute(args);
    }

    /** The CLI with every subcommand, laid out as {@link HelpLayout} says (also for the man pages). */
    static CommandLine command() {
        return HelpLayout.apply(new CommandLine(new TuncryptMain()));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
