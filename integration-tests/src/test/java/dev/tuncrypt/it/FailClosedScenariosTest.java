package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon fails closed: never silently plaintext where encryption was asked for, whatever the
 * client offers, after a crash, or under a careless cleanup; and it keeps its side effects small.
 * Two hosts (namespaces A 198.18.0.1 and B 198.18.0.2 on one veth), tuncryptd from {@code bin/}.
 */
class FailClosedScenariosTest {
    static final String A_ADDR = "198.18.0.1";
    static final String B_ADDR = "198.18.0.2";
    static final String MARKER = "FAIL-CLOSED-PLAINTEXT-MARKER";
    private VethHosts hosts;
    private TestNamespace a;
    private TestNamespace b;
    private Path dir;
    private final List<Daemon> daemons = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void hosts() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("socat", "socat");
        Requirements.command("nft", "nftables");
        Requirements.command("tcpdump", "tcpdump");
        hosts = VethHosts.create("fca", "fcb", A_ADDR + "/24", B_ADDR + "/24");
        a = hosts.a();
        b = hosts.b();
        dir = Files.createTempDirectory("failclosed");
    }

    @AfterEach
    void cleanup() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Daemon d : daemons) {
            d.close();
        }
        if (hosts != null) {
            hosts.close();
        }
    }

    private Daemon daemon(TestNamespace ns, String... args) throws Exception {
        Daemon d = Daemon.start(ns.name(), args);
        daemons.add(d);
        d.awaitReady(Duration.ofSeconds(30));
        return d;
    }

    /** A's daemon: stack 198.18.1.2 on ta0, steering B's address. */
    private Daemon steeringDaemonA(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--tun", "ta0", "--tun-addr", "198.18.1.1/24", "--stack-addr",
                "198.18.1.2", "-u", dir.resolve("a.ctl").toString(), "--steer", B_ADDR + "/32"));
        args.addAll(List.of(extra));
        return daemon(a, args.toArray(String[]::new));
    }

    /** Runs tuncryptd to its end in {@code ns}. */
    private static Daemon.Outcome tuncryptd(TestNamespace ns, String... args) throws Exception {
        return Daemon.runToEnd(List.of("ip", "netns", "exec", ns.name()), args);
    }

    /** A kernel listener on B:port that writes what it receives to {@code out}. */
    private void kernelListener(int port, Path out) throws Exception {
        processes.add(new ProcessBuilder("ip", "netns", "exec", b.name(), "socat", "-u",
                "TCP-LISTEN:" + port + ",bind=" + B_ADDR + ",reuseaddr,fork", "OPEN:" + out + ",creat,append")
                .redirectErrorStream(true).redirectOutput(dir.resolve("listener-" + port + ".log").toFile()).start());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!b.run("ss", "-ltn", "sport = :" + port).output().contains("LISTEN")) {
            assertThat(System.nanoTime()).as("listener on " + port).isLessThan(end);
            Thread.sleep(50);
        }
    }

    /** A kernel client in A sending {@code payload} to B:port; returns socat's exit status, its output in {@code log}. */
    private int send(int port, Path payload, Path log) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", a.name(), "socat", "-u", "FILE:" + payload,
                "TCP:" + B_ADDR + ":" + port + ",connect-timeout=5").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private Path payload() throws Exception {
        return Files.writeString(dir.resolve("payload"), (MARKER + "\n").repeat(2000));
    }

    private Process capture(Path pcap) throws Exception {
        Process dump = new ProcessBuilder("ip", "netns", "exec", a.name(), "tcpdump", "--immediate-mode", "-i", "vea", "-s0", "-U", "-w",
                pcap.toString(), "tcp").redirectErrorStream(true).redirectOutput(dir.resolve("tcpdump.log").toFile())
                .start();
        processes.add(dump);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!Files.readString(dir.resolve("tcpdump.log")).contains("listening on")) {
            assertThat(System.nanoTime()).as("tcpdump started").isLessThan(end);
            Thread.sleep(20);
        }
        return dump;
    }

    private static String stopCapture(Process dump, Path pcap) throws Exception {
        Thread.sleep(300);
        dump.destroy();
        dump.waitFor(5, TimeUnit.SECONDS);
        return new String(Files.readAllBytes(pcap), StandardCharsets.ISO_8859_1);
    }

    /** Rules, routes, nft ruleset and forwarding sysctls of a namespace, as text to compare. */
    private static String routingState(TestNamespace ns) throws Exception {
        StringBuilder s = new StringBuilder();
        for (String[] cmd : List.of(new String[] {"ip", "rule"}, new String[] {"ip", "-6", "rule"},
                new String[] {"ip", "route", "show", "table", "all"}, new String[] {"nft", "list", "ruleset"},
                new String[] {"sysctl", "net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"})) {
            s.append(String.join(" ", cmd)).append(":\n").append(ns.run(cmd).output()).append('\n');
        }
        return s.toString();
    }

    private static String ipForward(TestNamespace ns) throws Exception {
        return ns.run("sysctl", "-n", "net.ipv4.ip_forward").output().strip();
    }

    @Test
    void anEnoOfferingClientBehindARequireDaemonIsRefusedNotCarriedInTheClear() throws Exception {
        Path received = dir.resolve("b.got");
        kernelListener(5000, received); // B speaks no tcpcrypt
        steeringDaemonA("--require", B_ADDR + "/32");
        Path pcap = dir.resolve("wire.pcap");
        Process dump = capture(pcap);
        // An application in A that speaks tcpcrypt itself (its SYN offers ENO): tuncrypt nc on its own device.
        Process nc = new ProcessBuilder("ip", "netns", "exec", a.name(), Daemon.ROOT.resolve("bin/tuncrypt").toString(),
                "nc", "--tun", "tn0", "--tun-addr", "198.18.3.1/24", "--stack-addr", "198.18.3.2", B_ADDR, "5000")
                .redirectInput(payload().toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("nc.log").toFile())
                .start();
        processes.add(nc);
        assertThat(nc.waitFor(40, TimeUnit.SECONDS)).as("tuncrypt nc ended").isTrue();
        String wire = stopCapture(dump, pcap);
        assertThat(wire).as("no plaintext on the wire").doesNotContain(MARKER);
        assertThat(nc.exitValue()).as("refused: " + Files.readString(dir.resolve("nc.log"))).isNotZero();
        assertThat(Files.exists(received) ? Files.readString(received) : "").as("B received nothing").isEmpty();
        Process syns = new ProcessBuilder("tcpdump", "-nr", pcap.toString(), "-v", "tcp[tcpflags] & tcp-syn != 0")
                .redirectErrorStream(true).start();
        assertThat(new String(syns.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .as("A's daemon tried B with tcpcrypt (ENO in its SYN)").contains("unknown-69 0x23");
    }

    @Test
    void afterKill9OfASteeringDaemonTheNextConnectionFailsInsteadOfGoingOutPlain() throws Exception {
        Path received = dir.resolve("b.got");
        kernelListener(5000, received);
        Daemon d = steeringDaemonA();
        VethHosts.run("kill", "-9", Long.toString(d.pid()));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (a.run("ip", "link", "show", "ta0").ok()) { // the device goes with the process's descriptor
            assertThat(System.nanoTime()).as("ta0 gone after kill -9").isLessThan(end);
            Thread.sleep(50);
        }
        Path log = dir.resolve("send.log");
        assertThat(send(5000, payload(), log)).as("connect fails: " + Files.readString(log)).isNotZero();
        assertThat(Files.readString(log)).contains("No route to host");
        assertThat(Files.exists(received) ? Files.readString(received) : "").isEmpty();

        Daemon.Outcome cleanup = tuncryptd(a, "--cleanup");
        assertThat(cleanup.exitCode()).as(cleanup.output()).isZero();
        assertThat(send(5000, payload(), log)).as("after --cleanup the plain path is back: " + Files.readString(log))
                .isZero();
    }

    @Test
    void cleanupWhileTheDaemonRunsIsRefusedStateUnchangedTrafficStillEncrypted() throws Exception {
        Path received = dir.resolve("b.got");
        kernelListener(5000, received);
        String forwardB = ipForward(b);
        daemon(b, "--tun", "tb0", "--tun-addr", "198.18.2.1/24", "--stack-addr", "198.18.2.2", "--serve", "5000",
                "--serve-on", "veb");
        Daemon da = steeringDaemonA();
        String before = routingState(a);

        Daemon.Outcome refused = tuncryptd(a, "--cleanup");
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
        assertThat(refused.output()).contains("pid " + da.pid()).contains("--force");
        assertThat(routingState(a)).as("state unchanged").isEqualTo(before);

        Path pcap = dir.resolve("wire.pcap");
        Process dump = capture(pcap);
        Path payload = payload();
        Path log = dir.resolve("send.log");
        assertThat(send(5000, payload, log)).as(Files.readString(log)).isZero();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(received) || Files.size(received) < Files.size(payload)) {
            assertThat(System.nanoTime()).as("B received everything").isLessThan(end);
            Thread.sleep(50);
        }
        assertThat(Files.mismatch(payload, received)).isEqualTo(-1L);
        assertThat(stopCapture(dump, pcap)).as("still encrypted").doesNotContain(MARKER);
        assertThat(ipForward(b)).as("B serves without steering: ip_forward as found").isEqualTo(forwardB);
    }

    @Test
    void aDaemonWithoutSteerLeavesIpForwardAsItFoundIt() throws Exception {
        assertThat(ipForward(a)).isEqualTo("0");
        Daemon d = daemon(a, "--tun", "ta0", "--tun-addr", "198.18.1.1/24", "--stack-addr", "198.18.1.2");
        assertThat(ipForward(a)).as("while running").isEqualTo("0");
        assertThat(a.run("sysctl", "-n", "net.ipv4.conf.ta0.forwarding").output().strip())
                .as("the stack's own packets are forwarded from its device only").isEqualTo("1");
        assertThat(d.terminate()).isZero();
        assertThat(ipForward(a)).as("after the stop").isEqualTo("0");
    }

    @Test
    void pcapFilesAreTheOwnersOnlyAndFilledWhileTheDaemonRuns() throws Exception {
        Requirements.command("ping", "iputils-ping");
        Path pcap = dir.resolve("stack.pcap");
        Files.writeString(pcap, "an older, world-readable file");
        Files.setPosixFilePermissions(pcap, PosixFilePermissions.fromString("rw-r--r--"));
        daemon(a, "--tun", "ta0", "--tun-addr", "198.18.1.1/24", "--stack-addr", "198.18.1.2", "--pcap", pcap.toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pcap))).isEqualTo("rw-------");
        assertThat(a.run("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.18.1.2").ok()).isTrue();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Files.size(pcap) <= 24) { // the header alone is 24 bytes
            assertThat(System.nanoTime()).as("packets in the file while the daemon runs").isLessThan(end);
            Thread.sleep(50);
        }
        assertThat(daemons.get(0).pid()).isPositive();
        assertThat(ProcessHandle.of(daemons.get(0).pid()).map(ProcessHandle::isAlive)).contains(true);
    }

    /** The counters of {@code tuncrypt status} of A's daemon. */
    private java.util.Map<String, Long> status() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", a.name(), Daemon.ROOT.resolve("bin/tuncrypt").toString(),
                "status", "-u", dir.resolve("a.ctl").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        java.util.Map<String, Long> counters = new java.util.HashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s+(\\w+)\\s+(\\d+)$").matcher(out);
        while (m.find()) {
            counters.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return counters;
    }

    @Test
    void connectsOpenedBeforeTheClientsHandshakeAreBoundedAndTheRestRefused() throws Exception {
        // B drops SYNs to 5009: A's daemon's connects there stay pending (as for spoofed clients).
        b.run("nft", "add", "table", "inet", "blackhole");
        b.run("nft", "add", "chain", "inet", "blackhole", "in", "{ type filter hook input priority 0; policy accept; }");
        b.run("nft", "add", "rule", "inet", "blackhole", "in", "tcp", "dport", "5009", "drop");
        Daemon d = steeringDaemonA("--max-pending-connects", "4", "--max-pending-per-source", "4", "--connect-timeout", "20");
        Path empty = Files.writeString(dir.resolve("empty"), "");
        for (int i = 0; i < 4; i++) {
            processes.add(new ProcessBuilder("ip", "netns", "exec", a.name(), "socat", "-u", "FILE:" + empty,
                    "TCP:" + B_ADDR + ":5009,connect-timeout=30").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (status().getOrDefault("splice_pending", 0L) < 4) {
            assertThat(System.nanoTime()).as("four connects pending").isLessThan(end);
            Thread.sleep(100);
        }
        Path log = dir.resolve("fifth.log");
        long start = System.nanoTime();
        assertThat(send(5009, empty, log)).as("the fifth is refused").isNotZero();
        assertThat((System.nanoTime() - start) / 1_000_000).as("at once, not after a timeout").isLessThan(3000);
        assertThat(Files.readString(log)).contains("Connection refused");
        java.util.Map<String, Long> after = status();
        assertThat(after.get("splice_pending_refused")).isEqualTo(1);
        assertThat(after.get("splice_pending")).as("never past the bound").isEqualTo(4);
        assertThat(d.log()).contains("refusing SYNs (1 so far");
    }
}
