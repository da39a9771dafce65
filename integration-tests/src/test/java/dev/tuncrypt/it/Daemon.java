package dev.tuncrypt.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@code bin/tuncryptd} process started by a test, optionally inside a namespace. */
final class Daemon implements AutoCloseable {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path TUNCRYPTD = ROOT.resolve("bin/tuncryptd");

    private final Process process;
    private final Path log;

    private Daemon(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts tuncryptd in {@code namespace} (null: here) with {@code args}. */
    static Daemon start(String namespace, String... args) throws IOException {
        return start(namespace, java.util.Map.of(), args);
    }

    /** As {@link #start(String, String...)} with extra environment variables for the daemon. */
    static Daemon start(String namespace, java.util.Map<String, String> environment, String... args) throws IOException {
        List<String> argv = new ArrayList<>();
        if (namespace != null) {
            argv.addAll(List.of("ip", "netns", "exec", namespace));
        }
        argv.add(TUNCRYPTD.toString());
        argv.addAll(List.of(args));
        Path log = Files.createTempFile("tuncryptd-", ".log");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(environment);
        return new Daemon(pb.start(), log);
    }

    /** Runs tuncryptd to completion (for option errors); returns exit code and output. */
    static Outcome runToEnd(List<String> prefix, String... args) throws Exception {
        List<String> argv = new ArrayList<>(prefix);
        argv.add(TUNCRYPTD.toString());
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tuncryptd did not exit: " + out);
        }
        return new Outcome(p.exitValue(), out);
    }

    record Outcome(int exitCode, String output) {}

    /** Waits until the daemon printed its ready line; fails with its log otherwise. */
    void awaitReady(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            String text = log();
            if (text.contains("; ready")) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("tuncryptd exited with " + process.exitValue() + ": " + text);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("tuncryptd not ready after " + timeout + ": " + log());
    }

    /** The daemon's process id (ip netns exec and the launcher exec in place). */
    long pid() {
        return process.pid();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /**
     * Sends SIGTERM ({@link Process#destroy()} does that on Linux; the launcher and
     * {@code ip netns exec} exec in place, so this is the JVM itself) and waits.
     *
     * @return the exit status
     */
    int terminate() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new AssertionError("tuncryptd did not stop on SIGTERM: " + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM first: the daemon restores routing state it changed
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(log);
    }
}
