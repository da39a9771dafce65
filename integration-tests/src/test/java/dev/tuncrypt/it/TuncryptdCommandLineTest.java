package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import dev.tuncrypt.tun.Netns;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/tuncryptd} as a user meets it: help, errors as one line with the right status, and
 * nothing left behind whatever happens.
 */
class TuncryptdCommandLineTest {

    @Test
    void helpDocumentsEveryOption() throws Exception {
        Daemon.Outcome o = Daemon.runToEnd(List.of(), "--help");
        assertThat(o.exitCode()).isZero();
        assertThat(o.output()).contains("--tun", "--tun-addr", "--stack-addr", "--mtu", "--queues", "--pcap",
                "-v", "--help", "--version");
    }

    @Test
    void unknownOptionIsOneLineAndStatus2() throws Exception {
        Daemon.Outcome o = Daemon.runToEnd(List.of(), "--stack-addr", "198.18.7.2", "--bogus");
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.output().strip().lines()).hasSize(1);
        assertThat(o.output()).contains("--bogus");
    }

    @Test
    void badAddressIsOneLineAndStatus2() throws Exception {
        Daemon.Outcome o = Daemon.runToEnd(List.of(), "--tun-addr", "198.18.300.1/24", "--stack-addr", "198.18.7.2");
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.output().strip()).isEqualTo(
                "tuncryptd: '198.18.300.1' is not an IPv4 or IPv6 address (see tuncryptd --help)");
    }

    @Test
    void missingStackAddressIsAUsageError() throws Exception {
        Daemon.Outcome o = Daemon.runToEnd(List.of(), "--tun", "tb0");
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.output()).contains("--stack-addr");
    }

    @Test
    void withoutPrivilegeItSaysSoAndLeavesNothing() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("setpriv", "util-linux");
        try (TestNamespace ns = TestNamespace.create("tccli")) {
            Daemon.Outcome o = Daemon.runToEnd(
                    // root without capabilities: files stay readable, TUNSETIFF needs CAP_NET_ADMIN
                    List.of("ip", "netns", "exec", ns.name(), "setpriv", "--inh-caps=-all", "--ambient-caps=-all",
                            "--bounding-set=-all"),
                    "--tun", "tb0", "--tun-addr", "198.18.7.1/24", "--stack-addr", "198.18.7.2");
            assertThat(o.exitCode()).isEqualTo(1);
            assertThat(o.output().strip().lines()).hasSize(1);
            assertThat(o.output()).contains("permission denied", "CAP_NET_ADMIN");
            assertThat(ns.run("ip", "link", "show", "tb0").ok()).isFalse();
        }
    }

    @Test
    void failureAfterCreatingTheDeviceRemovesIt() throws Exception {
        Requirements.rootAndTun();
        try (TestNamespace ns = TestNamespace.create("tccli")) {
            // IPv6 off in the namespace: the device is created, then the IPv6 address fails.
            ns.run("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            ns.run("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            Daemon.Outcome o = Daemon.runToEnd(List.of("ip", "netns", "exec", ns.name()),
                    "--tun", "tb0", "--tun-addr", "198.18.7.1/24", "--tun-addr", "2001:2:0:7::1/64",
                    "--stack-addr", "198.18.7.2");
            assertThat(o.exitCode()).isEqualTo(1);
            assertThat(o.output().strip().lines()).hasSize(1);
            assertThat(ns.run("ip", "link", "show", "tb0").ok()).isFalse();
        }
    }

    @Test
    void answersPingsRefusesTcpAndCleansUpOnSigterm() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("ping", "iputils-ping");
        Requirements.command("nc", "netcat-openbsd");
        try (TestNamespace ns = TestNamespace.create("tccli");
                Daemon d = Daemon.start(ns.name(), "--tun", "tb0", "--tun-addr", "198.18.7.1/24",
                        "--stack-addr", "198.18.7.2")) {
            d.awaitReady(Duration.ofSeconds(20));
            assertThat(ns.run("ip", "-br", "addr", "show", "tb0").output()).contains("198.18.7.1/24");
            assertThat(ns.run("ip", "link", "show", "tb0").output()).containsPattern("<[^>]*\\bUP\\b[^>]*>");
            Netns.Result ping = ns.run("ping", "-c", "200", "-i", "0.005", "-W", "2", "-q", "198.18.7.2");
            assertThat(ping.output()).contains("200 received", " 0% packet loss");
            Netns.Result nc = ns.run("nc", "-z", "-v", "-w", "3", "198.18.7.2", "9");
            assertThat(nc.exitCode()).isNotZero();
            assertThat(nc.output()).contains("refused");
            assertThat(d.terminate()).isZero();
            assertThat(ns.run("ip", "link", "show", "tb0").ok()).isFalse();
        }
    }
}
