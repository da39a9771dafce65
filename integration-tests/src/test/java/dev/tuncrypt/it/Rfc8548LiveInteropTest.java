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
 * answered by the stack with rekey = 1 before its FINp frame, and on every other connection key
 * updates initiated by nc itself ({@code --rekey-after 8000}, opened by the peer at the next
 * generation); and the other way round, the stack as role A against the peer listening as role B.
 * All twelve pairs in both roles with {@code tuncryptd}: {@link Rfc8548LiveMatrixTest}. No resumption here (one nc, one connection,
 * its cache ends with it): see {@link Rfc8548LiveResumptionTest}.
 */
class Rfc8548LiveInteropTest {
    // role A: the peer connects to tuncrypt nc -l; role B: tuncrypt nc connects to the listening peer
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

    /** The pairs both tests run by default: with the other test's, every TEP and every AEAD. */
    static List<String[]> allPairs() {
        List<String[]> pairs = new ArrayList<>();
        for (String tep : List.of("23", "24", "21", "22")) {
            for (String aead : List.of("0001", "0002", "0010")) {
                pairs.add(new String[] {tep, aead});
            }
        }
        return pairs;
    }

    static boolean all() {
        return "1".equals(System.getenv("RFC8548_LIVE_ALL"));
    }

    /**
     * The stack as role B (tuncrypt nc -l) against the peer as role A. By default three
     * connections, the other test two more: every TEP and every AEAD live (each nc takes seconds
     * to start on a loaded machine). {@code RFC8548_LIVE_ALL=1} runs all twelve pairs in both
     * roles (a few minutes); the reference test covers the twelve byte for byte.
     */
    @Test
    void everyTepAndAeadAgainstTheReferencePeer() throws Exception {
        byte[] fromA = new byte[40_000];
        byte[] fromB = new byte[25_000];
        new SplittableRandom(8548).nextBytes(fromA);
        new SplittableRandom(8547).nextBytes(fromB);
        Path aIn = Files.write(dir.resolve("a.in"), fromA);
        List<String[]> pairs;
        if (all()) {
            pairs = allPairs();
        } else {
            pairs = List.of(new String[] {"23", "0010"}, new String[] {"21", "0001"}, new String[] {"24", "0002"});
        }
        int port = 5000;
        for (String[] p : pairs) {
            // every other connection with --rekey-after: nc initiates key updates as well as answering
            exchange(p[0], p[1], port, aIn, fromA, fromB, port % 2 == 1);
            port++;
        }
    }

    private void exchange(String tep, String aead, int port, Path aIn, byte[] fromA, byte[] fromB, boolean rekey)
            throws Exception {
        String what = "TEP " + tep + ", AEAD " + aead + (rekey ? ", --rekey-after 8000" : "");
        Path bOut = dir.resolve("b-" + port + ".out");
        Path bErr = dir.resolve("b-" + port + ".err");
        Path aOut = dir.resolve("a-" + port + ".out");
        Process nc = new ProcessBuilder("ip", "netns", "exec", ns.name(), NC.toString(), "nc", "--tun", "tp0",
                "--tun-addr", "198.18.2.1/24", "--stack-addr", "198.18.2.2", "-l", "" + port, "--dialect", "rfc8548",
                "--rekey-after", rekey ? "8000" : "0")
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
            assertThat(lines).as(what).contains("tep=" + tep, "aead=" + aead, "init2_psh=true", "rekey_answered=true");
            checkRekeys(what, lines, rekey);
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

    /**
     * This engine as role A: {@code tuncrypt nc} (default dialect) connects to the reference peer
     * listening in role B, which checks ENO on the stack's first ACK (RFC 8547 §4.6), PSH at the
     * end of Init1 (RFC 8548 §3.3), b = 0 and no repeated TEP in the SYN, and chooses the TEP and
     * AEAD by its own preference; data both ways byte-exact, equal session IDs, the peer's key
     * update answered by the stack.
     */
    @Test
    void theStackAsRoleAAgainstTheReferencePeer() throws Exception {
        byte[] fromA = new byte[30_000];
        byte[] fromB = new byte[20_000];
        new SplittableRandom(85).nextBytes(fromA);
        new SplittableRandom(47).nextBytes(fromB);
        Path bIn = Files.write(dir.resolve("b.in"), fromB);
        int port = 6000;
        for (String[] p : all() ? allPairs() : List.of(new String[] {"22", "0010"}, new String[] {"23", "0001"})) {
            String what = "stack as A, TEP " + p[0] + ", AEAD " + p[1];
            Path bOut = dir.resolve("peer-" + port + ".out");
            Path aOut = dir.resolve("nc-" + port + ".out");
            Path aErr = dir.resolve("nc-" + port + ".err");
            Process peer = new ProcessBuilder("ip", "netns", "exec", ns.name(), Requirements.PYTHON3, PEER.toString(),
                    "--listen", "" + port, "--src", "198.18.2.1", "--dst", "198.18.2.2", "--teps", p[0], "--aeads", p[1],
                    "--input", bIn.toString(), "--output", bOut.toString(), "--timeout", "30")
                    .redirectErrorStream(true).start();
            boolean rekey = port % 2 == 1; // nc initiates key updates on every other connection
            what += rekey ? ", --rekey-after 8000" : "";
            Process nc = new ProcessBuilder("ip", "netns", "exec", ns.name(), NC.toString(), "nc", "--tun", "tq0",
                    "--tun-addr", "198.18.2.1/24", "--stack-addr", "198.18.2.2", "--rekey-after", rekey ? "8000" : "0",
                    "198.18.2.1", "" + port)
                    .redirectOutput(aOut.toFile()).redirectError(aErr.toFile()).start();
            OutputStream ncIn = nc.getOutputStream();
            try {
                ncIn.write(fromA); // the stack's data, stdin open until its key update answer went out
                ncIn.flush();
                List<String> lines = new CopyOnWriteArrayList<>();
                try (BufferedReader r = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                        if (line.equals("rekey_answered=true")) {
                            ncIn.close();
                        }
                    }
                }
                assertThat(peer.waitFor(40, TimeUnit.SECONDS)).isTrue();
                assertThat(peer.exitValue()).as(what + ": peer said " + lines + "; nc: " + Files.readString(aErr)).isZero();
                assertThat(nc.waitFor(30, TimeUnit.SECONDS)).as(what + ": nc ends").isTrue();
                assertThat(nc.exitValue()).as(what + ": " + Files.readString(aErr)).isZero();
                assertThat(lines).as(what).contains("tep=" + p[0], "aead=" + p[1], "init1_psh=true", "rekey_answered=true");
                checkRekeys(what, lines, rekey);
                String peerSid = lines.stream().filter(l -> l.startsWith("session_id=")).findFirst().orElseThrow().substring(11);
                Matcher m = EncryptedNcTest.SESSION.matcher(Files.readString(aErr));
                assertThat(m.find()).as(what + ": nc printed its session").isTrue();
                assertThat(m.group(1)).as(what + ": equal session IDs").isEqualTo(peerSid);
                assertThat(Files.readAllBytes(bOut)).as(what + ": A to B byte-exact").isEqualTo(fromA);
                assertThat(Files.readAllBytes(aOut)).as(what + ": B to A byte-exact").isEqualTo(fromB);
            } finally {
                nc.destroyForcibly();
                nc.waitFor(10, TimeUnit.SECONDS);
                peer.destroyForcibly();
            }
            port++;
        }
    }

    /**
     * The rekey frames the peer opened (RFC 8548 §3.8): with {@code --rekey-after 8000} nc's own
     * key updates, at least two in its 20 000 bytes or more; without (0: nc never initiates), only
     * the one answer to the peer's update.
     */
    private static void checkRekeys(String what, List<String> lines, boolean initiated) {
        int n = lines.stream().filter(l -> l.startsWith("peer_rekeys=")).mapToInt(l -> Integer.parseInt(l.substring(12)))
                .findFirst().orElseThrow();
        if (initiated) {
            assertThat(n).as(what + ": nc's own key updates").isGreaterThanOrEqualTo(2);
        } else {
            assertThat(n).as(what + ": the answer alone").isEqualTo(1);
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
