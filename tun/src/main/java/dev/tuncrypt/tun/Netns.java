package dev.tuncrypt.tun;

import static dev.tuncrypt.tun.Native.LIBC;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Named network namespaces ({@code ip netns}) for tests and for a daemon that lives in one.
 *
 * <p>A thread joins a namespace with {@code setns}, which on Linux changes only that thread:
 * {@link #exec} therefore runs its task on a fresh platform thread. Sockets and TUN devices created
 * by the task belong to the namespace for their whole life, whichever thread uses them later.
 */
public final class Netns {
    private static final Path NETNS_DIR = Path.of("/var/run/netns");
    private static final long COMMAND_TIMEOUT_SECONDS = 30;

    /** What a command printed (stdout and stderr merged) and how it exited. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private Netns() {}

    /** Creates the namespace ({@code ip netns add NAME}). */
    public static void create(String name) throws IOException {
        Result r = command(List.of("ip", "netns", "add", name));
        if (!r.ok()) {
            throw new IOException("ip netns add " + name + " failed (" + r.exitCode() + "): " + r.output().strip());
        }
    }

    /**
     * Deletes the namespace ({@code ip netns del NAME}); what still lives in it goes when its last
     * user does.
     *
     * @return false if there was no such namespace
     */
    public static boolean delete(String name) throws IOException {
        if (!exists(name)) {
            return false;
        }
        Result r = command(List.of("ip", "netns", "del", name));
        if (!r.ok()) {
            throw new IOException("ip netns del " + name + " failed (" + r.exitCode() + "): " + r.output().strip());
        }
        return true;
    }

    /** Whether the named namespace exists. */
    public static boolean exists(String name) {
        return Files.exists(NETNS_DIR.resolve(name));
    }

    /**
     * Runs {@code task} on a new platform thread that has joined the namespace, waits for it, and
     * returns its result or throws what it threw.
     *
     * @throws TunException if the thread cannot join the namespace
     */
    public static <T> T exec(String name, Callable<T> task) throws Exception {
        Object[] outcome = new Object[2];
        Thread thread = Thread.ofPlatform().name("netns-" + name).start(() -> {
            try {
                enter(name);
                outcome[0] = task.call();
            } catch (Throwable t) {
                outcome[1] = t;
            }
        });
        thread.join();
        if (outcome[1] instanceof Exception e) {
            throw e;
        }
        if (outcome[1] instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T result = (T) outcome[0];
        return result;
    }

    /** Runs {@code command} inside the namespace ({@code ip netns exec NAME ...}). */
    public static Result run(String name, String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
        argv.addAll(List.of(command));
        return command(argv);
    }

    private static void enter(String name) throws TunException {
        String path = NETNS_DIR.resolve(name).toString();
        int fd = LIBC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            int errno = Native.errno();
            if (Errno.ENOENT.matches(errno)) {
                throw new TunException("open " + path, errno, "network namespace " + name + " does not exist");
            }
            throw TunException.of("open " + path, path, errno);
        }
        try {
            if (LIBC.setns(fd, LibC.CLONE_NEWNET) < 0) {
                throw TunException.of("setns", "network namespace " + name, Native.errno());
            }
        } finally {
            LIBC.close(fd);
        }
    }

    private static Result command(List<String> argv) throws IOException {
        Path output = Files.createTempFile("netns-", ".out");
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            try {
                if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(String.join(" ", argv) + " did not finish in "
                            + COMMAND_TIMEOUT_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + String.join(" ", argv), e);
            }
            return new Result(process.exitValue(), new String(Files.readAllBytes(output), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
