package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import dev.tuncrypt.tun.Netns;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/tuncrypt nc} as a user meets it, with the kernel's own netcat (OpenBSD) as the
 * peer, in a namespace the test creates: 64 MiB each way byte-exact, a refused connect, and
 * command-line errors. {@code tuncrypt nc} creates the TUN device itself, so the kernel side
 * exists only while it runs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TuncryptNcTest {
    static final Path TUNCRYPT = Daemon.ROOT.resolve("bin/tuncrypt");
    static final long SIZE = 64L << 20;
    static final List<String> DEVICE =
            List.of("--tun", "tn0", "--tun-addr", "198.18.7.1/24", "--stack-addr", "198.18.7.2");

    @TempDir
    Path dir;

    private TestNamespace ns;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void listensAndReceivesFromTheKernelsNetcat() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("nc", "netcat-openbsd");
        ns = TestNamespace.create("tcnc");
        Path in = dir.resolve("in.bin");
        String sent = writeRandomFile(in, SIZE, 1);
        Path out = dir.resolve("out.bin");
        Path err = dir.resolve("tuncrypt.err");

        // stdin /dev/null: tuncrypt nc half-closes at once and goes on receiving.
        Process tnc = start(inNamespace(tuncrypt("nc", "-l", "5000")), devNull(), out, err);
        awaitDeviceReady(tnc, err);

        // The kernel's netcat (-v: it says why a connect failed), retried while the stack's listener
        // is not there yet (refused).
        Path ncLog = dir.resolve("nc.log");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Process nc;
        while (true) {
            nc = start(inNamespace(List.of("nc", "-v", "-N", "198.18.7.2", "5000")), in.toFile(), ncLog, ncLog);
            if (!nc.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("nc did not finish sending 64 MiB in 60 s; tuncrypt nc: " + read(err));
            }
            String log = read(ncLog);
            if (nc.exitValue() == 0 || !log.contains("refused") || System.nanoTime() - end > 0) {
                assertThat(nc.exitValue()).as("nc: %s", log).isZero();
                break;
            }
            Thread.sleep(50);
        }
        assertThat(tnc.waitFor(30, TimeUnit.SECONDS)).as("tuncrypt nc exits after the transfer").isTrue();
        assertThat(tnc.exitValue()).as("tuncrypt nc status; stderr: %s", read(err)).isZero();
        assertThat(Files.size(out)).isEqualTo(SIZE);
        assertThat(sha256(out)).isEqualTo(sent);
        assertThat(ns.run("ip", "link", "show", "tn0").ok()).as("device removed on exit").isFalse();
    }

    /**
     * With {@code kernelHalfClosesFirst} the kernel's netcat has nothing to send ({@code -N} and
     * stdin /dev/null): its FIN arrives at once, and tuncrypt nc must still send all of its input.
     */
    @ParameterizedTest(name = "kernel half-closes first: {0}")
    @ValueSource(booleans = {false, true})
    void connectsAndSendsToTheKernelsNetcat(boolean kernelHalfClosesFirst) throws Exception {
        Requirements.rootAndTun();
        Requirements.command("nc", "netcat-openbsd");
        Requirements.command("ss", "iproute2");
        ns = TestNamespace.create("tcnc");
        Path in = dir.resolve("in.bin");
        String sent = writeRandomFile(in, SIZE, 2);
        Path out = dir.resolve("out.bin");
        Path ncLog = dir.resolve("nc.log");

        // The wildcard address: 198.18.7.1 exists only once tuncrypt nc has created the device.
        List<String> listen = kernelHalfClosesFirst ? List.of("nc", "-4", "-N", "-l", "5000")
                : List.of("nc", "-4", "-l", "5000");
        Process nc = start(inNamespace(listen), devNull(), out, ncLog);
        poll("the kernel's nc to listen on port 5000", Duration.ofSeconds(10), () -> {
            if (!nc.isAlive()) {
                throw new AssertionError("nc -l exited with " + nc.exitValue() + ": " + read(ncLog));
            }
            return !ns.run("ss", "-Hltn", "sport = :5000").output().isBlank();
        });

        Path tout = dir.resolve("tuncrypt.out");
        Path err = dir.resolve("tuncrypt.err");
        Process tnc = start(inNamespace(tuncrypt("nc", "198.18.7.1", "5000")), in.toFile(), tout, err);
        assertThat(tnc.waitFor(60, TimeUnit.SECONDS)).as("tuncrypt nc finishes; stderr: %s", read(err)).isTrue();
        assertThat(tnc.exitValue()).as("tuncrypt nc status; stderr: %s", read(err)).isZero();
        assertThat(nc.waitFor(10, TimeUnit.SECONDS)).as("nc -l exits after the transfer").isTrue();
        assertThat(nc.exitValue()).as("nc -l: %s", read(ncLog)).isZero();
        assertThat(Files.size(out)).isEqualTo(SIZE);
        assertThat(sha256(out)).isEqualTo(sent);
        assertThat(Files.size(tout)).as("nothing came back").isZero();
    }

    @Test
    void connectToAClosedPortIsRefused() throws Exception {
        Requirements.rootAndTun();
        ns = TestNamespace.create("tcnc");
        Path out = dir.resolve("tuncrypt.out");
        Process tnc = start(inNamespace(tuncrypt("nc", "198.18.7.1", "5999")), devNull(), out, null);
        assertThat(tnc.waitFor(30, TimeUnit.SECONDS)).as("tuncrypt nc exits; output: %s", read(out)).isTrue();
        String output = read(out);
        assertThat(tnc.exitValue()).as("status; output: %s", output).isEqualTo(1);
        assertThat(output.strip().lines()).as("output: %s", output).hasSize(1);
        assertThat(output).contains("refused");
        assertThat(ns.run("ip", "link", "show", "tn0").ok()).as("device removed on exit").isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--stack-addr 198.18.7.2                          | give -l PORT to listen or HOST PORT to connect",
        "--stack-addr 198.18.7.2 198.18.7.1               | give -l PORT to listen or HOST PORT to connect",
        "--stack-addr 198.18.7.2 198.18.7.1 notaport      | 'notaport' is not a port",
        "--stack-addr 198.18.7.2 198.18.7.1 70000         | '70000' is not a port",
        "--stack-addr 198.18.7.2 -l 70000                 | -l 70000: port must be 1-65535",
        "--stack-addr 198.18.7.2 -l 5000 198.18.7.1 5000  | exclude each other",
        "--stack-addr 198.18.7.2 198.18.300.1 5000        | '198.18.300.1' is not an IPv4 or IPv6 address",
        "198.18.7.1 5000                                  | --stack-addr is required",
        "--stack-addr 198.18.7.2 --bogus 198.18.7.1 5000  | '--bogus'",
        "--stack-addr 198.18.7.2 --dialect tls 198.18.7.1 5000 | unknown dialect 'tls'",
        "--stack-addr 198.18.7.2 --dialect rfc8548,rfc8548 198.18.7.1 5000 | rfc8548 named twice",
    })
    void badArgumentsAreOneLineAndStatus2(String args, String expected) throws Exception {
        List<String> argv = new ArrayList<>(List.of(TUNCRYPT.toString(), "nc"));
        argv.addAll(List.of(args.strip().split(" +")));
        Path out = dir.resolve("tuncrypt.out");
        Process p = start(argv, devNull(), out, null);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = read(out);
        assertThat(p.exitValue()).as("status for '%s'; output: %s", args, output).isEqualTo(2);
        assertThat(output.strip().lines()).as("output for '%s': %s", args, output).hasSize(1);
        assertThat(output).startsWith("tuncrypt").contains(expected.strip()).contains("--help");
    }

    // ------------------------------------------------------------------ helpers

    private List<String> tuncrypt(String... args) {
        List<String> argv = new ArrayList<>(List.of(TUNCRYPT.toString(), args[0]));
        argv.addAll(DEVICE);
        argv.addAll(List.of(args).subList(1, args.length));
        return argv;
    }

    private List<String> inNamespace(List<String> command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        argv.addAll(command);
        return argv;
    }

    /** Starts {@code argv}; {@code err} null (or {@code out}) merges stderr into {@code out}; killed in cleanUp. */
    private Process start(List<String> argv, File stdin, Path out, Path err) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(stdin).redirectOutput(out.toFile());
        if (err == null || err.equals(out)) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(err.toFile());
        }
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static File devNull() {
        return new File("/dev/null");
    }

    /** Waits until tuncrypt nc's device is up with its address (the stack starts right after). */
    private void awaitDeviceReady(Process tnc, Path err) throws Exception {
        poll("tuncrypt nc's device tn0 with 198.18.7.1/24", Duration.ofSeconds(20), () -> {
            if (!tnc.isAlive()) {
                throw new AssertionError("tuncrypt nc exited with " + tnc.exitValue() + ": " + read(err));
            }
            Netns.Result r = ns.run("ip", "-br", "addr", "show", "dev", "tn0");
            return r.ok() && r.output().contains("198.18.7.1/24") && !r.output().contains("DOWN");
        });
    }

    private static void poll(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }

    /** Writes {@code size} pseudo-random bytes; returns their SHA-256. */
    private static String writeRandomFile(Path file, long size, long seed) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] chunk = new byte[1 << 20];
        ByteBuffer longs = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                for (int i = 0; i < chunk.length; i += 8) {
                    longs.putLong(i, rnd.nextLong());
                }
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                sha.update(chunk, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
