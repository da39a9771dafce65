package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tun.Netns;
import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live reconfiguration: a daemon started with one {@code steer} in its config file; the file
 * gains a second prefix (and a served port) and loses the first; SIGHUP: {@code ip rule} and
 * {@code nft list ruleset} show exactly the new set, the fail-closed route stays. Then a broken
 * file: the old set stays and the log names file, line and reason; {@code tuncrypt reload} says
 * the same and exits 1. A clean stop after the reloads leaves nothing behind.
 */
class ReloadTest {
    private static final Pattern STEER = Pattern.compile("^5201:\\s+from all to (\\S+) ipproto tcp(?: dport (\\S+))? lookup 5201",
            Pattern.MULTILINE);
    private TestNamespace ns;
    private Path dir;
    private Daemon daemon;

    @BeforeEach
    void namespace() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("nft", "nftables");
        ns = TestNamespace.create("rld");
        ns.run("ip", "link", "set", "lo", "up");
        Netns.Result link = ns.run("ip", "link", "add", "dum0", "type", "veth", "peer", "name", "dum1");
        assertThat(link.exitCode()).as(link.output()).isZero();
        ns.run("ip", "link", "set", "dum0", "up");
        dir = Files.createTempDirectory("reload");
    }

    @AfterEach
    void cleanup() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private Path config(String routing) throws Exception {
        return Files.writeString(dir.resolve("tuncryptd.conf"), """
                # reload test
                tun = ta0
                tun-addr = 198.18.1.1/24
                stack-addr = 198.18.1.2
                u = %s
                %s""".formatted(dir.resolve("ctl"), routing));
    }

    /** The steering rules as "PREFIX" or "PREFIX:PORT", sorted. */
    private TreeSet<String> steered() throws Exception {
        TreeSet<String> out = new TreeSet<>();
        Matcher m = STEER.matcher(ns.run("ip", "-4", "rule", "show").output());
        while (m.find()) {
            out.add(m.group(1) + (m.group(2) == null ? "" : ":" + m.group(2)));
        }
        return out;
    }

    private String state() throws Exception {
        return ns.run("ip", "-4", "rule", "show").output() + ns.run("ip", "-4", "route", "show", "table", "all", "proto", "215").output()
                + ns.run("nft", "list", "ruleset").output();
    }

    /** The handles of our nft tables: a replaced table gets a new one. */
    private String tableHandles() throws Exception {
        return ns.run("nft", "-a", "list", "ruleset").output().lines().filter(l -> l.startsWith("table "))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    private void hangUp() throws Exception {
        assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(daemon.pid())).start().waitFor()).isZero();
    }

    /** Waits until the log has {@code count} lines containing {@code text}. */
    private void awaitLog(String text, int count) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (daemon.log().split(Pattern.quote(text), -1).length - 1 < count) {
            assertThat(System.nanoTime()).as("log line '" + text + "' #" + count + ": " + daemon.log()).isLessThan(end);
            Thread.sleep(50);
        }
    }

    private Daemon.Outcome tuncrypt(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), Daemon.ROOT.resolve("bin/tuncrypt").toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Daemon.Outcome(p.exitValue(), out);
    }

    @Test
    void sighupAppliesAddedAndRemovedRulesAndABrokenFileKeepsTheOldSet() throws Exception {
        Path file = config("steer = 198.18.2.0/24\n");
        daemon = Daemon.start(ns.name(), "--config", file.toString());
        daemon.awaitReady(Duration.ofSeconds(30));
        assertThat(steered()).containsExactly("198.18.2.0/24");
        assertThat(ns.run("nft", "list", "ruleset").output()).contains("table inet tuncrypt").doesNotContain("table netdev");

        // The file gains a second prefix (with a port) and a served port, and loses the first prefix.
        config("steer = 198.18.3.0/24\nsteer = 198.18.4.0/24:443\nserve = 8443\nserve-on = dum0\n"
                + "dialect-for = 198.18.4.0/24=tcpcrypt-0.5\n");
        hangUp();
        awaitLog("configuration reloaded", 1);
        assertThat(daemon.log()).contains("dialect rfc8548 (for 198.18.4.0/24=tcpcrypt-0.5)");
        assertThat(steered()).containsExactly("198.18.3.0/24", "198.18.4.0/24:443");
        String ruleset = ns.run("nft", "list", "ruleset").output();
        assertThat(ruleset).contains("table inet tuncrypt").contains("table netdev tuncrypt").contains("8443")
                .contains("dum0");
        // Still fail-closed: the unreachable route behind the device route, and the owner file.
        assertThat(ns.run("ip", "-4", "route", "show", "table", "5201").output()).contains("unreachable default")
                .contains("dev ta0");
        // Only a prefix changes: rules change, the nft tables are not touched (same handles), so
        // served flows keep their set entries.
        String handles = tableHandles();
        config("steer = 198.18.3.0/24\nsteer = 198.18.4.0/24:443\nserve = 8443\nserve-on = dum0\n"
                + "dialect-for = 198.18.4.0/24=tcpcrypt-0.5\nsteer = 198.18.6.0/24\n");
        hangUp();
        awaitLog("configuration reloaded", 2);
        assertThat(steered()).containsExactly("198.18.3.0/24", "198.18.4.0/24:443", "198.18.6.0/24");
        assertThat(tableHandles()).isEqualTo(handles);
        config("steer = 198.18.3.0/24\nsteer = 198.18.4.0/24:443\nserve = 8443\nserve-on = dum0\n");
        hangUp();
        awaitLog("configuration reloaded", 3);
        assertThat(steered()).containsExactly("198.18.3.0/24", "198.18.4.0/24:443");
        String before = state();

        // A broken file (line 8): nothing changes; the log names file, line and reason.
        config("steer = 198.18.3.0/24\nsteer = 198.18.4.0/24:443\nsteer = 198.18.5.0/33\n");
        hangUp();
        awaitLog("configuration not applied", 1);
        assertThat(daemon.log()).contains("--config " + file + " line 8: --steer").contains("198.18.5.0/33")
                .contains("prefix length");
        assertThat(state()).isEqualTo(before);

        // tuncrypt reload says the same, exits 1.
        Daemon.Outcome r = tuncrypt("reload", "-u", dir.resolve("ctl").toString());
        assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
        assertThat(r.output()).contains("--config " + file + " line 8:").contains("198.18.5.0/33");
        assertThat(state()).isEqualTo(before);

        // Fixed, over the control socket: the serve rules go, a prefix goes, one stays.
        config("steer = 198.18.4.0/24:443\n");
        r = tuncrypt("reload", "-u", dir.resolve("ctl").toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("configuration reloaded");
        assertThat(steered()).containsExactly("198.18.4.0/24:443");
        assertThat(ns.run("nft", "list", "ruleset").output()).contains("table inet tuncrypt").doesNotContain("table netdev");

        // A clean stop removes what the reloads added too.
        assertThat(daemon.terminate()).isZero();
        assertThat(ns.run("ip", "-4", "rule", "show").output()).doesNotContain("5201");
        assertThat(ns.run("ip", "-4", "route", "show", "table", "all", "proto", "215").output()).isBlank();
        assertThat(ns.run("nft", "list", "ruleset").output()).doesNotContain("tuncrypt");
    }

    /**
     * A kernel error half-way through a reload (an {@code ip rule add} that fails, injected by an
     * {@code ip} wrapper first on the daemon's PATH): the rules added before it are taken back,
     * the old set stays in force exactly, and the log names the file and the failing command.
     */
    @Test
    void aKernelErrorHalfWayLeavesTheOldStateInForce() throws Exception {
        String realIp = new String(new ProcessBuilder("sh", "-c", "command -v ip").start().getInputStream().readAllBytes()).strip();
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path wrapper = Files.writeString(bin.resolve("ip"), """
                #!/bin/sh
                case "$*" in
                  *"rule add"*198.18.7.0/24*) echo "RTNETLINK answers: injected failure" >&2; exit 2;;
                esac
                exec %s "$@"
                """.formatted(realIp));
        wrapper.toFile().setExecutable(true);
        Path file = config("steer = 198.18.2.0/24\n");
        daemon = Daemon.start(ns.name(), java.util.Map.of("PATH", bin + ":" + System.getenv("PATH")), "--config",
                file.toString());
        daemon.awaitReady(Duration.ofSeconds(30));
        String before = state();
        // 198.18.6.0/24 is added, 198.18.7.0/24 fails: 198.18.6.0/24 must go again, 198.18.2.0/24 stay.
        config("steer = 198.18.6.0/24\nsteer = 198.18.7.0/24\nserve = 8443\nserve-on = dum0\n");
        hangUp();
        awaitLog("configuration not applied", 1);
        assertThat(daemon.log()).contains("--config " + file + ": routing:").contains("198.18.7.0/24")
                .contains("injected failure");
        assertThat(steered()).containsExactly("198.18.2.0/24");
        assertThat(state()).isEqualTo(before);
        assertThat(daemon.terminate()).isZero();
        assertThat(ns.run("nft", "list", "ruleset").output()).doesNotContain("tuncrypt");
    }
}
