package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.io.OutputStream;
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
 * After N encrypted, M plain and K refused connections through two daemons (A steers B's address
 * and requires tcpcrypt on one port, B serves another), the metrics, {@code tuncrypt status
 * --json} and {@code tuncrypt netstat} of each daemon agree exactly, with each other and with
 * the known mix: each connection counted once, by the daemon that splices it, at its crypt leg.
 */
class MetricsAgreementTest {
    static final String A_ADDR = "198.18.0.1";
    static final String B_ADDR = "198.18.0.2";
    static final String A_STACK = "198.18.1.2";
    static final int ENCRYPTED_PORT = 5000; // served by B's daemon
    static final int PLAIN_PORT = 5001; // B's kernel only: A's leg 2 falls back to plain
    static final int REQUIRED_PORT = 5002; // B's kernel only, but A requires tcpcrypt: refused
    static final int N = 3;
    static final int M = 2;
    static final int K = 2;
    static final int PAYLOAD = 1000;

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
        Requirements.command("curl", "curl");
        hosts = VethHosts.create("maa", "mab", A_ADDR + "/24", B_ADDR + "/24");
        a = hosts.a();
        b = hosts.b();
        dir = Files.createTempDirectory("metrics-agreement");
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

    /** A kernel listener on B:port that discards what it receives. */
    private void sink(int port) throws Exception {
        processes.add(new ProcessBuilder("ip", "netns", "exec", b.name(), "socat", "-u",
                "TCP-LISTEN:" + port + ",bind=" + B_ADDR + ",reuseaddr,fork", "OPEN:/dev/null")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        awaitTrue("listener on " + port, () -> b.run("ss", "-ltn", "sport = :" + port).output().contains("LISTEN"));
    }

    /** A kernel client in A connected to B:port that has sent {@value #PAYLOAD} bytes and stays open. */
    private Process client(int port) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", a.name(), "socat", "-u", "STDIN",
                "TCP:" + B_ADDR + ":" + port + ",connect-timeout=5").redirectErrorStream(true)
                .redirectOutput(dir.resolve("client-" + port + "-" + processes.size() + ".log").toFile()).start();
        processes.add(p);
        OutputStream in = p.getOutputStream();
        in.write(new byte[PAYLOAD]);
        in.flush();
        return p;
    }

    private String cli(TestNamespace ns, String ctl, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Daemon.ROOT.resolve("bin/tuncrypt").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-u", dir.resolve(ctl).toString()));
        var r = ns.run(cmd.toArray(String[]::new));
        assertThat(r.ok()).as(String.join(" ", cmd) + ": " + r.output()).isTrue();
        return r.output();
    }

    private static String metrics(TestNamespace ns, int port) throws Exception {
        var r = ns.run("curl", "-sf", "http://127.0.0.1:" + port + "/metrics");
        assertThat(r.ok()).as("scrape: " + r.output()).isTrue();
        return r.output();
    }

    /** The sum of the samples whose line starts with {@code prefix} (a name, optionally with the first labels). */
    static long sample(String exposition, String prefix) {
        long sum = 0;
        boolean found = false;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(prefix) && (line.charAt(prefix.length()) == ' ' || line.charAt(prefix.length()) == '{'
                    || line.charAt(prefix.length()) == ',' || prefix.endsWith(","))) {
                String v = line.substring(line.lastIndexOf(' ') + 1);
                sum += (long) Double.parseDouble(v);
                found = true;
            }
        }
        assertThat(found).as("a sample " + prefix + " in\n" + exposition).isTrue();
        return sum;
    }

    /** A number member of a JSON text (the first with that name after {@code from}). */
    static long json(String text, String from, String name) {
        int start = text.indexOf(from);
        assertThat(start).as(from + " in " + text).isNotNegative();
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(\\d+)").matcher(text);
        assertThat(m.find(start)).as(name + " after " + from + " in " + text).isTrue();
        return Long.parseLong(m.group(1));
    }

    static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(String what, Check c) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!c.holds()) {
            assertThat(System.nanoTime()).as(what).isLessThan(end);
            Thread.sleep(100);
        }
    }

    @Test
    void metricsStatusAndNetstatAgreeAfterAKnownMixOfConnections() throws Exception {
        for (int port : new int[] {ENCRYPTED_PORT, PLAIN_PORT, REQUIRED_PORT}) {
            sink(port);
        }
        daemon(b, "--tun", "tb0", "--tun-addr", "198.18.2.1/24", "--stack-addr", "198.18.2.2", "--serve",
                Integer.toString(ENCRYPTED_PORT), "--serve-on", "veb", "-u", dir.resolve("b.ctl").toString(),
                "--metrics", "127.0.0.1:9465", "-vv");
        Daemon db = daemons.get(0);
        Daemon da = daemon(a, "--tun", "ta0", "--tun-addr", "198.18.1.1/24", "--stack-addr", A_STACK, "--steer",
                B_ADDR + "/32", "--require", B_ADDR + "/32:" + REQUIRED_PORT, "-u", dir.resolve("a.ctl").toString(),
                "--metrics", "127.0.0.1:9464");

        List<Process> open = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            open.add(client(ENCRYPTED_PORT));
        }
        for (int i = 0; i < M; i++) {
            open.add(client(PLAIN_PORT));
        }
        for (int i = 0; i < K; i++) {
            Process refused = client(REQUIRED_PORT);
            assertThat(refused.waitFor(20, TimeUnit.SECONDS)).as("a refused connect ends").isTrue();
            assertThat(refused.exitValue()).as("refused").isNotZero();
        }
        // every open connection settled and its payload carried
        awaitTrue("A's peer carried " + (N + M) * PAYLOAD + " bytes", () -> {
            String s = cli(a, "a.ctl", "status", "--json");
            return s.contains("\"address\":\"" + B_ADDR + "\"")
                    && json(s, "\"address\":\"" + B_ADDR + "\"", "bytes_out") == (long) (N + M) * PAYLOAD;
        });

        // A: the steering daemon
        String statusA = cli(a, "a.ctl", "status", "--json");
        String metricsA = metrics(a, 9464);
        String wideA = cli(a, "a.ctl", "netstat", "--wide", "--json");
        String tcnetstatA = cli(a, "a.ctl", "netstat");
        String peerB = "\"address\":\"" + B_ADDR + "\"";
        assertThat(json(statusA, "\"counters\"", "splice_encrypted")).isEqualTo(N);
        assertThat(json(statusA, "\"counters\"", "splice_plain")).isEqualTo(M);
        assertThat(json(statusA, "\"counters\"", "splice_refused")).isEqualTo(K);
        assertThat(json(statusA, peerB, "open")).isEqualTo(N + M);
        assertThat(json(statusA, peerB, "encrypted")).isEqualTo(N);
        assertThat(json(statusA, peerB, "plain")).isEqualTo(M);
        assertThat(json(statusA, peerB, "refused")).isEqualTo(K);
        assertThat(sample(metricsA, "tuncrypt_splice_outcomes_total{outcome=\"encrypted\"}")).isEqualTo(N);
        assertThat(sample(metricsA, "tuncrypt_splice_outcomes_total{outcome=\"plain\"}")).isEqualTo(M);
        assertThat(sample(metricsA, "tuncrypt_splice_outcomes_total{outcome=\"refused\"}")).isEqualTo(K);
        assertThat(sample(metricsA, "tuncrypt_splice_accepted_total")).as("leg 1s accepted").isEqualTo(N + M);
        assertThat(sample(metricsA, "tuncrypt_connections{phase=\"encrypted\",")).isEqualTo(N);
        assertThat(sample(metricsA, "tuncrypt_connections{phase=\"plain\",")).isEqualTo(M);
        assertThat(sample(metricsA, "tuncrypt_tcpcrypt_handshakes_total")
                + sample(metricsA, "tuncrypt_tcpcrypt_resumptions_total"))
                .as("one tcpcrypt session per encrypted connection (leg 2; leg 1 is the local application's)")
                .isEqualTo(N);
        assertThat(sample(metricsA, "tuncrypt_tcpcrypt_fallbacks_total"))
                .as("fallbacks: the plain leg 2s and the refused ones (no ENO answer), never a leg 1")
                .isEqualTo(M + K);
        assertThat(sample(metricsA, "tuncrypt_splice_bytes_total{direction=\"out\"}")).isEqualTo((long) (N + M) * PAYLOAD);
        assertThat(count(wideA, "\"phase\":\"encrypted\"")).isEqualTo(N);
        assertThat(count(wideA, "\"phase\":\"plain\"")).isEqualTo(M);
        String textA = cli(a, "a.ctl", "status");
        Files.writeString(dir.resolve("status-a.txt"), textA);
        assertThat(textA).contains("device: ta0 (created)", "routing:\n  steer " + B_ADDR + "/32",
                "require " + B_ADDR + "/32:" + REQUIRED_PORT, "peer: " + B_ADDR,
                "  connections: " + (N + M) + " open; since start " + N + " encrypted, " + M + " plain, " + K
                        + " refused, 0 failed");
        assertThat(tcnetstatA.lines().filter(l -> l.contains(B_ADDR + ":" + ENCRYPTED_PORT)).count()).isEqualTo(N);

        // B: the serving daemon sees the N encrypted connections only (plain SYNs never reach it)
        String statusB = cli(b, "b.ctl", "status", "--json");
        String metricsB = metrics(b, 9465);
        String wideB = cli(b, "b.ctl", "netstat", "--wide", "--json");
        String peerA = "\"address\":\"" + A_ADDR + "\""; // A's stack leaves through A's own address
        assertThat(json(statusB, "\"counters\"", "splice_encrypted")).isEqualTo(N);
        assertThat(json(statusB, "\"counters\"", "splice_plain")).isZero();
        assertThat(json(statusB, peerA, "encrypted")).isEqualTo(N);
        assertThat(json(statusB, peerA, "open")).isEqualTo(N);
        assertThat(sample(metricsB, "tuncrypt_splice_outcomes_total{outcome=\"encrypted\"}")).isEqualTo(N);
        assertThat(sample(metricsB, "tuncrypt_connections{phase=\"encrypted\",")).isEqualTo(N);
        assertThat(sample(metricsB, "tuncrypt_tcpcrypt_handshakes_total")
                + sample(metricsB, "tuncrypt_tcpcrypt_resumptions_total")).isEqualTo(N);
        assertThat(sample(metricsB, "tuncrypt_tcpcrypt_fallbacks_total")).isZero();
        assertThat(count(wideB, "\"phase\":\"encrypted\"")).isEqualTo(N);

        // After the clients close: the counters keep their values, the bytes stay with the peer.
        for (Process p : open) {
            p.getOutputStream().close();
        }
        for (Process p : open) {
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
        }
        awaitTrue("A's connections closed", () -> {
            String s = cli(a, "a.ctl", "status", "--json");
            return json(s, peerB, "open") == 0;
        });
        String after = cli(a, "a.ctl", "status", "--json");
        assertThat(json(after, peerB, "encrypted")).isEqualTo(N);
        assertThat(json(after, peerB, "bytes_out")).isEqualTo((long) (N + M) * PAYLOAD);
        String metricsAfter = metrics(a, 9464);
        assertThat(sample(metricsAfter, "tuncrypt_splice_outcomes_total{outcome=\"encrypted\"}")).isEqualTo(N);
        assertThat(sample(metricsAfter, "tuncrypt_connections{phase=\"encrypted\",")).isZero();

        // -vv on B: every segment traced, headers only
        String logB = db.log();
        assertThat(logB).contains("TRACE segments: in  " + B_ADDR + ":" + ENCRYPTED_PORT + " <-> ")
                .contains("TRACE segments: out ").doesNotContain("/" + A_ADDR);
        assertThat(count(logB, " open inbound ")).isEqualTo(N);

        // one open and one close line per connection, addresses without a slash
        awaitTrue("close lines logged", () -> count(da.log(), " close outbound ") == N + M + K);
        String log = da.log();
        assertThat(count(log, " open outbound ")).isEqualTo(N + M);
        assertThat(log).doesNotContain("/" + B_ADDR).doesNotContain("/" + A_ADDR);
    }
}
