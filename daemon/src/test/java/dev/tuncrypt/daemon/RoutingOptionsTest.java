package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.routing.DryRun;
import dev.tuncrypt.routing.RoutingPlan;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class RoutingOptionsTest {

    @Command(name = "t")
    static final class Holder {
        @Mixin
        RoutingOptions routing = new RoutingOptions();
    }

    private static RoutingOptions parse(String... args) throws UsageException {
        Holder h = new Holder();
        new CommandLine(h).parseArgs(args);
        h.routing.validate();
        return h.routing;
    }

    private static RoutingPlan plan(RoutingOptions o) throws Exception {
        return o.plan("tun0", List.of(InetAddress.getByName("198.18.1.2"), InetAddress.getByName("2001:2:0:1::2")),
                List.of(Cidr.parse("198.18.1.1/24"), Cidr.parse("2001:2:0:1::1/64")));
    }

    @Test
    void everyOptionReachesThePlan() throws Exception {
        RoutingOptions o = parse("--steer", "198.18.5.0/24:80,443", "--steer", "[2001:2:5::7]:443", "--steer-uid", "1000",
                "--steer-mark", "0x10/0xff", "--serve", "7000,8000-8100", "--serve-on", "eth0", "--require", "198.18.5.0/24:443");
        RoutingPlan p = plan(o);
        assertThat(p.steer()).hasSize(2);
        assertThat(p.steerUids()).containsExactly(1000L);
        assertThat(p.steerMarks()).hasSize(1);
        assertThat(p.serve().orElseThrow().ingressDevices()).containsExactly("eth0");
        assertThat(p.serve().orElseThrow().ports()).hasSize(2);
        assertThat(o.required()).hasSize(1);
        assertThat(o.dryRun()).isFalse();
        assertThat(DryRun.render(p)).contains("ip -6 rule add pref 5201 to 2001:2:5::7/128 ipproto tcp dport 443 lookup 5201 protocol 215");
    }

    @Test
    void serveAllAndModes() throws Exception {
        assertThat(plan(parse("--serve", "all", "--serve-on", "eth0")).serve().orElseThrow().allPorts()).isTrue();
        assertThat(parse("--dry-run", "--steer", "198.18.5.0/24").dryRun()).isTrue();
        assertThat(parse("--cleanup").cleanup()).isTrue();
        assertThat(parse("--cleanup").force()).isFalse();
        assertThat(parse("--cleanup", "--force").force()).isTrue();
        RoutingPlan none = plan(parse());
        assertThat(none.routes()).as("no rules or hooks without --steer/--serve").isFalse();
        assertThat(none.changesKernel()).as("leg 2 is still forwarded and masqueraded").isTrue();
    }

    @Test
    void badCommandLinesSayWhatIsWrongInOneLine() {
        assertError("'198.18.5.7/24' has host bits set", "--steer", "198.18.5.7/24");
        assertError("--steer 'example.org' is not an IPv4 or IPv6 address", "--steer", "example.org");
        assertError("--require ports '443,x': 'x' is not a port number", "--require", "198.18.5.0/24:443,x");
        assertError("--steer-uid 'bob': a numeric uid is needed", "--steer-uid", "bob");
        assertError("--steer-uid 7 given twice", "--steer-uid", "7", "--steer-uid", "7");
        assertError("--steer-mark: mark '0x100/0xff': the mark has bits outside the mask", "--steer-mark", "0x100/0xff");
        assertError("--serve needs --serve-on IFACE", "--serve", "443");
        assertError("--serve-on needs --serve", "--serve-on", "eth0");
        assertError("--serve: ports 'https': 'https' is not a port number", "--serve", "https", "--serve-on", "eth0");
        assertError("--serve-on 'this-name-is-too-long'", "--serve", "all", "--serve-on", "this-name-is-too-long");
        assertError("--cleanup takes no other routing option", "--cleanup", "--steer", "198.18.5.0/24");
        assertError("--force only goes with --cleanup", "--force");
    }

    @Test
    void planChecksFamiliesAndTheStackAddress() throws Exception {
        RoutingOptions o = parse("--steer", "2001:2:5::/48");
        assertThatThrownBy(() -> o.plan("tun0", List.of(InetAddress.getByName("198.18.1.2")), List.of(Cidr.parse("198.18.1.1/24"))))
                .isInstanceOf(UsageException.class).hasMessage("--steer 2001:2:5::/48: the stack has no IPv6 address to connect from");
        RoutingOptions v4 = parse("--steer", "198.18.5.0/24");
        assertThatThrownBy(() -> v4.plan("tun0", List.of(InetAddress.getByName("198.18.7.2")), List.of(Cidr.parse("198.18.1.1/24"))))
                .isInstanceOf(UsageException.class).hasMessageContaining("--stack-addr 198.18.7.2 lies outside every --tun-addr prefix");
    }

    private static void assertError(String expected, String... args) {
        assertThatThrownBy(() -> plan(parse(args))).isInstanceOf(UsageException.class)
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
