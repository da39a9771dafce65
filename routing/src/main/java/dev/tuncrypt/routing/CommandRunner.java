package dev.tuncrypt.routing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code ip}, {@code nft} and {@code sysctl}: on this host, or inside a named network
 * namespace ({@code ip netns exec NAME ...}), which is how the tests apply plans without
 * touching the host.
 */
public final class CommandRunner {
    private static final long TIMEOUT_SECONDS = 30;
    private static final Map<String, String> PACKAGES = Map.of("ip", "iproute2", "nft", "nftables", "sysctl", "procps");

    private final List<String> prefix;

    private CommandRunner(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    /** Commands run in this process's network namespace. */
    public static CommandRunner local() {
        return new CommandRunner(List.of());
    }

    /** Commands run inside the named namespace. */
    public static CommandRunner inNamespace(String name) {
        return new CommandRunner(List.of("ip", "netns", "exec", name));
    }

    /** What a command printed and how it exited. */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Fails with {@link ToolMissingException} unless the command is on the PATH. */
    public void requireTool(String tool) throws ToolMissingException {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return;
            }
        }
        throw new ToolMissingException(tool, PACKAGES.getOrDefault(tool, tool), null);
    }

    /** Runs a command; a non-zero exit is returned, not thrown. */
    public Result run(Command command) throws RoutingException {
        requireTool(command.tool());
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(command.argv());
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new ToolMissingException(argv.get(0), PACKAGES.getOrDefault(argv.get(0), argv.get(0)), e);
        }
        try (OutputStream in = p.getOutputStream()) {
            if (command.stdin() != null) {
                in.write(command.stdin().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the command closed its input early; its exit status tells the rest
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errReader = Thread.ofPlatform().daemon().start(() -> copy(p.getErrorStream(), err));
        Thread outReader = Thread.ofPlatform().daemon().start(() -> copy(p.getInputStream(), out));
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CommandFailedException(command, -1, "no answer within " + TIMEOUT_SECONDS + " s");
            }
            outReader.join();
            errReader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new CommandFailedException(command, -1, "interrupted");
        }
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs a command and returns its standard output, or throws if it failed. */
    public String check(Command command) throws RoutingException {
        Result r = run(command);
        if (!r.ok()) {
            throw new CommandFailedException(command, r.exitCode(), r.stderr().isBlank() ? r.stdout() : r.stderr());
        }
        return r.stdout();
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            // the process went away; what was read is kept
        }
    }
}
