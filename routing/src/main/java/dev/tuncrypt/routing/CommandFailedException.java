package dev.tuncrypt.routing;

/** A command exited non-zero; carries the command line and what it printed. */
public final class CommandFailedException extends RoutingException {
    private static final long serialVersionUID = 1L;
    private final Command command;
    private final int exitCode;

    public CommandFailedException(Command command, int exitCode, String output) {
        super("'" + command.render() + "' failed (exit " + exitCode + "): " + output.strip());
        this.command = command;
        this.exitCode = exitCode;
    }

    public Command command() {
        return command;
    }

    public int exitCode() {
        return exitCode;
    }
}
