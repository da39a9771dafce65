package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code tuncrypt perf} between two hosts (namespaces joined by a veth pair, each stack on its own
 * TUN device, as {@link EncryptedNcTest}): the client prints throughput, RTT and connections per
 * second, encrypted (same session ID on both ends) and plain ({@code --crypt never}); {@code --json}
 * parses; and a client on kernel sockets reaches the same server. One server for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PerfCommandTest {
    static final Path TUNCRYPT = Daemon.ROOT.resolve("bin/tuncrypt");
    private VethHosts hosts;
    private TestNamespace a;
    private TestNamespace b;
    private Path dir;
    private Process server;

    @BeforeAll
    void hosts() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("ping", "iputils-ping");
        hosts = VethHosts.create("pfa", "pfb", "198.18.0.1/30", "198.18.0.2/30").routingStackPrefixes();
        a = hosts.a();
        b = hosts.b();
        dir = Files.createTempDirectory("perf");
        server = new ProcessBuilder("ip", "netns", "exec", b.name(), TUNCRYPT.toString(), "perf", "-s",
                "--tun", "tb0", "--tun-addr", "198.18.2.1/24", "--stack-addr", "198.18.2.2")
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.out").toFile()).start();
        awaitServer();
    }

    @AfterAll
    void cleanup() throws Exception {
        if (server != null) {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (hosts != null) {
            hosts.close();
        }
    }

    private void awaitServer() throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            if (Files.readString(dir.resolve("server.out")).contains("Server listening on 5201")
                    && a.run("ping", "-c", "1", "-W", "1", "198.18.2.2").ok()) {
                return;
            }
            assertThat(server.isAlive()).as(Files.readString(dir.resolve("server.out"))).isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("the perf server never came up: " + Files.readString(dir.resolve("server.out")));
    }

    /** Runs the client in A; returns its standard output after requiring exit status 0. */
    private String client(boolean embedded, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", a.name(), TUNCRYPT.toString(), "perf",
                "-c", "198.18.2.2"));
        if (embedded) {
            cmd.addAll(List.of("--tun", "ta0", "--tun-addr", "198.18.1.1/24", "--stack-addr", "198.18.1.2"));
        }
        cmd.addAll(List.of(args));
        Path out = dir.resolve("client.out");
        Path err = dir.resolve("client.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("client finished").isTrue();
        assertThat(p.exitValue()).as(Files.readString(out) + Files.readString(err)).isZero();
        return Files.readString(out);
    }

    @Test
    void encryptedTextShowsThroughputRttAndConnectionRateWithTheServersSessionId() throws Exception {
        String text = client(true, "-m", "all", "-t", "1", "-P", "2");
        assertThat(text)
                .containsPattern("Security: tcpcrypt rfc8548 .*session [0-9A-F]{66}")
                .containsPattern("\\[  1\\] 0\\.00-[0-9.]+ sec +[0-9.]+ [KMG]Bytes +[0-9.]+ [KMG]bits/sec +sender")
                .containsPattern("\\[SUM\\] .* [0-9.]+ [KMG]bits/sec +sender")
                .containsPattern("RTT: [1-9][0-9]* round trips of 1 byte: median [0-9.]+ us, p99 [0-9.]+ us")
                .containsPattern("Connections: [1-9][0-9]* in [0-9.]+ s = [0-9.]+ connections/s");
        String sid = text.replaceAll("(?s).*session ([0-9A-F]{66}).*", "$1");
        assertThat(Files.readString(dir.resolve("server.out"))).contains("session " + sid);
    }

    @Test
    void plainJsonParsesWithEveryMeasurement() throws Exception {
        JsonNode json = new ObjectMapper().readTree(client(true, "--crypt", "never", "--json", "-m", "all", "-t", "1", "-R"));
        assertThat(json.at("/transport").asText()).isEqualTo("stack");
        assertThat(json.at("/security/kind").asText()).isEqualTo("plain");
        assertThat(json.at("/throughput/direction").asText()).isEqualTo("receive");
        assertThat(json.at("/throughput/sum/bytes_received").asLong()).isPositive();
        assertThat(json.at("/throughput/sum/bits_per_second_received").asDouble()).isPositive();
        assertThat(json.at("/rtt/count").asLong()).isPositive();
        assertThat(json.at("/rtt/median_us").asDouble()).isPositive();
        assertThat(json.at("/rtt/p99_us").asDouble()).isGreaterThanOrEqualTo(json.at("/rtt/median_us").asDouble());
        assertThat(json.at("/connect/count").asLong()).isPositive();
        assertThat(json.at("/connect/per_second").asDouble()).isPositive();
        assertThat(Files.readString(dir.resolve("server.out"))).contains("plain TCP");
    }

    @Test
    void encryptedJsonBidirAndAKernelSocketClient() throws Exception {
        JsonNode enc = new ObjectMapper().readTree(client(true, "--json", "--bidir", "-t", "1", "--crypt", "always"));
        assertThat(enc.at("/security/kind").asText()).isEqualTo("tcpcrypt");
        assertThat(enc.at("/security/session_id").asText()).matches("[0-9A-F]{66}");
        assertThat(enc.at("/throughput/sum/bytes_sent").asLong()).isPositive();
        assertThat(enc.at("/throughput/sum/bytes_received").asLong()).isPositive();
        // no --stack-addr: kernel sockets, routed across the veth pair to B's stack (plain: no daemon here)
        JsonNode kernel = new ObjectMapper().readTree(client(false, "--json", "-m", "rtt", "-t", "1"));
        assertThat(kernel.at("/transport").asText()).isEqualTo("kernel");
        assertThat(kernel.at("/rtt/count").asLong()).isPositive();
    }
}
