package dev.tuncrypt.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlanCommandsTest {

    static RoutingPlan fullPlan() throws Exception {
        return RoutingPlan.of("tun0",
                List.of(InetAddress.getByName("198.18.1.2"), InetAddress.getByName("2001:2:0:1::2")),
                List.of(Destination.parse("198.18.5.0/24:80,443"), Destination.parse("198.18.6.7:8000-8100"),
                        Destination.parse("2001:2:5::/48")),
                List.of(1000L), List.of(FirewallMark.parse("0x10/0xff")),
                Optional.of(new ServeSpec(PortRange.parseList("7000,8000-8100"), List.of("veth0"))),
                List.of(Destination.parse("198.18.6.0/24:443")));
    }

    @Test
    void rulesAndRoutesOfAFullPlan() throws Exception {
        List<String> got = new PlanCommands(fullPlan()).rulesAndRoutes().stream().map(Command::render).toList();
        assertThat(got).containsExactly(
                "ip -4 rule add pref 5200 fwmark 0x200000/0x200000 lookup 5201 protocol 215",
                "ip -4 rule add pref 5200 iif tun0 goto 5202 protocol 215",
                "ip -4 rule add pref 5200 fwmark 0x100000/0x100000 goto 5202 protocol 215",
                "ip -4 rule add pref 5201 to 198.18.5.0/24 ipproto tcp dport 80 lookup 5201 protocol 215",
                "ip -4 rule add pref 5201 to 198.18.5.0/24 ipproto tcp dport 443 lookup 5201 protocol 215",
                "ip -4 rule add pref 5201 to 198.18.6.7/32 ipproto tcp dport 8000-8100 lookup 5201 protocol 215",
                "ip -4 rule add pref 5201 iif lo uidrange 1000-1000 ipproto tcp lookup 5201 protocol 215",
                "ip -4 rule add pref 5201 fwmark 0x10/0xff ipproto tcp lookup 5201 protocol 215",
                "ip -4 rule add pref 5202 nop protocol 215",
                "ip -4 route add default dev tun0 table 5201 proto 215",
                "ip -4 route add unreachable default table 5201 metric 4294967295 proto 215",
                "ip -6 rule add pref 5200 fwmark 0x200000/0x200000 lookup 5201 protocol 215",
                "ip -6 rule add pref 5200 iif tun0 goto 5202 protocol 215",
                "ip -6 rule add pref 5200 fwmark 0x100000/0x100000 goto 5202 protocol 215",
                "ip -6 rule add pref 5201 to 2001:2:5::/48 ipproto tcp lookup 5201 protocol 215",
                "ip -6 rule add pref 5201 iif lo uidrange 1000-1000 ipproto tcp lookup 5201 protocol 215",
                "ip -6 rule add pref 5201 fwmark 0x10/0xff ipproto tcp lookup 5201 protocol 215",
                "ip -6 rule add pref 5202 nop protocol 215",
                "ip -6 route add default dev tun0 table 5201 proto 215",
                "ip -6 route add unreachable default table 5201 metric 4294967295 proto 215");
    }

    @Test
    void dryRunOfAFullPlanIsTheGoldenScript() throws Exception {
        String golden;
        try (var in = PlanCommandsTest.class.getResourceAsStream("/dry-run-full.txt")) {
            golden = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(DryRun.render(fullPlan())).isEqualTo(golden);
    }

    @Test
    void steeringOnlyNeedsNoServeTableNorAcceptLocal() throws Exception {
        RoutingPlan plan = RoutingPlan.of("tun0", List.of(InetAddress.getByName("198.18.1.2")),
                List.of(Destination.parse("198.18.5.0/24")), List.of(), List.of(), Optional.empty(), List.of());
        PlanCommands c = new PlanCommands(plan);
        assertThat(c.nftScript()).contains("table inet tuncrypt").doesNotContain("netdev").doesNotContain("ip6");
        assertThat(c.rulesAndRoutes().stream().map(Command::render)).containsExactly(
                "ip -4 rule add pref 5200 iif tun0 goto 5202 protocol 215",
                "ip -4 rule add pref 5200 fwmark 0x100000/0x100000 goto 5202 protocol 215",
                "ip -4 rule add pref 5201 to 198.18.5.0/24 ipproto tcp lookup 5201 protocol 215",
                "ip -4 rule add pref 5202 nop protocol 215",
                "ip -4 route add default dev tun0 table 5201 proto 215",
                "ip -4 route add unreachable default table 5201 metric 4294967295 proto 215");
        assertThat(c.sysctls().stream().map(SysctlSetting::key))
                .containsExactly("net.ipv4.ip_forward", "net.ipv4.conf.tun0.rp_filter");
        assertThat(c.expectedCounts(true)).containsExactly(4, 2);
        assertThat(c.expectedCounts(false)).containsExactly(0, 0);
    }

    @Test
    void servingAllPortsHasNoPortMatch() throws Exception {
        RoutingPlan plan = RoutingPlan.of("tun0", List.of(InetAddress.getByName("198.18.1.2")), List.of(), List.of(),
                List.of(), Optional.of(new ServeSpec(List.of(), List.of("eth0", "eth1"))), List.of());
        PlanCommands c = new PlanCommands(plan);
        assertThat(c.nftScript()).contains("devices = { \"eth0\", \"eth1\" }").doesNotContain("dport {")
                .contains("fwd ip to 198.18.1.2 device \"tun0\"").doesNotContain("served6");
        // leg 2 comes from the client's address: the service's replies are routed back by mark
        assertThat(c.nftScript())
                .contains("iifname \"tun0\" meta l4proto tcp ct state new fib daddr type local ct mark set ct mark or 0x200000")
                .contains("ct mark & 0x200000 == 0x200000 meta mark set meta mark or 0x200000 accept")
                .doesNotContain("ct direction reply");
        assertThat(c.rulesAndRoutes().stream().map(Command::render)).containsExactly(
                "ip -4 rule add pref 5200 fwmark 0x200000/0x200000 lookup 5201 protocol 215",
                "ip -4 route add default dev tun0 table 5201 proto 215");
        assertThat(c.expectedCounts(true)).containsExactly(1, 1);
        assertThat(c.sysctls().stream().map(SysctlSetting::key))
                .as("serving only: forwarding on the TUN device, never host-wide")
                .containsExactly("net.ipv4.conf.tun0.forwarding", "net.ipv4.conf.tun0.rp_filter",
                        "net.ipv4.conf.tun0.accept_local");
    }

    @Test
    void servedPorts() throws Exception {
        RoutingPlan plan = fullPlan();
        assertThat(plan.servesPort(7000)).isTrue();
        assertThat(plan.servesPort(8050)).isTrue();
        assertThat(plan.servesPort(7001)).isFalse();
        RoutingPlan all = RoutingPlan.of("tun0", List.of(InetAddress.getByName("198.18.1.2")), List.of(), List.of(),
                List.of(), Optional.of(new ServeSpec(List.of(), List.of("eth0"))), List.of());
        assertThat(all.servesPort(1)).isTrue();
    }

    @Test
    void withoutSteeringOrServingTheStacksOwnConnectionsAreStillForwardedAndMasqueraded() throws Exception {
        // The operator may route into the device by hand: leg 2 must still leave the host.
        RoutingPlan plan = RoutingPlan.of("tun0", List.of(InetAddress.getByName("198.18.1.2")), List.of(), List.of(),
                List.of(), Optional.empty(), List.of(Destination.parse("198.18.0.0/15")));
        assertThat(plan.changesKernel()).isTrue();
        assertThat(plan.routes()).isFalse();
        PlanCommands c = new PlanCommands(plan);
        assertThat(c.rulesAndRoutes()).isEmpty();
        assertThat(c.nftScript()).contains("ip saddr 198.18.1.2 oifname != \"tun0\" masquerade")
                .doesNotContain("chain output").doesNotContain("netdev");
        assertThat(c.sysctls().stream().map(SysctlSetting::key))
                .as("nothing steered: net.ipv4.ip_forward stays as found, only the TUN device forwards")
                .containsExactly("net.ipv4.conf.tun0.forwarding", "net.ipv4.conf.tun0.rp_filter");
        assertThat(DryRun.render(plan)).contains("198.18.0.0/15").doesNotContain("ip_forward");
    }

    @Test
    void everySteeredFamilyFailsClosedBehindTheDeviceRoute() throws Exception {
        PlanCommands c = new PlanCommands(fullPlan());
        for (boolean v4 : new boolean[] {true, false}) {
            List<String> routes = c.rulesAndRoutes().stream().map(Command::render)
                    .filter(r -> r.startsWith("ip " + (v4 ? "-4" : "-6") + " route")).toList();
            // the device route first, then ours that stays when the device vanishes
            assertThat(routes).containsExactly(
                    "ip " + (v4 ? "-4" : "-6") + " route add default dev tun0 table 5201 proto 215",
                    "ip " + (v4 ? "-4" : "-6") + " route add unreachable default table 5201 metric 4294967295 proto 215");
            assertThat(c.expectedCounts(v4)[1]).isEqualTo(2);
        }
        RoutingPlan custom = fullPlan().withTags(new RoutingTags(100, 101, 102, 77, 99, "other"));
        assertThat(new PlanCommands(custom).failClosedRoute(true).render())
                .isEqualTo("ip -4 route add unreachable default table 77 metric 4294967295 proto 99");
    }

    @Test
    void steeringIpv6OnlyLeavesIpv4ForwardingAsFoundAndServingIpv6NeedsTheGlobalSwitch() throws Exception {
        RoutingPlan v6 = RoutingPlan.of("tun0",
                List.of(InetAddress.getByName("198.18.1.2"), InetAddress.getByName("2001:2:0:1::2")),
                List.of(Destination.parse("2001:2:5::/48")), List.of(), List.of(), Optional.empty(), List.of());
        assertThat(new PlanCommands(v6).sysctls().stream().map(SysctlSetting::key)).containsExactly(
                "net.ipv4.conf.tun0.forwarding", "net.ipv4.conf.tun0.rp_filter", "net.ipv6.conf.all.forwarding");
        RoutingPlan nothing6 = RoutingPlan.of("tun0", List.of(InetAddress.getByName("2001:2:0:1::2")), List.of(),
                List.of(), List.of(), Optional.empty(), List.of());
        assertThat(new PlanCommands(nothing6).sysctls()).as("nothing steered or served: no IPv6 switch").isEmpty();
    }

    @Test
    void teardownIsByTagOnly() {
        assertThat(PlanCommands.teardownRulesAndRoutes(RoutingTags.DEFAULT).stream().map(Command::render)).containsExactly(
                "ip -4 rule flush protocol 215", "ip -6 rule flush protocol 215",
                "ip -4 route flush table all proto 215", "ip -6 route flush table all proto 215");
        assertThat(PlanCommands.nftDeleteScript(RoutingTags.DEFAULT, List.of("inet", "netdev")))
                .isEqualTo("delete table inet tuncrypt\ndelete table netdev tuncrypt\n");
    }
}
