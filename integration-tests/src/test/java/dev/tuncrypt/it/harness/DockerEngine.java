package dev.tuncrypt.it.harness;

import static org.junit.jupiter.api.Assertions.fail;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker engine the peers run on, chosen once per test JVM before Testcontainers looks
 * for one:
 * <ol>
 *   <li>{@code DOCKER_HOST} set: that engine;</li>
 *   <li>{@code /var/run/docker.sock} answers {@code /_ping}: the local engine (not in CI when a
 *       private engine can be started);</li>
 *   <li>root and {@code /usr/sbin/dockerd}: a private engine from {@code tools/docker-private},
 *       stopped (and everything it made deleted) when the JVM exits, and by its watchdog if the
 *       JVM is killed;</li>
 *   <li>otherwise: the test fails in CI ({@code CI=true}) and is skipped elsewhere, saying why.</li>
 * </ol>
 * Testcontainers also needs {@code TESTCONTAINERS_RYUK_DISABLED=true},
 * {@code TESTCONTAINERS_CHECKS_DISABLE=true} and {@code TESTCONTAINERS_HOST_OVERRIDE=localhost}
 * (no registry here); the module's surefire configuration sets them.
 */
public final class DockerEngine {
    private static final Logger log = LoggerFactory.getLogger(DockerEngine.class);
    private static final Path LOCAL_SOCKET = Path.of("/var/run/docker.sock");

    /** Where the engine came from. */
    public enum Source { DOCKER_HOST, LOCAL_SOCKET, PRIVATE }

    private static Source source;
    private static String unavailable;
    private static Path privateDir;
    private static volatile String privateHost;

    private DockerEngine() {}

    /** Makes sure an engine is there (starting a private one if needed); fails or skips otherwise. */
    public static synchronized Source require() {
        if (source == null && unavailable == null) {
            choose();
        }
        if (source == null) {
            if (Requirements.inCi()) {
                fail("CI must run this test but there is no Docker engine: " + unavailable);
            }
            Assumptions.abort("skipped: no Docker engine: " + unavailable);
        }
        return source;
    }

    /** The private engine's {@code unix://...} address, or null when none runs. */
    public static String privateHost() {
        return privateHost;
    }

    /** The private engine's directory (its daemon log is {@code dockerd.log} there), or null. */
    public static synchronized Path privateDir() {
        return privateDir;
    }

    private static void choose() {
        String host = System.getenv("DOCKER_HOST");
        if (host != null && !host.isBlank()) {
            source = Source.DOCKER_HOST;
            log.info("Docker engine: DOCKER_HOST={}", host);
            return;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean dockerd = Files.isExecutable(Path.of("/usr/sbin/dockerd"));
        // CI uses its own engine even if a host-wide one answers: runs stay reproducible and the
        // host's network is never shaped by a default-configured daemon
        if (!(Requirements.inCi() && root && dockerd) && answersPing(LOCAL_SOCKET)) {
            source = Source.LOCAL_SOCKET;
            log.info("Docker engine: {}", LOCAL_SOCKET);
            return;
        }
        if (!root) {
            unavailable = "DOCKER_HOST is not set, " + LOCAL_SOCKET + " does not answer, and starting a private "
                    + "engine (tools/docker-private) needs root";
            return;
        }
        if (!dockerd) {
            unavailable = "DOCKER_HOST is not set, " + LOCAL_SOCKET + " does not answer, and there is no "
                    + "/usr/sbin/dockerd for a private engine (apt-get install docker.io, or run tools/install-deps)";
            return;
        }
        try {
            startPrivate();
        } catch (IOException e) {
            unavailable = "could not start a private engine: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable = "interrupted while starting a private engine";
        }
    }

    private static void startPrivate() throws IOException, InterruptedException {
        Path script = Harness.ROOT.resolve("tools/docker-private");
        Process p = new ProcessBuilder(script.toString(), "start", "--watch", Long.toString(ProcessHandle.current().pid()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(out.strip());
        }
        String dockerHost = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("DOCKER_HOST=")) {
                dockerHost = line.substring("DOCKER_HOST=".length()).strip();
            } else if (line.startsWith("TUNCRYPT_DOCKER_DIR=")) {
                privateDir = Path.of(line.substring("TUNCRYPT_DOCKER_DIR=".length()).strip());
            }
        }
        if (dockerHost == null || privateDir == null) {
            throw new IOException("tools/docker-private printed no DOCKER_HOST: " + out.strip());
        }
        Path dir = privateDir;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopPrivate(script, dir), "docker-private-stop"));
        privateHost = dockerHost; // PrivateEngineStrategy hands it to Testcontainers
        source = Source.PRIVATE;
        log.info("Docker engine: private, {} ({})", dockerHost, dir);
    }

    private static void stopPrivate(Path script, Path dir) {
        try {
            Process p = new ProcessBuilder(script.toString(), "stop", dir.toString()).inheritIO().start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            System.err.println("docker-private stop " + dir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A raw {@code GET /_ping} on a Docker socket: true if it answers OK within a second. */
    static boolean answersPing(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(512);
            long end = System.nanoTime() + 1_000_000_000L;
            ch.configureBlocking(true);
            while (buf.hasRemaining() && ch.read(buf) > 0 && System.nanoTime() < end) {
                // read until the peer closes (HTTP/1.0) or the buffer is full
            }
            String reply = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
            return reply.startsWith("HTTP/1.") && reply.contains(" 200 ");
        } catch (IOException e) {
            return false;
        }
    }
}
