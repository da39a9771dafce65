package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Resumption with a peer that is not this engine, through {@code tuncryptd} (whose session cache
 * outlives a connection): host A runs {@code tools/rfc8548-reference/rfc8548_peer.py} (its own
 * TCP on raw sockets, A's kernel RSTs dropped), host B {@code tuncryptd --serve 5000} (default
 * dialect rfc8548) in front of a kernel echo service. Two connections in a row: the first a full
 * handshake, the second resumed from ss[1] with 8-byte nonces (RFC 8548 §3.5); each echoes A's
 * data byte-exact through the daemon, with A's key update answered by the daemon's stack.
 */
class Rfc8548LiveResumptionTest {
    static final Path PEER = Rfc8548LiveInteropTest.PEER;
    private VethHosts hosts;
    private TestNamespace a;
    private TestNamespace b;
    private Path dir;
    private Daemon daemon;
    private Process echo;

    @BeforeEach
    void hosts() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("nft", "nftables");
        Requirements.command("socat", "socat");
        if (!Files.isExecutable(Path.of(Requirements.PYTHON3)) || new ProcessBuilder(Requirements.PYTHON3, "-c",
                "import cryptography").start().waitFor() != 0) {
            String why = "needs " + Requirements.PYTHON3 + " with python3-cryptography";
            if (Requirements.inCi()) {
                fail(why);
            }
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        hosts = VethHosts.create("rra", "rrb", "198.18.0.1/24", "198.18.0.2/24");
        a = hosts.a();
        b = hosts.b();
        dir = Files.createTempDirectory("rfc-resume");
        for (String[] cmd : List.of(new String[] {"nft", "add", "table", "ip", "rfcpeer"},
                new String[] {"nft", "add", "chain", "ip", "rfcpeer", "out", "{ type filter hook output priority 0; }"},
                new String[] {"nft", "add", "rule", "ip", "rfcpeer", "out", "tcp flags & rst != 0 drop"})) {
            var r = a.run(cmd);
            assertThat(r.ok()).as(String.join(" ", cmd) + ": " + r).isTrue();
        }
    }

    @AfterEach
    void cleanup() throws Exception {
        if (echo != null) {
            echo.destroyForcibly();
            echo.waitFor(5, TimeUnit.SECONDS);
        }
        if (daemon != null) {
            daemon.close();
        }
        if (hosts != null) {
            hosts.close();
        }
    }

    @Test
    void theSecondConnectionResumesThroughTuncryptd() throws Exception {
        echo = new ProcessBuilder("ip", "netns", "exec", b.name(), "socat",
                "TCP-LISTEN:5000,bind=198.18.0.2,reuseaddr,fork", "EXEC:cat").redirectErrorStream(true)
                .redirectOutput(dir.resolve("echo.log").toFile()).start();
        daemon = Daemon.start(b.name(), "--tun", "tb0", "--tun-addr", "198.18.2.1/24", "--stack-addr", "198.18.2.2",
                "-u", dir.resolve("b.ctl").toString(), "--serve", "5000", "--serve-on", "veb");
        daemon.awaitReady(Duration.ofSeconds(30));
        byte[] data = new byte[30_000];
        new SplittableRandom(3).nextBytes(data);
        Path in = Files.write(dir.resolve("a.in"), data);
        Path out = dir.resolve("a.out");
        Process peer = new ProcessBuilder("ip", "netns", "exec", a.name(), Requirements.PYTHON3, PEER.toString(),
                "--src", "198.18.0.1", "--dst", "198.18.0.2", "--dport", "5000", "--connections", "2",
                "--input", in.toString(), "--output", out.toString(), "--timeout", "30").redirectErrorStream(true).start();
        String said = new String(peer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(peer.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(peer.exitValue()).as("peer: " + said + "\ndaemon: " + daemon.log()).isZero();
        List<String> lines = said.lines().toList();
        assertThat(lines.stream().filter(l -> l.startsWith("resumed="))).containsExactly("resumed=false", "resumed=true");
        assertThat(lines.stream().filter(l -> l.startsWith("rekey_answered="))).containsExactly("rekey_answered=true",
                "rekey_answered=true");
        List<String> sids = lines.stream().filter(l -> l.startsWith("session_id=")).map(l -> l.substring(11)).toList();
        assertThat(sids).hasSize(2).doesNotHaveDuplicates();
        assertThat(Integer.parseInt(sids.get(1).substring(0, 2), 16)).as("v = 1 in a resumed session ID")
                .isEqualTo(Integer.parseInt(sids.get(0).substring(0, 2), 16) | 0x80);
        assertThat(Files.readAllBytes(Path.of(out + ".0"))).as("echo, full handshake").isEqualTo(data);
        assertThat(Files.readAllBytes(Path.of(out + ".1"))).as("echo, resumed").isEqualTo(data);
    }
}
