package dev.tuncrypt.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ParsingTest {

    @Test
    void destinations() throws Exception {
        assertThat(Destination.parse("198.18.5.0/24").toString()).isEqualTo("198.18.5.0/24");
        assertThat(Destination.parse("198.18.5.7").toString()).isEqualTo("198.18.5.7/32");
        assertThat(Destination.parse("198.18.5.7:80,443").ports()).containsExactly(new PortRange(80, 80), new PortRange(443, 443));
        assertThat(Destination.parse("198.18.5.0/24:8000-8100").ports()).containsExactly(new PortRange(8000, 8100));
        assertThat(Destination.parse("2001:2::/48").toString()).isEqualTo("2001:2::/48");
        assertThat(Destination.parse("2001:2::/48:443").toString()).isEqualTo("2001:2::/48:443");
        assertThat(Destination.parse("2001:2::7").toString()).isEqualTo("2001:2::7/128");
        assertThat(Destination.parse("[2001:2::7]:443").toString()).isEqualTo("2001:2::7/128:443");
        assertThat(Destination.parse("[2001:2::]/48:443").toString()).isEqualTo("2001:2::/48:443");
        assertThat(Destination.parse("0.0.0.0/0").prefix().contains(InetAddress.getByName("198.18.1.1"))).isTrue();
    }

    @Test
    void badDestinationsSayWhatIsWrong() {
        assertThatThrownBy(() -> Destination.parse("198.18.5.7/24")).isInstanceOf(InvalidPlanException.class)
                .hasMessage("'198.18.5.7/24' has host bits set; the network is 198.18.5.0/24");
        assertThatThrownBy(() -> Destination.parse("198.18.5.0/33")).hasMessageContaining("prefix length must be 0-32");
        assertThatThrownBy(() -> Destination.parse("example.org")).hasMessageContaining("is not an IPv4 or IPv6 address");
        assertThatThrownBy(() -> Destination.parse("198.18.5.256")).hasMessageContaining("is not an IPv4 or IPv6 address");
        assertThatThrownBy(() -> Destination.parse("198.18.5.0/24:0")).hasMessageContaining("outside 1-65535");
        assertThatThrownBy(() -> Destination.parse("198.18.5.0/24:70000")).hasMessageContaining("outside 1-65535");
        assertThatThrownBy(() -> Destination.parse("198.18.5.0/24:90-80")).hasMessageContaining("reversed");
        assertThatThrownBy(() -> Destination.parse("198.18.5.0/24:80,70-90")).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> Destination.parse("198.18.5.0/24:")).hasMessageContaining("empty port list");
        assertThatThrownBy(() -> Destination.parse("198.18.5.0/24:http")).hasMessageContaining("not a port number");
        assertThatThrownBy(() -> Destination.parse("[2001:2::7:443")).hasMessageContaining("missing ']'");
    }

    @Test
    void marks() throws Exception {
        assertThat(FirewallMark.parse("16")).isEqualTo(new FirewallMark(16, 0xffffffffL));
        assertThat(FirewallMark.parse("0x10/0xff")).isEqualTo(new FirewallMark(16, 255));
        assertThatThrownBy(() -> FirewallMark.parse("0")).isInstanceOf(InvalidPlanException.class);
        assertThatThrownBy(() -> FirewallMark.parse("0x100/0xff")).hasMessageContaining("outside the mask");
        assertThatThrownBy(() -> FirewallMark.parse("0x1ffffffff")).hasMessageContaining("not a 32-bit number");
        assertThatThrownBy(() -> FirewallMark.parse("-1")).hasMessageContaining("not a 32-bit number");
    }

    @Test
    void planNeedsAStackAddressOfEachSteeredFamily() throws Exception {
        assertThatThrownBy(() -> RoutingPlan.of("tun0", List.of(InetAddress.getByName("198.18.1.2")),
                List.of(Destination.parse("2001:2::/48")), List.of(), List.of(), Optional.empty(), List.of()))
                .isInstanceOf(InvalidPlanException.class)
                .hasMessage("--steer 2001:2::/48: the stack has no IPv6 address to connect from");
        assertThatThrownBy(() -> RoutingPlan.of("tun0", List.of(), List.of(), List.of(7L), List.of(), Optional.empty(), List.of()))
                .hasMessageContaining("no address");
        assertThatThrownBy(() -> RoutingPlan.of("tun0", List.of(InetAddress.getByName("198.18.1.2")), List.of(),
                List.of(7L, 7L), List.of(), Optional.empty(), List.of())).hasMessageContaining("given twice");
        assertThatThrownBy(() -> RoutingPlan.of("bad name", List.of(), List.of(), List.of(), List.of(), Optional.empty(), List.of()))
                .hasMessageContaining("device name");
    }

    @Test
    void ipv6TextIsCompressedLikeIproute2() throws Exception {
        assertThat(Addresses.text(InetAddress.getByName("2001:2:0:1:0:0:0:2"))).isEqualTo("2001:2:0:1::2");
        assertThat(Addresses.text(InetAddress.getByName("2001:0:0:1:0:0:0:2"))).isEqualTo("2001:0:0:1::2");
        assertThat(Addresses.text(InetAddress.getByName("::"))).isEqualTo("::");
        assertThat(Addresses.text(InetAddress.getByName("2001:2::1:0"))).isEqualTo("2001:2::1:0");
        assertThat(Addresses.text(InetAddress.getByName("fe80::1"))).isEqualTo("fe80::1");
    }

    @org.junit.jupiter.api.Test
    void destinationsMatchByPrefixAndPorts() throws Exception {
        Destination all = Destination.parse("198.18.5.0/24");
        Destination web = Destination.parse("198.18.5.0/24:80,8000-8100");
        var inside80 = new java.net.InetSocketAddress(java.net.InetAddress.ofLiteral("198.18.5.9"), 80);
        var inside8050 = new java.net.InetSocketAddress(java.net.InetAddress.ofLiteral("198.18.5.9"), 8050);
        var inside22 = new java.net.InetSocketAddress(java.net.InetAddress.ofLiteral("198.18.5.9"), 22);
        var outside80 = new java.net.InetSocketAddress(java.net.InetAddress.ofLiteral("198.18.6.9"), 80);
        assertThat(all.matches(inside22)).isTrue();
        assertThat(all.matches(outside80)).isFalse();
        assertThat(web.matches(inside80)).isTrue();
        assertThat(web.matches(inside8050)).isTrue();
        assertThat(web.matches(inside22)).isFalse();
        assertThat(web.matches(outside80)).isFalse();
    }
}
