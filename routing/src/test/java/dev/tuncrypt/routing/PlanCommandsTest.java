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
                "ip -4 rule add pref 5200 iif tun0 goto 5202 protocol 215",
                "ip -4 rule add pref 5201 to 198.18.5.0/24 ipproto tcp dport 80 lookup 5201 protocol 215",
                "ip -4 rule add pref 5201 to 198.18.5.0/24 ipproto tcp dport 443 lookup 5201 protocol 215",
                "ip -4 rule add pref 5201 to 198.18.6.7/32 ipproto tcp dport 8000-8100 lookup 5201 protocol 215",
                "ip -4 rule add pref 5201 uidrange 1000-1000 ipproto tcp lookup 5201 protocol 215",
                "ip -4 rule add pref 5201 fwmark 0x10/0xff ipproto tcp lookup 5201 protocol 215",
                "ip -4 rule add pref 5202 nop protocol 215",
                "ip -4 route add default dev tun0 table 5201 proto 215",
                "ip -6 rule add pref 5200 iif tun0 goto 5202 protocol 215",
                "ip -6 rule add pref 5201 to 2001:2:5::/48 ipproto tcp lookup 5201 protocol 215",
                "ip -6 rule add pref 5201 uidrange 1000-1000 ipproto tcp lookup 5201 protocol 215",
                "ip -6 rule add pref 5201 fwmark 0x10/0xff ipproto tcp lookup 5201 protocol 215",
                "ip -6 rule add pref 5202 nop protocol 215",
                "ip -6 route add default dev tun0 table 5201 proto 215");
    }

    @Test
    void printFull() throws Exception {
        System.out.println(DryRun.render(fullPlan()));
    }
}
