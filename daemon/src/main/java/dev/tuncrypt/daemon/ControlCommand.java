package dev.tuncrypt.daemon;

import dev.tuncrypt.client.ControlClient;
import dev.tuncrypt.client.ControlException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A {@code tuncrypt} command that asks tuncryptd over its control socket. A daemon that is not
 * there, refuses or does not answer ends the command with one line on standard error and status 1.
 */
abstract class ControlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOptions control = new ControlOptions();

    /** The command's work; returns the exit status. */
    abstract int run(ControlClient client, PrintWriter out) throws ControlException, UsageException,
            InterruptedException;

    /** How long to wait for the daemon's reply: {@code --timeout}. */
    java.time.Duration timeout() {
        return control.timeout();
    }

    @Override
    public final Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        String name = "tuncrypt " + spec.name();
        try (ControlClient client = ControlClient.open(control.address, timeout())) {
            return run(client, spec.commandLine().getOut());
        } catch (UsageException e) {
            err.println(name + ": " + e.getMessage());
            return TuncryptdMain.EXIT_USAGE;
        } catch (ControlException e) {
            err.println(name + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            spec.commandLine().getOut().flush();
            err.flush();
        }
    }
}
