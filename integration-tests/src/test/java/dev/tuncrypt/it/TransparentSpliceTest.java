package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * tuncryptd's transparent splice with unmodified kernel applications. Host A (a namespace) runs
 * tuncryptd on ta0 with a hand-made rule sending 198.18.2.0/24 into ta0 for local traffic
 * (packets arriving from ta0 use the main table); host B, joined by a veth pair, runs
 * {@code tuncrypt nc -l} on an embedded stack at 198.18.2.2, or plain kernel listeners.
 */
class TransparentSpliceTest {
    static final Path TUNCRYPT = Daemon.ROOT.resolve("bin/tuncrypt");
    static final Pattern SESSION = Pattern.compile("tcpcrypt session ([0-9A-F]{66})");
    private VethHosts hosts;
    private TestNamespace a;
    private TestNamespace b;
    private Path dir;
    private Daemon daemon;

    @BeforeEach
    void hosts() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("socat", "socat");
        Requirements.command("tcpdump", "tcpdump");
        hosts = VethHosts.create("spa", "spb", "198.18.0.1/30", "198.18.0.2/30").routingStackPrefixes();
        a = hosts.a();
        b = hosts.b();
        dir = Files.createTempDirectory("splice");
    }

    @AfterEach
    void cleanup() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (hosts != null) {
            hosts.close();
        }
    }

    /** Starts tuncryptd in A and steers {@code prefixes} into ta0 for A's own traffic. */
    private void startDaemon(List<String> prefixes, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--tun", "ta0", "--tun-addr", "198.18.1.1/24", "--stack-addr",
                "198.18.1.2", "-u", dir.resolve("ctl").toString()));
        args.addAll(List.of(extra));
        daemon = Daemon.start(a.name(), args.toArray(String[]::new));
        daemon.awaitReady(Duration.ofSeconds(30));
        a.run("ip", "route", "add", "default", "dev", "ta0", "table", "100");
        int pref = 100;
        for (String p : prefixes) {
            assertThat(a.run("ip", "rule", "add", "to", p, "iif", "lo", "lookup", "100", "pref", "" + pref++).ok())
                    .isTrue();
        }
    }


    private Process ncListen(String port, Path out, Path err) throws Exception {
        return new ProcessBuilder("ip", "netns", "exec", b.name(), TUNCRYPT.toString(), "nc", "--tun", "tb0",
                "--tun-addr", "198.18.2.1/24", "--stack-addr", "198.18.2.2", "-l", port)
                .redirectInput(Files.writeString(dir.resolve("empty"), "").toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    private void awaitStack(String address) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            if (b.run("ping", "-c", "1", "-W", "1", address).ok()) {
                Thread.sleep(300);
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("B's stack never answered");
    }

    private void awaitKernelListener(TestNamespace ns, int port) throws Exception {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!ns.run("ss", "-ltn", "sport = :" + port).output().contains("LISTEN") && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    /** An unmodified socat in A; returns its exit status within {@code limit}. */
    private Process socat(Path input, String target) throws Exception {
        return new ProcessBuilder("ip", "netns", "exec", a.name(), "socat", "-u", "FILE:" + input, "TCP:" + target)
                .redirectErrorStream(true).redirectOutput(dir.resolve("socat.out").toFile()).start();
    }

    private Path markedInput(String marker, int bytes) throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < bytes; i++) {
            text.append(marker).append(' ').append(i).append('\n');
        }
        return Files.writeString(dir.resolve("in"), text);
    }

    @Test
    void unmodifiedKernelClientIsEncryptedEndToEnd() throws Exception {
        startDaemon(List.of("198.18.2.0/24"));
        String marker = "SPLICE-PLAINTEXT-4b2e";
        Path input = markedInput(marker, 16 << 20);
        Path pcap = dir.resolve("wire.pcap");
        Process dump = new ProcessBuilder("ip", "netns", "exec", a.name(), "tcpdump", "-i", "vea", "-s0", "-U", "-w",
                pcap.toString(), "tcp").redirectErrorStream(true).start();
        Process server = ncListen("5000", dir.resolve("b.out"), dir.resolve("b.err"));
        try {
            awaitStack("198.18.2.2");
            Process client = socat(input, "198.18.2.2:5000");
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as(Files.readString(dir.resolve("socat.out"))).isZero();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.mismatch(input, dir.resolve("b.out"))).as("B received A's bytes exactly").isEqualTo(-1L);
            Matcher m = SESSION.matcher(Files.readString(dir.resolve("b.err")));
            assertThat(m.find()).as(Files.readString(dir.resolve("b.err"))).isTrue();
            // the daemon's netstat lists the application's connection with the session ID B printed
            String netstat = tuncrypt(a, "netstat", "-u", dir.resolve("ctl").toString());
            assertThat(netstat).startsWith("Local address\t\tForeign address\t\tSID\n")
                    .containsPattern("198\\.18\\.1\\.1:\\d+ +\t198\\.18\\.2\\.2:5000 +\t" + m.group(1));
            String json = tuncrypt(a, "netstat", "-u", dir.resolve("ctl").toString(), "--json");
            Process check = new ProcessBuilder("python3", "-c",
                    "import json,sys; d=json.load(sys.stdin); print(d['connections'][0]['sid'])").start();
            check.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
            check.getOutputStream().close();
            assertThat(new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip())
                    .as("valid JSON with the session ID: " + json).isEqualTo(m.group(1));
        } finally {
            server.destroyForcibly();
            Thread.sleep(300);
            dump.destroy();
            dump.waitFor(5, TimeUnit.SECONDS);
        }
        assertThat(new String(Files.readAllBytes(pcap), StandardCharsets.ISO_8859_1)).doesNotContain(marker);
        Process show = new ProcessBuilder("tcpdump", "-nr", pcap.toString(), "-v", "tcp[tcpflags] & tcp-syn != 0")
                .redirectErrorStream(true).start();
        assertThat(new String(show.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("unknown-69 0x23212422"); // ENO of the default dialect, rfc8548 (RFC 8547 kind 69)
    }

    @Test
    void bothDirectionsWithHalfCloseEachWay() throws Exception {
        startDaemon(List.of("198.18.2.0/24"));
        Path up = markedInput("up", 4 << 20);
        Path down = dir.resolve("down");
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 3 << 20; i++) {
            text.append("down ").append(i).append('\n');
        }
        Files.writeString(down, text);
        // B sends its file and half-closes; A sends its own and half-closes; each reads to the end.
        Process server = new ProcessBuilder("ip", "netns", "exec", b.name(), TUNCRYPT.toString(), "nc", "--tun", "tb0",
                "--tun-addr", "198.18.2.1/24", "--stack-addr", "198.18.2.2", "-l", "5000")
                .redirectInput(down.toFile()).redirectOutput(dir.resolve("b.out").toFile())
                .redirectError(dir.resolve("b.err").toFile()).start();
        try {
            awaitStack("198.18.2.2");
            Process client = new ProcessBuilder("ip", "netns", "exec", a.name(), "socat", "-t", "30",
                    "FILE:" + up + "!!OPEN:" + dir.resolve("a.out") + ",creat,trunc,wronly", "TCP:198.18.2.2:5000")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("socat.out").toFile()).start();
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as(Files.readString(dir.resolve("socat.out"))).isZero();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).as(Files.readString(dir.resolve("b.err"))).isZero();
            assertThat(Files.mismatch(up, dir.resolve("b.out"))).as("A to B").isEqualTo(-1L);
            assertThat(Files.mismatch(down, dir.resolve("a.out"))).as("B to A").isEqualTo(-1L);
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void aResetFromThePeerReachesTheApplication() throws Exception {
        Requirements.command("python3", "python3");
        startDaemon(List.of("198.18.0.2/32"));
        // B accepts, reads a line, then closes with SO_LINGER 0: a RST.
        String serverPy = String.join("\n",
                "import socket, struct",
                "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                "s.bind(('198.18.0.2', 6100)); s.listen(1)",
                "c, _ = s.accept(); c.recv(100)",
                "c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); c.close()");
        String clientPy = String.join("\n",
                "import socket, time",
                "c = socket.create_connection(('198.18.0.2', 6100), timeout=10)",
                "c.sendall(b'hello\\n')",
                "try:",
                "    d = c.recv(100)",
                "    print('eof' if d == b'' else 'data')",
                "except ConnectionResetError:",
                "    print('reset')");
        Process server = new ProcessBuilder("ip", "netns", "exec", b.name(), "python3", "-c", serverPy)
                .redirectErrorStream(true).start();
        try {
            awaitKernelListener(b, 6100);
            Process client = new ProcessBuilder("ip", "netns", "exec", a.name(), "python3", "-c", clientPy)
                    .redirectErrorStream(true).start();
            assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(out).isEqualTo("reset");
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void plainPeerFallsBackAndDataIsIntact() throws Exception {
        startDaemon(List.of("198.18.0.2/32"));
        Path input = markedInput("fallback", 1 << 20);
        Path got = dir.resolve("plain.out");
        Process kernel = new ProcessBuilder("ip", "netns", "exec", b.name(), "nc", "-l", "198.18.0.2", "6000")
                .redirectOutput(got.toFile()).start();
        try {
            awaitKernelListener(b, 6000);
            Process client = socat(input, "198.18.0.2:6000");
            assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as(Files.readString(dir.resolve("socat.out"))).isZero();
            assertThat(kernel.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.mismatch(input, got)).isEqualTo(-1L);
            // the connection really went through the daemon, which reports it plain with the reason
            String wide = tuncrypt(a, "netstat", "-u", dir.resolve("ctl").toString(), "--json", "--wide");
            assertThat(wide).contains("\"foreign\":\"198.18.0.2:6000\"").contains("\"dialect\":\"plain\"")
                    .contains("the peer did not negotiate tcpcrypt");
        } finally {
            kernel.destroyForcibly();
        }
    }

    @Test
    void cryptAlwaysRefusesTheApplicationsConnectToAPlainPeer() throws Exception {
        startDaemon(List.of("198.18.0.2/32"), "--crypt", "always");
        Process kernel = new ProcessBuilder("ip", "netns", "exec", b.name(), "nc", "-l", "198.18.0.2", "6000")
                .redirectOutput(dir.resolve("plain.out").toFile()).start();
        try {
            awaitKernelListener(b, 6000);
            long start = System.nanoTime();
            Process client = socat(Files.writeString(dir.resolve("msg"), "must not arrive\n"), "198.18.0.2:6000");
            assertThat(client.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(client.exitValue()).isNotZero();
            assertThat(Files.readString(dir.resolve("socat.out"))).contains("Connection refused");
            assertThat(ms).as("refused promptly").isLessThan(5000);
            assertThat(Files.readString(dir.resolve("plain.out"))).isEmpty();
        } finally {
            kernel.destroyForcibly();
        }
    }

    @Test
    void sighupReloadsTheConfigFile() throws Exception {
        Path conf = Files.writeString(dir.resolve("tuncryptd.conf"), "# opportunistic first\ncrypt = default\n");
        startDaemon(List.of("198.18.0.2/32"), "--config", conf.toString());
        Process kernel = new ProcessBuilder("ip", "netns", "exec", b.name(), "socat", "-u",
                "TCP-LISTEN:6000,bind=198.18.0.2,reuseaddr,fork", "OPEN:" + dir.resolve("plain.out") + ",creat,append")
                .redirectErrorStream(true).start();
        try {
            awaitKernelListener(b, 6000);
            Process first = socat(Files.writeString(dir.resolve("m1"), "first\n"), "198.18.0.2:6000");
            assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).as("plain fallback before the reload").isZero();
            Files.writeString(conf, "crypt = always\n");
            VethHosts.run("kill", "-HUP", Long.toString(daemon.pid()));
            long end = System.nanoTime() + 10_000_000_000L;
            while (!daemon.log().contains("configuration reloaded") && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertThat(daemon.log()).contains("configuration reloaded: crypt always");
            Process second = socat(Files.writeString(dir.resolve("m2"), "second\n"), "198.18.0.2:6000");
            assertThat(second.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).as("refused after the reload").isNotZero();
            assertThat(Files.readString(dir.resolve("plain.out"))).isEqualTo("first\n");
        } finally {
            kernel.destroyForcibly();
        }
    }

    @Test
    void closedPortAtTheDestinationIsARefusedConnect() throws Exception {
        startDaemon(List.of("198.18.2.0/24"));
        Process server = ncListen("5000", dir.resolve("b.out"), dir.resolve("b.err"));
        try {
            awaitStack("198.18.2.2");
            Process client = socat(Files.writeString(dir.resolve("msg"), "x\n"), "198.18.2.2:5001");
            assertThat(client.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).isNotZero();
            assertThat(Files.readString(dir.resolve("socat.out"))).contains("Connection refused");
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void droppedPrivilegesStillSpliceAndStopCleanly() throws Exception {
        startDaemon(List.of("198.18.2.0/24"), "-U", "nobody");
        String status = Files.readString(Path.of("/proc/" + daemon.pid() + "/status"));
        assertThat(status).containsPattern("Uid:\\s+65534\\s+65534\\s+65534\\s+65534");
        assertThat(status).containsPattern("CapEff:\\s+0+\\n");
        Process server = ncListen("5000", dir.resolve("b.out"), dir.resolve("b.err"));
        try {
            awaitStack("198.18.2.2");
            Path input = markedInput("as nobody", 1 << 20);
            Process client = socat(input, "198.18.2.2:5000");
            assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as(Files.readString(dir.resolve("socat.out"))).isZero();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.mismatch(input, dir.resolve("b.out"))).isEqualTo(-1L);
            assertThat(SESSION.matcher(Files.readString(dir.resolve("b.err"))).find()).isTrue();
        } finally {
            server.destroyForcibly();
        }
        assertThat(daemon.terminate()).isZero();
        assertThat(a.run("ip", "link", "show", "ta0").ok()).as("ta0 removed").isFalse();
    }

    /** Runs {@code bin/tuncrypt ARGS} in {@code ns}; returns its standard output (exit status 0 required). */
    private static String tuncrypt(TestNamespace ns, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), TUNCRYPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", args) + ": " + err).isZero();
        return out;
    }

    @Test
    void malformedControlDatagramsGetErrorRepliesAndTheDaemonKeepsServing() throws Exception {
        startDaemon(List.of("198.18.2.0/24"));
        String py = String.join("\n",
                "import socket, os, struct, sys",
                "def ask(data):",
                "    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
                "    s.bind('\\0tc-it-%d' % os.getpid()); s.settimeout(3)",
                "    s.sendto(data, sys.argv[1])",
                "    r = s.recv(65536); s.close()",
                "    return struct.unpack_from('<I', r, 24)[0] if len(r) >= 28 else -1",
                "hdr = lambda dlen: struct.pack('<I4sH2x4sH2xIIII', 7, bytes(4), 0, bytes(4), 0, 0, 0, 102, dlen)",
                "print(ask(os.urandom(64)), ask(b'\\x01\\x02\\x03'), ask(hdr(0xFFFFFFF0)), ask(hdr(5) + b'ab'))");
        for (int round = 0; round < 3; round++) {
            Process p = new ProcessBuilder("ip", "netns", "exec", a.name(), "python3", "-c", py,
                    dir.resolve("ctl").toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(p.waitFor()).as(out).isZero();
            for (String errno : out.split(" ")) {
                assertThat(Integer.parseInt(errno)).as("an errno in every reply: " + out).isPositive();
            }
        }
        String status = tuncrypt(a, "status", "-u", dir.resolve("ctl").toString());
        assertThat(status).containsPattern("control.malformed.truncated_header +[1-9]");
        assertThat(tuncrypt(a, "netstat", "-u", dir.resolve("ctl").toString())).startsWith("Local address");
    }

    @Test
    void sigtermLeavesNoDeviceAndNoControlSocket() throws Exception {
        startDaemon(List.of("198.18.2.0/24"));
        assertThat(a.run("ip", "link", "show", "ta0").ok()).isTrue();
        assertThat(daemon.terminate()).isZero();
        assertThat(a.run("ip", "link", "show", "ta0").ok()).as("ta0 removed").isFalse();
        assertThat(Files.exists(dir.resolve("ctl"))).as("control socket removed").isFalse();
    }
}
