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
 * data byte-exact through the daemon, with A's key update answered by the daemon's stack, and the
 * daemon logs the peer's session IDs (the second with "resumed"). The other role, tuncryptd
 * resuming as A against the peer listening as B, is the second test.
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
    }

    /** The peer's TCP is its own: the kernel of its namespace must not reset what it does not know. */
    private static void dropKernelResets(TestNamespace ns) throws Exception {
        for (String[] cmd : List.of(new String[] {"nft", "add", "table", "ip", "rfcpeer"},
                new String[] {"nft", "add", "chain", "ip", "rfcpeer", "out", "{ type filter hook output priority 0; }"},
                new String[] {"nft", "add", "rule", "ip", "rfcpeer", "out", "tcp flags & rst != 0 drop"})) {
            var r = ns.run(cmd);
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
        dropKernelResets(a);
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
        String log = daemon.log();
        assertThat(log).as("the daemon's session IDs").containsPattern(
                "open inbound .* encrypted dialect rfc8548 .*(?<! resumed) sid " + sids.get(0));
        assertThat(log).containsPattern("open inbound .* encrypted dialect rfc8548 .* resumed sid " + sids.get(1));
        assertThat(Files.readAllBytes(Path.of(out + ".0"))).as("echo, full handshake").isEqualTo(data);
        assertThat(Files.readAllBytes(Path.of(out + ".1"))).as("echo, resumed").isEqualTo(data);
    }

    /**
     * The other role: {@code tuncryptd} in A (with {@code --rekey-after 8000}) carries an
     * unmodified kernel client's connections to the reference peer listening as role B in B, two
     * in a row: the first a full handshake, the second resumed by the daemon's stack from the
     * ss[1] it cached (RFC 8548 §3.5: A's SYN names resume[1]{0..8}, the peer answers with the
     * other half). Each: data both ways byte-exact, the daemon's logged session ID (with
     * "resumed" on the second) equal to the peer's, and key updates initiated by the daemon's
     * stack (§3.8) opened by the peer at the next generation. (The daemon steers 198.18.0.2/32;
     * its connections leave A masqueraded, from A's address 198.18.0.1.)
     */
    @Test
    void tuncryptdResumesAsRoleAAgainstTheReferencePeer() throws Exception {
        dropKernelResets(b);
        daemon = Daemon.start(a.name(), "--tun", "ta0", "--tun-addr", "198.18.1.1/24", "--stack-addr", "198.18.1.2",
                "-u", dir.resolve("a.ctl").toString(), "--rekey-after", "8000", "--steer", "198.18.0.2/32");
        daemon.awaitReady(Duration.ofSeconds(30));
        byte[] fromClient = new byte[30_000];
        byte[] fromPeer = new byte[20_000];
        new SplittableRandom(11).nextBytes(fromClient);
        new SplittableRandom(12).nextBytes(fromPeer);
        Path peerIn = Files.write(dir.resolve("peer.in"), fromPeer);
        Path peerOut = dir.resolve("peer.out");
        Process peer = new ProcessBuilder("ip", "netns", "exec", b.name(), Requirements.PYTHON3, PEER.toString(),
                "--listen", "6000", "--src", "198.18.0.2", "--dst", "198.18.0.1", "--connections", "2",
                "--input", peerIn.toString(), "--output", peerOut.toString(), "--timeout", "30")
                .redirectErrorStream(true).start();
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))) {
            for (int n = 0; n < 2; n++) {
                Path clientOut = dir.resolve("client-" + n + ".out");
                Process client = new ProcessBuilder("ip", "netns", "exec", a.name(), "socat", "-t", "30", "-",
                        "TCP:198.18.0.2:6000").redirectOutput(clientOut.toFile())
                        .redirectError(dir.resolve("client-" + n + ".err").toFile()).start();
                var clientIn = client.getOutputStream();
                clientIn.write(fromClient);
                clientIn.flush();
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    if (line.equals("rekey_answered=true") || line.equals("rekey_answered=false")) {
                        clientIn.close(); // the client may end its stream once the peer's update met ours
                    }
                    if (line.startsWith("peer_rekeys=")) {
                        break;
                    }
                }
                assertThat(client.waitFor(40, TimeUnit.SECONDS)).as("client %d ends; peer said %s", n, lines).isTrue();
                assertThat(client.exitValue()).as("client %d: %s; peer said %s; daemon: %s", n,
                        Files.readString(dir.resolve("client-" + n + ".err")), lines, daemon.log()).isZero();
                assertThat(Files.readAllBytes(clientOut)).as("connection %d: B to A byte-exact", n).isEqualTo(fromPeer);
            }
            String rest = new String(peer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            lines.addAll(rest.lines().toList());
        }
        assertThat(peer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(peer.exitValue()).as("peer: " + lines + "\ndaemon: " + daemon.log()).isZero();
        assertThat(lines.stream().filter(l -> l.startsWith("resumed="))).containsExactly("resumed=false", "resumed=true");
        // 30 000 bytes, a new key every 8 000: the daemon's stack initiated at least three updates per connection
        assertThat(lines.stream().filter(l -> l.startsWith("peer_rekeys=")).map(l -> Integer.parseInt(l.substring(12))))
                .as("" + lines).hasSize(2).allMatch(k -> k >= 3);
        List<String> sids = lines.stream().filter(l -> l.startsWith("session_id=")).map(l -> l.substring(11)).toList();
        assertThat(sids).hasSize(2).doesNotHaveDuplicates();
        String log = daemon.log();
        assertThat(log).as("the daemon's session IDs").containsPattern("open outbound .* 198\\.18\\.0\\.2:6000 encrypted"
                + " dialect rfc8548 .*(?<! resumed) sid " + sids.get(0));
        assertThat(log).containsPattern("open outbound .* 198\\.18\\.0\\.2:6000 encrypted dialect rfc8548 .* resumed sid "
                + sids.get(1));
        assertThat(Files.readAllBytes(Path.of(peerOut + ".0"))).as("A to B, full handshake").isEqualTo(fromClient);
        assertThat(Files.readAllBytes(Path.of(peerOut + ".1"))).as("A to B, resumed").isEqualTo(fromClient);
    }
}
