package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two hosts, each running {@code tuncrypt nc} on its own TUN device, joined by a veth pair
 * (addresses from 198.18.0.0/15): the stream is encrypted with tcpcrypt, both ends print the
 * same session ID, the capture on the wire shows ENO in the SYN and never the plaintext; and
 * the crypt modes behave (never: plain on the wire; always against a plain peer: refused).
 */
class EncryptedNcTest {
    static final Path NC = Daemon.ROOT.resolve("bin/tuncrypt");
    static final Pattern SESSION = Pattern.compile("tcpcrypt session ([0-9A-F]{66})");
    private VethHosts hosts;
    private TestNamespace a;
    private TestNamespace b;
    private Path dir;

    @BeforeEach
    void hosts() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("tcpdump", "tcpdump");
        hosts = VethHosts.create("tca", "tcb", "198.18.0.1/30", "198.18.0.2/30").routingStackPrefixes();
        a = hosts.a();
        b = hosts.b();
        dir = Files.createTempDirectory("enc-nc");
    }

    @AfterEach
    void cleanup() throws Exception {
        if (hosts != null) {
            hosts.close();
        }
    }


    private Process nc(TestNamespace ns, String tun, String tunAddr, String stackAddr, Path stdin, Path stdout,
            Path stderr, String... args) throws Exception {
        var cmd = new java.util.ArrayList<>(java.util.List.of("ip", "netns", "exec", ns.name(), NC.toString(), "nc",
                "--tun", tun, "--tun-addr", tunAddr, "--stack-addr", stackAddr));
        cmd.addAll(java.util.List.of(args));
        return new ProcessBuilder(cmd).redirectInput(stdin.toFile()).redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile()).start();
    }

    /** Waits until B's stack answers on its address (the listener is up). */
    private void awaitListener() throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            if (a.run("ping", "-c", "1", "-W", "1", "198.18.2.2").ok()) {
                Thread.sleep(300); // the device answers pings once the stack runs; the listener follows at once
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("B's stack never answered");
    }

    private static String session(Path stderr) throws Exception {
        Matcher m = SESSION.matcher(Files.readString(stderr));
        assertThat(m.find()).as("session ID in " + Files.readString(stderr)).isTrue();
        return m.group(1);
    }

    @Test
    void encryptedBothEndsSameSessionIdNoPlaintextOnTheWire() throws Exception {
        Requirements.command("ping", "iputils-ping");
        String marker = "PLAINTEXT-MARKER-7d1f";
        Path input = dir.resolve("in");
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 16 << 20; i++) { // 16 MiB
            text.append(marker).append(' ').append(i).append('\n');
        }
        Files.writeString(input, text);
        Path empty = Files.writeString(dir.resolve("empty"), "");
        Path pcap = dir.resolve("wire.pcap");
        Process dump = new ProcessBuilder("ip", "netns", "exec", a.name(), "tcpdump", "-i", "vea", "-s0", "-U", "-w",
                pcap.toString(), "tcp").redirectErrorStream(true).start();
        Process server = nc(b, "tb0", "198.18.2.1/24", "198.18.2.2", empty, dir.resolve("b.out"), dir.resolve("b.err"),
                "-l", "5000", "--dialect", "tcpcrypt-0.5");
        try {
            awaitListener();
            Process client = nc(a, "ta0", "198.18.1.1/24", "198.18.1.2", input, dir.resolve("a.out"),
                    dir.resolve("a.err"), "--dialect-for", "198.18.2.0/24=tcpcrypt-0.5", "198.18.2.2", "5000");
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as(Files.readString(dir.resolve("a.err"))).isZero();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).as(Files.readString(dir.resolve("b.err"))).isZero();
            assertThat(Files.mismatch(input, dir.resolve("b.out"))).as("B's output equals A's input").isEqualTo(-1L);
            assertThat(session(dir.resolve("a.err"))).isEqualTo(session(dir.resolve("b.err"))).startsWith("21");
        } finally {
            server.destroyForcibly();
            Thread.sleep(500);
            dump.destroy();
            dump.waitFor(5, TimeUnit.SECONDS);
        }
        byte[] wire = Files.readAllBytes(pcap);
        assertThat(new String(wire, StandardCharsets.ISO_8859_1)).doesNotContain(marker);
        Process show = new ProcessBuilder("tcpdump", "-nr", pcap.toString(), "-v", "tcp[tcpflags] & tcp-syn != 0")
                .redirectErrorStream(true).start();
        String syns = new String(show.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(syns).contains("unknown-253 0x454e21");
    }

    /**
     * rfc8548 between two tuncrypt nc: A lists both dialects, B speaks only rfc8548; A's SYN
     * carries one ENO option, kind 69, never the experimental one beside it (RFC 8547 §11), B's
     * SYN-ACK answers with b = 1 and one TEP, and both ends print the same session ID, whose first
     * byte is a TEP of RFC 8548.
     */
    @Test
    void rfc8548BetweenTwoStacks() throws Exception {
        Requirements.command("ping", "iputils-ping");
        String marker = "PLAINTEXT-MARKER-8548";
        Path input = dir.resolve("in");
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 4 << 20; i++) { // 4 MiB
            text.append(marker).append(' ').append(i).append('\n');
        }
        Files.writeString(input, text);
        Path empty = Files.writeString(dir.resolve("empty"), "");
        Path pcap = dir.resolve("wire.pcap");
        Process dump = new ProcessBuilder("ip", "netns", "exec", a.name(), "tcpdump", "-i", "vea", "-s0", "-U", "-w",
                pcap.toString(), "tcp").redirectErrorStream(true).start();
        Process server = nc(b, "tb0", "198.18.2.1/24", "198.18.2.2", empty, dir.resolve("b.out"), dir.resolve("b.err"),
                "-l", "5000", "--dialect", "rfc8548");
        try {
            awaitListener();
            Process client = nc(a, "ta0", "198.18.1.1/24", "198.18.1.2", input, dir.resolve("a.out"),
                    dir.resolve("a.err"), "--dialect", "rfc8548,tcpcrypt-0.5", "198.18.2.2", "5000");
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as(Files.readString(dir.resolve("a.err"))).isZero();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).as(Files.readString(dir.resolve("b.err"))).isZero();
            assertThat(Files.mismatch(input, dir.resolve("b.out"))).as("B's output equals A's input").isEqualTo(-1L);
            assertThat(session(dir.resolve("a.err"))).isEqualTo(session(dir.resolve("b.err"))).matches("2[1-4].*");
            assertThat(Files.readString(dir.resolve("a.err"))).contains("rfc8548");
        } finally {
            server.destroyForcibly();
            Thread.sleep(500);
            dump.destroy();
            dump.waitFor(5, TimeUnit.SECONDS);
        }
        byte[] wire = Files.readAllBytes(pcap);
        assertThat(new String(wire, StandardCharsets.ISO_8859_1)).doesNotContain(marker);
        Process show = new ProcessBuilder("tcpdump", "-nr", pcap.toString(), "-v", "tcp[tcpflags] & tcp-syn != 0")
                .redirectErrorStream(true).start();
        String syns = new String(show.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(syns).doesNotContain("0x454e"); // no tcpcrypt-0.5 offer beside it
        // A's SYN: kind 69 with X25519, P-256, X448, P-521; B's SYN-ACK: b = 1, then the one TEP it chose
        assertThat(syns).contains("unknown-69 0x23212422").containsPattern("unknown-69 0x012[1-4][],]");
    }

    @Test
    void neverSendsPlainAndAlwaysRefusesAPlainPeer() throws Exception {
        Requirements.command("ping", "iputils-ping");
        Path msg = Files.writeString(dir.resolve("msg"), "hello in the clear\n");
        Path empty = Files.writeString(dir.resolve("empty"), "");
        Process server = nc(b, "tb0", "198.18.2.1/24", "198.18.2.2", empty, dir.resolve("b.out"), dir.resolve("b.err"),
                "-l", "5000", "--crypt", "never");
        try {
            awaitListener();
            Process refused = nc(a, "ta0", "198.18.1.1/24", "198.18.1.2", msg, dir.resolve("r.out"),
                    dir.resolve("r.err"), "--crypt", "always", "198.18.2.2", "5000");
            assertThat(refused.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.exitValue()).isEqualTo(1);
            assertThat(Files.readString(dir.resolve("r.err"))).contains("does not support the required encryption");
            Process plain = nc(a, "ta1", "198.18.1.1/24", "198.18.1.2", msg, dir.resolve("a.out"),
                    dir.resolve("a.err"), "198.18.2.2", "5000");
            assertThat(plain.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(plain.exitValue()).as(Files.readString(dir.resolve("a.err"))).isZero();
            assertThat(Files.readString(dir.resolve("a.err"))).contains("plain TCP");
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(dir.resolve("b.out"))).isEqualTo("hello in the clear\n");
        } finally {
            server.destroyForcibly();
        }
    }

    /** The Linux kernel never answers ENO: default mode falls back to plain TCP, "always" refuses. */
    @Test
    void againstTheKernelDefaultFallsBackAndAlwaysRefuses() throws Exception {
        Requirements.command("nc", "netcat-openbsd");
        Path msg = Files.writeString(dir.resolve("msg"), "plain for the kernel\n");
        Path got = dir.resolve("kernel.out");
        Process kernel = new ProcessBuilder("ip", "netns", "exec", a.name(), "nc", "-4", "-l", "6000")
                .redirectOutput(got.toFile()).redirectErrorStream(false).start();
        try {
            // the kernel listener is on A's own host; tuncrypt nc reaches it through its TUN device
            long end = System.nanoTime() + 5_000_000_000L;
            while (!a.run("ss", "-ltn", "sport = :6000").output().contains("LISTEN") && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            Process refused = nc(a, "tk1", "198.18.5.1/24", "198.18.5.2", msg, dir.resolve("r.out"),
                    dir.resolve("r.err"), "--crypt", "always", "198.18.5.1", "6000");
            assertThat(refused.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.exitValue()).isEqualTo(1);
            assertThat(Files.readString(dir.resolve("r.err"))).contains("does not support the required encryption");
            Process plain = nc(a, "tk2", "198.18.5.1/24", "198.18.5.2", msg, dir.resolve("p.out"),
                    dir.resolve("p.err"), "198.18.5.1", "6000");
            assertThat(plain.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(plain.exitValue()).as(Files.readString(dir.resolve("p.err"))).isZero();
            assertThat(Files.readString(dir.resolve("p.err"))).contains("plain TCP");
            assertThat(kernel.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(got)).isEqualTo("plain for the kernel\n");
        } finally {
            kernel.destroyForcibly();
        }
    }
}
