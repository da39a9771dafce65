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
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code tuncrypt nc -l --dialect rfc8548} (role B) against a live peer that is not this engine:
 * {@code tools/rfc8548-reference/rfc8548_peer.py}, written from the RFC text, which speaks TCP
 * itself over raw sockets in the namespace (the namespace's kernel has its RSTs dropped). For
 * every TEP and AEAD: the ENO handshake (b = 1 checked by the peer, the last valid TEP), Init1 /
 * Init2, data both ways byte-exact, equal session IDs, a key update initiated by the peer and
 * answered by the stack with rekey = 1 before its FINp frame. No resumption here: one nc serves one
 * connection and its session cache ends with it.
 */
class Rfc8548LiveInteropTest {
    static final Path NC = Daemon.ROOT.resolve("bin/tuncrypt");
    static final Path PEER = Daemon.ROOT.resolve("tools/rfc8548-reference/rfc8548_peer.py");
    private TestNamespace ns;
    private Path dir;

    @BeforeEach
    void namespace() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("nft", "nftables");
        Requirements.command("ping", "iputils-ping");
        if (!Files.isExecutable(Path.of(Requirements.PYTHON3)) || new ProcessBuilder(Requirements.PYTHON3, "-c",
                "import cryptography").start().waitFor() != 0) {
            String why = "needs " + Requirements.PYTHON3 + " with python3-cryptography";
            if (Requirements.inCi()) {
                fail(why);
            }
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        ns = TestNamespace.create("rfcpeer");
        // the peer's TCP is its own: this kernel must not reset what it does not know
        run("nft", "add", "table", "ip", "rfcpeer");
        run("nft", "add", "chain", "ip", "rfcpeer", "out", "{ type filter hook output priority 0; }");
        run("nft", "add", "rule", "ip", "rfcpeer", "out", "tcp flags & rst != 0 drop");
        dir = Files.createTempDirectory("rfc-live");
    }

    @AfterEach
    void cleanup() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    private void run(String... cmd) throws Exception {
        var r = ns.run(cmd);
        assertThat(r.ok()).as(String.join(" ", cmd) + ": " + r).isTrue();
    }

    /**
     * Every TEP and every AEAD live: four connections cover each TEP once and each AEAD at least
     * once (each nc takes seconds to start on a loaded machine). {@code RFC8548_LIVE_ALL=1} runs
     * all twelve pairs (about two minutes); the reference test covers the twelve byte for byte.
     */
    @Test
    void everyTepAndAeadAgainstTheReferencePeer() throws Exception {
        byte[] fromA = new byte[40_000];
        byte[] fromB = new byte[25_000];
        new SplittableRandom(8548).nextBytes(fromA);
        new SplittableRandom(8547).nextBytes(fromB);
        Path aIn = Files.write(dir.resolve("a.in"), fromA);
        List<String[]> pairs = new ArrayList<>();
        if ("1".equals(System.getenv("RFC8548_LIVE_ALL"))) {
            for (String tep : List.of("23", "24", "21", "22")) {
                for (String aead : List.of("0001", "0002", "0010")) {
                    pairs.add(new String[] {tep, aead});
                }
            }
        } else {
            pairs = List.of(new String[] {"23", "0010"}, new String[] {"24", "0002"}, new String[] {"21", "0001"},
                    new String[] {"22", "0010"});
        }
        int port = 5000;
        for (String[] p : pairs) {
            exchange(p[0], p[1], port++, aIn, fromA, fromB);
        }
    }

    private void exchange(String tep, String aead, int port, Path aIn, byte[] fromA, byte[] fromB) throws Exception {
        String what = "TEP " + tep + ", AEAD " + aead;
        Path bOut = dir.resolve("b-" + port + ".out");
        Path bErr = dir.resolve("b-" + port + ".err");
        Path aOut = dir.resolve("a-" + port + ".out");
        Process nc = new ProcessBuilder("ip", "netns", "exec", ns.name(), NC.toString(), "nc", "--tun", "tp0",
                "--tun-addr", "198.18.2.1/24", "--stack-addr", "198.18.2.2", "-l", "" + port, "--dialect", "rfc8548")
                .redirectOutput(bOut.toFile()).redirectError(bErr.toFile()).start();
        OutputStream ncIn = nc.getOutputStream();
        try {
            ncIn.write(fromB); // B's data, its stdin kept open until the key update was answered
            ncIn.flush();
            awaitStack(nc, bErr);
            Process peer = new ProcessBuilder("ip", "netns", "exec", ns.name(), Requirements.PYTHON3, PEER.toString(),
                    "--src", "198.18.2.1", "--dst", "198.18.2.2", "--dport", "" + port, "--teps", tep, "--aeads", aead,
                    "--input", aIn.toString(), "--output", aOut.toString(), "--timeout", "20")
                    .redirectErrorStream(true).start();
            List<String> lines = new CopyOnWriteArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    if (line.equals("rekey_answered=true")) {
                        ncIn.close(); // now B may end its stream (RFC 8548 §3.8: no answer owed after FIN)
                    }
                }
            }
            assertThat(peer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(peer.exitValue()).as(what + ": peer said " + lines + "; nc: " + Files.readString(bErr)).isZero();
            assertThat(nc.waitFor(30, TimeUnit.SECONDS)).as(what + ": nc ends").isTrue();
            assertThat(nc.exitValue()).as(what + ": " + Files.readString(bErr)).isZero();
            assertThat(lines).as(what).contains("tep=" + tep, "aead=" + aead, "rekey_answered=true");
            String peerSid = lines.stream().filter(l -> l.startsWith("session_id=")).findFirst().orElseThrow().substring(11);
            Matcher m = EncryptedNcTest.SESSION.matcher(Files.readString(bErr));
            assertThat(m.find()).as(what + ": nc printed its session").isTrue();
            assertThat(m.group(1)).as(what + ": equal session IDs").isEqualTo(peerSid).startsWith(tep);
            assertThat(Files.readAllBytes(bOut)).as(what + ": A to B byte-exact").isEqualTo(fromA);
            assertThat(Files.readAllBytes(aOut)).as(what + ": B to A byte-exact").isEqualTo(fromB);
        } finally {
            nc.destroyForcibly();
            nc.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Waits until the stack answers pings on its address (nc made its device and listens). */
    private void awaitStack(Process nc, Path err) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            assertThat(nc.isAlive()).as("nc exited: " + Files.readString(err)).isTrue();
            if (ns.run("ping", "-c", "1", "-W", "1", "198.18.2.2").ok()) {
                Thread.sleep(200);
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("nc's stack never answered");
    }
}
