package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.nio.charset.StandardCharsets;

/**
 * Two hosts for a test: network namespaces A and B joined by a veth pair ({@code vea} in A,
 * {@code veb} in B) with the given addresses, links up. Always deleted on close.
 */
final class VethHosts implements AutoCloseable {
    private final TestNamespace a;
    private final TestNamespace b;

    private VethHosts(TestNamespace a, TestNamespace b) {
        this.a = a;
        this.b = b;
    }

    /** Namespaces named after {@code prefixA}/{@code prefixB}, A at {@code cidrA} and B at {@code cidrB}. */
    static VethHosts create(String prefixA, String prefixB, String cidrA, String cidrB) throws Exception {
        TestNamespace a = TestNamespace.create(prefixA);
        TestNamespace b = null;
        try {
            b = TestNamespace.create(prefixB);
            run("ip", "link", "add", "vea", "netns", a.name(), "type", "veth", "peer", "name", "veb", "netns", b.name());
            a.run("ip", "addr", "add", cidrA, "dev", "vea");
            b.run("ip", "addr", "add", cidrB, "dev", "veb");
            a.run("ip", "link", "set", "vea", "up");
            b.run("ip", "link", "set", "veb", "up");
            return new VethHosts(a, b);
        } catch (Exception e) {
            a.close();
            if (b != null) {
                b.close();
            }
            throw e;
        }
    }

    /**
     * The stacks' prefixes routed across the pair (A's 198.18.1.0/24 behind 198.18.0.1, B's
     * 198.18.2.0/24 behind 198.18.0.2), forwarding on in both: for stacks on TUN devices in each.
     */
    VethHosts routingStackPrefixes() throws Exception {
        a.run("sysctl", "-qw", "net.ipv4.ip_forward=1");
        b.run("sysctl", "-qw", "net.ipv4.ip_forward=1");
        a.run("ip", "route", "add", "198.18.2.0/24", "via", "198.18.0.2");
        b.run("ip", "route", "add", "198.18.1.0/24", "via", "198.18.0.1");
        return this;
    }

    TestNamespace a() {
        return a;
    }

    TestNamespace b() {
        return b;
    }

    /** Runs {@code cmd} here and requires exit status 0. */
    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    @Override
    public void close() throws Exception {
        try {
            a.close();
        } finally {
            b.close();
        }
    }
}
