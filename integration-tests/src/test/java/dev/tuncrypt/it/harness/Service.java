package dev.tuncrypt.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A process running in the background inside a {@link Peer}. Its standard output and error go to
 * {@code <name>.out} / {@code <name>.err} in the peer's directory (which the host sees at once),
 * its exit status to {@code <name>.rc}.
 */
public final class Service {
    private final Peer peer;
    private final String name;

    Service(Peer peer, String name) {
        this.peer = peer;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Host path of its standard output. */
    public Path stdout() {
        return peer.dir().resolve(name + ".out");
    }

    /** Host path of its standard error. */
    public Path stderr() {
        return peer.dir().resolve(name + ".err");
    }

    public String out() throws IOException {
        return read(stdout());
    }

    public String err() throws IOException {
        return read(stderr());
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p) : "";
    }

    /** Whether it has ended. */
    public boolean ended() {
        return Files.exists(peer.dir().resolve(name + ".rc"));
    }

    /** Waits for it to end; returns its exit status, fails with its output if it does not end in time. */
    public int await(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        Path rc = peer.dir().resolve(name + ".rc");
        while (!Files.exists(rc)) {
            if (System.nanoTime() > end) {
                throw new AssertionError(peer.name() + "/" + name + " did not end within " + timeout + "; stderr: "
                        + tail(err()));
            }
            Thread.sleep(20);
        }
        return Integer.parseInt(Files.readString(rc).strip());
    }

    /** Waits until {@code text} shows up in its stdout or stderr; fails if it ends or times out first. */
    public Service awaitOutput(String text, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!(out().contains(text) || err().contains(text))) {
            if (ended()) {
                throw new AssertionError(peer.name() + "/" + name + " ended before printing '" + text + "': "
                        + tail(out()) + tail(err()));
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(peer.name() + "/" + name + " did not print '" + text + "' within "
                        + timeout + ": " + tail(out()) + tail(err()));
            }
            Thread.sleep(20);
        }
        return this;
    }

    /** Sends {@code signal} (e.g. TERM, INT, KILL) to it, if it still runs. */
    public void signal(String signal) throws Exception {
        if (!ended()) {
            Path pid = peer.dir().resolve(name + ".pid");
            if (Files.exists(pid)) {
                peer.exec("kill", "-" + signal, Files.readString(pid).strip());
            }
        }
    }

    /** TERM, then waits up to {@code timeout}; KILL if still running. Returns the exit status or -1. */
    public int stop(Duration timeout) throws Exception {
        signal("TERM");
        try {
            return await(timeout);
        } catch (AssertionError e) {
            signal("KILL");
            return -1;
        }
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }
}
