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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Policy routing end to end: two hosts (namespaces A and B on one veth, 198.18.0.1 and
 * 198.18.0.2), tuncryptd on each with {@code --steer} / {@code --serve}, and unmodified kernel
 * applications (curl, python's http.server, socat, nc) that never learn about tcpcrypt.
 */
class PolicyRoutingTest {
    static final String A_ADDR = "198.18.0.1";
    static final String B_ADDR = "198.18.0.2";
    private VethHosts hosts;
    private TestNamespace a;
    private TestNamespace b;
    private Path dir;
    private final List<Daemon> daemons = new ArrayList<>();
    private final List<Process> services = new ArrayList<>();

    @BeforeEach
    void hosts() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("curl", "curl");
        Requirements.command("socat", "socat");
        Requirements.command("nft", "nftables");
        Requirements.command("tcpdump", "tcpdump");
        hosts = VethHosts.create("pra", "prb", A_ADDR + "/24", B_ADDR + "/24");
        a = hosts.a();
        b = hosts.b();
        dir = Files.createTempDirectory("policy");
    }

    @AfterEach
    void cleanup() throws Exception {
        for (Process p : services) {
            p.destroyForcibly();
        }
        for (Daemon d : daemons) {
            d.close();
        }
        if (hosts != null) {
            hosts.close();
        }
    }


    /** tuncryptd on host A: steers B's address into its stack, serves port 5001. */
    private Daemon daemonA(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--tun", "ta0", "--tun-addr", "198.18.1.1/24", "--stack-addr",
                "198.18.1.2", "-u", dir.resolve("a.ctl").toString(), "--steer", B_ADDR + "/32",
                "--serve", "5001", "--serve-on", "vea"));
        args.addAll(List.of(extra));
        return start(a, args);
    }

    /** tuncryptd on host B: serves 8080 and 5000, steers A's address. */
    private Daemon daemonB(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--tun", "tb0", "--tun-addr", "198.18.2.1/24", "--stack-addr",
                "198.18.2.2", "-u", dir.resolve("b.ctl").toString(), "--serve", "8080,5000", "--serve-on", "veb",
                "--steer", A_ADDR + "/32"));
        args.addAll(List.of(extra));
        return start(b, args);
    }

    private Daemon start(TestNamespace ns, List<String> args) throws Exception {
        Daemon d = Daemon.start(ns.name(), args.toArray(String[]::new));
        daemons.add(d);
        d.awaitReady(Duration.ofSeconds(30));
        return d;
    }

    private Path webRoot() throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        byte[] blob = new byte[3 << 20];
        new Random(7).nextBytes(blob);
        String marker = "POLICY-PLAINTEXT-MARKER\n";
        byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + m.length < blob.length; i += 4096) {
            System.arraycopy(m, 0, blob, i, m.length);
        }
        Files.write(www.resolve("blob"), blob);
        return www;
    }

    private void httpServer(Path www) throws Exception {
        services.add(new ProcessBuilder("ip", "netns", "exec", b.name(), "python3", "-m", "http.server", "8080",
                "--bind", B_ADDR, "--directory", www.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("http.log").toFile()).start());
        awaitListener(b, 8080);
    }

    private static void awaitListener(TestNamespace ns, int port) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            if (ns.run("ss", "-ltn", "sport = :" + port).output().contains("LISTEN")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing listens on " + port);
    }

    /** Unmodified curl in A; returns curl's exit status, the body in {@code out}. */
    private int curl(Path out, int maxSeconds) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", a.name(), "curl", "-sS", "--max-time", "" + maxSeconds,
                "-o", out.toString(), "http://" + B_ADDR + ":8080/blob").redirectErrorStream(true)
                .redirectOutput(dir.resolve("curl.log").toFile()).start();
        assertThat(p.waitFor(maxSeconds + 10L, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    /** The session ID in {@code tuncrypt netstat} of the row whose column {@code col} (1 local, 2 foreign) is {@code endpoint}. */
    private static String sessionOf(TestNamespace ns, Path ctl, String endpoint, int col) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), Daemon.ROOT.resolve("bin/tuncrypt").toString(),
                "netstat", "-u", ctl.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[col - 1].equals(endpoint)) {
                return f[2];
            }
        }
        throw new AssertionError("no connection with " + endpoint + " in:\n" + out);
    }

    private Process capture(String iface, Path pcap) throws Exception {
        Process dump = new ProcessBuilder("ip", "netns", "exec", a.name(), "tcpdump", "-i", iface, "-s0", "-U", "-w",
                pcap.toString(), "tcp").redirectErrorStream(true).start();
        Thread.sleep(500);
        return dump;
    }

    private static void stop(Process dump) throws Exception {
        Thread.sleep(300);
        dump.destroy();
        dump.waitFor(5, TimeUnit.SECONDS);
    }

    private static String synOptions(Path pcap) throws Exception {
        Process show = new ProcessBuilder("tcpdump", "-nr", pcap.toString(), "-v", "tcp[tcpflags] & tcp-syn != 0")
                .redirectErrorStream(true).start();
        return new String(show.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void unmodifiedCurlAndSocatBetweenTwoDaemonsAreEncrypted() throws Exception {
        Path www = webRoot();
        httpServer(www);
        daemonA();
        daemonB();
        Path pcap = dir.resolve("link.pcap");
        Process dump = capture("vea", pcap);
        Path got = dir.resolve("got");
        try {
            assertThat(curl(got, 20)).as(Files.readString(dir.resolve("curl.log"))).isZero();
            assertThat(Files.mismatch(www.resolve("blob"), got)).as("curl body equals the file").isEqualTo(-1L);
            String sidA = sessionOf(a, dir.resolve("a.ctl"), B_ADDR + ":8080", 2);
            String sidB = sessionOf(b, dir.resolve("b.ctl"), B_ADDR + ":8080", 1);
            assertThat(sidA).as("A's and B's netstat show the same session ID").matches("[0-9A-F]{66}").isEqualTo(sidB);

            // socat A -> B:5000 (kernel listener in B), data both ways in one connection
            Path fromB = Files.writeString(dir.resolve("fromB"), "B-SIDE-PLAINTEXT\n".repeat(20000));
            Path fromA = Files.writeString(dir.resolve("fromA"), "A-SIDE-PLAINTEXT\n".repeat(30000));
            Process listener = new ProcessBuilder("ip", "netns", "exec", b.name(), "socat", "-t", "20",
                    "TCP-LISTEN:5000,bind=" + B_ADDR + ",reuseaddr", "FILE:" + fromB + "!!OPEN:" + dir.resolve("b.got")
                    + ",creat,trunc,wronly").redirectErrorStream(true).redirectOutput(dir.resolve("lsn.log").toFile())
                    .start();
            services.add(listener);
            awaitListener(b, 5000);
            Process client = new ProcessBuilder("ip", "netns", "exec", a.name(), "socat", "-t", "20",
                    "FILE:" + fromA + "!!OPEN:" + dir.resolve("a.got") + ",creat,trunc,wronly",
                    "TCP:" + B_ADDR + ":5000").redirectErrorStream(true).redirectOutput(dir.resolve("cli.log").toFile())
                    .start();
            assertThat(client.waitFor(40, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as(Files.readString(dir.resolve("cli.log"))).isZero();
            assertThat(listener.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.mismatch(fromA, dir.resolve("b.got"))).as("A to B").isEqualTo(-1L);
            assertThat(Files.mismatch(fromB, dir.resolve("a.got"))).as("B to A").isEqualTo(-1L);

            // the other way: nc from B to a kernel listener on A's served port 5001
            Path msg = Files.writeString(dir.resolve("msg"), "B-TO-A-PLAINTEXT\n".repeat(1000));
            Process aListener = new ProcessBuilder("ip", "netns", "exec", a.name(), "socat", "-u",
                    "TCP-LISTEN:5001,bind=" + A_ADDR + ",reuseaddr", "OPEN:" + dir.resolve("a5001") + ",creat,trunc")
                    .redirectErrorStream(true).start();
            services.add(aListener);
            awaitListener(a, 5001);
            Process bClient = new ProcessBuilder("ip", "netns", "exec", b.name(), "socat", "-u", "FILE:" + msg,
                    "TCP:" + A_ADDR + ":5001").redirectErrorStream(true).start();
            assertThat(bClient.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(bClient.exitValue()).isZero();
            assertThat(aListener.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.mismatch(msg, dir.resolve("a5001"))).as("B to A's served port").isEqualTo(-1L);
        } finally {
            stop(dump);
        }
        String wire = new String(Files.readAllBytes(pcap), StandardCharsets.ISO_8859_1);
        assertThat(wire).doesNotContain("POLICY-PLAINTEXT-MARKER").doesNotContain("A-SIDE-PLAINTEXT")
                .doesNotContain("B-SIDE-PLAINTEXT").doesNotContain("B-TO-A-PLAINTEXT");
        assertThat(synOptions(pcap)).contains("unknown-69 0x23212422"); // the default dialect: rfc8548
    }

    @Test
    void aJavaApplicationReadsTheSessionIdOfItsOwnSocket() throws Exception {
        httpServer(webRoot());
        daemonA();
        daemonB();
        Process p = new ProcessBuilder("ip", "netns", "exec", a.name(),
                Daemon.ROOT.resolve("tools/run-example").toString(), "OwnSessionId", dir.resolve("a.ctl").toString(),
                B_ADDR, "8080").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("session ID ([0-9A-F]{66})").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        assertThat(sessionOf(b, dir.resolve("b.ctl"), B_ADDR + ":8080", 1)).isEqualTo(m.group(1));
        assertThat(out).contains("server said: HTTP/1.0 200 OK").containsPattern("short authentication string [0-9A-F]{4}(-[0-9A-F]{4}){3}");
    }

    @Test
    void withoutTuncryptdOnBTheConnectionFallsBackToPlain() throws Exception {
        Path www = webRoot();
        httpServer(www);
        daemonA();
        Path got = dir.resolve("got");
        assertThat(curl(got, 20)).as(Files.readString(dir.resolve("curl.log"))).isZero();
        assertThat(Files.mismatch(www.resolve("blob"), got)).isEqualTo(-1L);
    }

    @Test
    void withoutTuncryptdOnAThePlainClientReachesBsServiceUntouched() throws Exception {
        Path www = webRoot();
        httpServer(www);
        daemonB();
        Path pcap = dir.resolve("plain.pcap");
        Process dump = capture("vea", pcap);
        Path got = dir.resolve("got");
        try {
            assertThat(curl(got, 20)).as(Files.readString(dir.resolve("curl.log"))).isZero();
        } finally {
            stop(dump);
        }
        assertThat(Files.mismatch(www.resolve("blob"), got)).isEqualTo(-1L);
        assertThat(synOptions(pcap)).doesNotContain("0x454e").doesNotContain("unknown-69");
        // the kernel answered directly: B's stack never saw the connection
        assertThat(new String(Files.readAllBytes(pcap), StandardCharsets.ISO_8859_1)).contains("POLICY-PLAINTEXT-MARKER");
    }

    @Test
    void requireToAPlainPeerFailsTheApplicationsConnectPromptly() throws Exception {
        httpServer(webRoot());
        daemonA("--require", B_ADDR + "/32");
        long start = System.nanoTime();
        int status = curl(dir.resolve("got"), 20);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(status).as("curl exit status (7 = could not connect)").isEqualTo(7);
        assertThat(ms).isLessThan(5000);
        assertThat(Files.readString(dir.resolve("curl.log"))).contains("Failed to connect");
    }

    /** What the routing plan touches, as text to compare. */
    private String routingState(TestNamespace ns) throws Exception {
        StringBuilder s = new StringBuilder();
        for (String[] cmd : List.of(new String[] {"ip", "rule"}, new String[] {"ip", "-6", "rule"},
                new String[] {"ip", "route", "show", "table", "all"}, new String[] {"ip", "-6", "route", "show", "table", "all"},
                new String[] {"nft", "list", "ruleset"},
                new String[] {"sysctl", "net.ipv4.ip_forward", "net.ipv4.conf.all.rp_filter",
                        "net.ipv4.conf.default.rp_filter", "net.ipv4.conf.all.accept_local", "net.ipv6.conf.all.forwarding"})) {
            s.append(String.join(" ", cmd)).append(":\n").append(ns.run(cmd).output()).append('\n');
        }
        return s.toString();
    }

    @Test
    void routingStateIsRestoredAfterSigtermAndAfterKillAndCleanup() throws Exception {
        // someone else's state that must survive untouched
        a.run("nft", "add", "table", "inet", "theirs");
        a.run("ip", "rule", "add", "pref", "777", "to", "198.18.99.0/24", "lookup", "main");
        String before = routingState(a);
        Daemon d = daemonA();
        assertThat(routingState(a)).as("the plan changed something").isNotEqualTo(before);
        assertThat(d.terminate()).isZero();
        assertThat(routingState(a)).isEqualTo(before);
        assertThat(a.run("ip", "link", "show", "ta0").ok()).isFalse();
        assertThat(Files.exists(dir.resolve("a.ctl"))).isFalse();

        Daemon killed = daemonA();
        VethHosts.run("kill", "-9", Long.toString(killed.pid()));
        Thread.sleep(500);
        assertThat(routingState(a)).isNotEqualTo(before);
        Process cleanup = new ProcessBuilder("ip", "netns", "exec", a.name(), Daemon.TUNCRYPTD.toString(), "--cleanup")
                .redirectErrorStream(true).start();
        String out = new String(cleanup.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cleanup.waitFor()).as(out).isZero();
        assertThat(routingState(a)).isEqualTo(before);
        Process again = new ProcessBuilder("ip", "netns", "exec", a.name(), Daemon.TUNCRYPTD.toString(), "--cleanup")
                .redirectErrorStream(true).start();
        assertThat(new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("nothing to clean up");
        assertThat(again.waitFor()).isZero();
    }
}
