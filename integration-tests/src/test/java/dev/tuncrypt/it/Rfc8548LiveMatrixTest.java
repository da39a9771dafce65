package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every TEP × AEAD of RFC 8548 (4 × 3) live in both roles between {@code tuncryptd --dialect
 * rfc8548} and the reference peer ({@code tools/rfc8548-reference/rfc8548_peer.py}, its own TCP on
 * raw sockets, its namespace's kernel RSTs dropped), one daemon per role and one short connection
 * per pair, the peer offering (as A) or accepting (as B) that pair alone. The daemon runs with
 * {@code --rekey-after 8000}, so every connection carries key updates initiated by both ends (RFC
 * 8548 §3.8): the peer's, in the middle of its data, and the daemon's, at least two in 20 000
 * bytes, each opened by the peer at the next generation. Each connection: data both ways
 * byte-exact, the session ID in the daemon's connection log equal to the peer's. (The
 * {@code tuncrypt nc} side of the same pairs is {@link Rfc8548LiveInteropTest}.)
 */
class Rfc8548LiveMatrixTest {
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
        hosts = VethHosts.create("rma", "rmb", "198.18.0.1/24", "198.18.0.2/24");
        a = hosts.a();
        b = hosts.b();
        dir = Files.createTempDirectory("rfc-matrix");
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

    /** The peer's TCP is its own: the kernel of its namespace must not reset what it does not know. */
    private static void dropKernelResets(TestNamespace ns) throws Exception {
        for (String[] cmd : List.of(new String[] {"nft", "add", "table", "ip", "rfcpeer"},
                new String[] {"nft", "add", "chain", "ip", "rfcpeer", "out", "{ type filter hook output priority 0; }"},
                new String[] {"nft", "add", "rule", "ip", "rfcpeer", "out", "tcp flags & rst != 0 drop"})) {
            var r = ns.run(cmd);
            assertThat(r.ok()).as(String.join(" ", cmd) + ": " + r).isTrue();
        }
    }

    /** The peer's report of one connection, read to its end. */
    private static List<String> report(Process peer, Runnable onAnswered) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                if (line.equals("rekey_answered=true")) {
                    onAnswered.run();
                }
            }
        }
        assertThat(peer.waitFor(40, TimeUnit.SECONDS)).isTrue();
        return lines;
    }

    private void checkReport(String what, Process peer, List<String> lines, String tep, String aead, String direction)
            throws Exception {
        assertThat(peer.exitValue()).as(what + ": peer said " + lines + "\ndaemon: " + daemon.log()).isZero();
        assertThat(lines).as(what).contains("tep=" + tep, "aead=" + aead, "resumed=false");
        // the daemon's own key updates: two in 20 000 bytes under --rekey-after 8000 (an answer to
        // the peer's update is one rekey frame more, or none when the daemon was ahead already);
        // without them the peer would see the answer alone
        assertThat(lines.stream().filter(l -> l.startsWith("peer_rekeys=")).map(l -> Integer.parseInt(l.substring(12))))
                .as(what + ": " + lines).singleElement().matches(k -> k >= 2, "two key updates or more");
        String sid = lines.stream().filter(l -> l.startsWith("session_id=")).findFirst().orElseThrow().substring(11);
        assertThat(sid).as(what).startsWith(tep.toUpperCase());
        assertThat(daemon.log()).as(what + ": the daemon's session ID")
                .containsPattern("open " + direction + " .* encrypted dialect rfc8548 .* sid " + sid);
    }

    /** tuncryptd as role B ({@code --serve}, in front of a kernel echo service), the peer as A. */
    @Test
    void everyTepAndAeadWithTuncryptdAsRoleB() throws Exception {
        dropKernelResets(a);
        echo = new ProcessBuilder("ip", "netns", "exec", b.name(), "socat",
                "TCP-LISTEN:5000,bind=198.18.0.2,reuseaddr,fork", "EXEC:cat").redirectErrorStream(true)
                .redirectOutput(dir.resolve("echo.log").toFile()).start();
        daemon = Daemon.start(b.name(), "--tun", "tb0", "--tun-addr", "198.18.2.1/24", "--stack-addr", "198.18.2.2",
                "-u", dir.resolve("b.ctl").toString(), "--serve", "5000", "--serve-on", "veb", "--dialect", "rfc8548",
                "--rekey-after", "8000");
        daemon.awaitReady(Duration.ofSeconds(30));
        byte[] data = new byte[20_000];
        new SplittableRandom(8548).nextBytes(data);
        Path in = Files.write(dir.resolve("a.in"), data);
        for (String[] p : Rfc8548LiveInteropTest.allPairs()) {
            String what = "tuncryptd as B, TEP " + p[0] + ", AEAD " + p[1];
            Path out = dir.resolve("a-" + p[0] + "-" + p[1] + ".out");
            Process peer = new ProcessBuilder("ip", "netns", "exec", a.name(), Requirements.PYTHON3, PEER.toString(),
                    "--src", "198.18.0.1", "--dst", "198.18.0.2", "--dport", "5000", "--teps", p[0], "--aeads", p[1],
                    "--input", in.toString(), "--output", out.toString(), "--timeout", "20").redirectErrorStream(true)
                    .start();
            List<String> lines = report(peer, () -> { });
            checkReport(what, peer, lines, p[0], p[1], "inbound");
            assertThat(lines).as(what).contains("rekey_answered=true");
            assertThat(Files.readAllBytes(out)).as(what + ": echoed byte-exact").isEqualTo(data);
        }
    }

    /**
     * tuncryptd as role A ({@code -c}: a full handshake each time, so that the peer's single TEP
     * is offered fresh), carrying an unmodified kernel client's connections to the peer listening
     * as role B, which picks the pair ({@code --steer 198.18.0.2/32}); the daemon's connections
     * leave A from 198.18.0.1 (masqueraded).
     */
    @Test
    void everyTepAndAeadWithTuncryptdAsRoleA() throws Exception {
        dropKernelResets(b);
        daemon = Daemon.start(a.name(), "--tun", "ta0", "--tun-addr", "198.18.1.1/24", "--stack-addr", "198.18.1.2",
                "-u", dir.resolve("a.ctl").toString(), "--dialect", "rfc8548", "--rekey-after", "8000", "-c", "--steer", "198.18.0.2/32");
        daemon.awaitReady(Duration.ofSeconds(30));
        byte[] fromClient = new byte[20_000];
        byte[] fromPeer = new byte[15_000];
        new SplittableRandom(85).nextBytes(fromClient);
        new SplittableRandom(47).nextBytes(fromPeer);
        Path peerIn = Files.write(dir.resolve("peer.in"), fromPeer);
        int port = 6000;
        for (String[] p : Rfc8548LiveInteropTest.allPairs()) {
            String what = "tuncryptd as A, TEP " + p[0] + ", AEAD " + p[1];
            Path peerOut = dir.resolve("peer-" + port + ".out");
            Path clientOut = dir.resolve("client-" + port + ".out");
            Path clientErr = dir.resolve("client-" + port + ".err");
            Process peer = new ProcessBuilder("ip", "netns", "exec", b.name(), Requirements.PYTHON3, PEER.toString(),
                    "--listen", "" + port, "--src", "198.18.0.2", "--dst", "198.18.0.1", "--teps", p[0], "--aeads", p[1],
                    "--input", peerIn.toString(), "--output", peerOut.toString(), "--timeout", "20")
                    .redirectErrorStream(true).start();
            Thread.sleep(300); // the peer's raw sockets open (a SYN before them is only retransmitted a second later)
            Process client = new ProcessBuilder("ip", "netns", "exec", a.name(), "socat", "-t", "30", "-",
                    "TCP:198.18.0.2:" + port).redirectOutput(clientOut.toFile()).redirectError(clientErr.toFile()).start();
            OutputStream clientIn = client.getOutputStream();
            try {
                clientIn.write(fromClient);
                clientIn.flush();
                List<String> lines = report(peer, () -> {
                    try {
                        clientIn.close(); // the client's stream may end once the peer's update met the daemon's
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                checkReport(what, peer, lines, p[0], p[1], "outbound");
                assertThat(client.waitFor(30, TimeUnit.SECONDS)).as(what + ": client ends").isTrue();
                assertThat(client.exitValue()).as(what + ": " + Files.readString(clientErr)).isZero();
                assertThat(Files.readAllBytes(peerOut)).as(what + ": A to B byte-exact").isEqualTo(fromClient);
                assertThat(Files.readAllBytes(clientOut)).as(what + ": B to A byte-exact").isEqualTo(fromPeer);
            } finally {
                client.destroyForcibly();
                client.waitFor(5, TimeUnit.SECONDS);
            }
            port++;
        }
    }
}
