package dev.tuncrypt.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import dev.tuncrypt.tun.PacketBatch;
import dev.tuncrypt.tun.TunConfig;
import dev.tuncrypt.tun.TunDevice;
import dev.tuncrypt.tun.TunQueue;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applies plans to the real kernel and nftables inside a namespace made for each test: what the
 * plan promises is there and routes real packets into the TUN device, and afterwards (clean close,
 * or a crash followed by {@link Cleanup}) the namespace's rules, routes, nft ruleset and sysctls
 * are exactly as before, other people's state included.
 */
class RoutingSetupNamespaceTest {
    private static final String TUN = "rt0";

    private TestNamespace ns;
    private CommandRunner runner;
    private TunDevice tun;
    @TempDir
    Path stateDir;

    @BeforeEach
    void setUp() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("nft", "nftables");
        ns = TestNamespace.create("rtgs");
        runner = CommandRunner.inNamespace(ns.name());
        sh("ip link add d0 type veth peer name d0p");
        sh("ip link set d0p up");
        sh("ip addr add 198.18.2.2/24 dev d0");
        sh("ip -6 addr add 2001:2:0:2::2/64 dev d0 nodad");
        sh("ip link set d0 up");
        sh("ip route add default via 198.18.2.1");
        sh("ip -6 route add default via 2001:2:0:2::1");
        tun = ns.exec(() -> TunDevice.open(TunConfig.of(TUN)));
        tun.addAddress(InetAddress.getByName("198.18.1.1"), 24);
        tun.addAddress(InetAddress.getByName("2001:2:0:1::1"), 64);
        tun.setUp(true);
        // Someone else's state, which must survive everything: an nft table, a rule at our
        // steering priority, a route in our table number, and a per-device forwarding value
        // that differs from the global switch.
        runner.check(new Command(List.of("nft", "-f", "-"),
                "table inet foreign {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n"
                        + "\t\ttcp dport 9 counter\n\t}\n}\n"));
        sh("ip rule add pref 5201 to 198.18.9.0/24 lookup main");
        sh("ip route add 198.18.9.0/24 dev d0 table 5201");
        sh("sysctl -qw net.ipv4.conf.d0.forwarding=1");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (tun != null) {
            tun.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private void sh(String line) throws Exception {
        runner.check(Command.of(line.split(" ")));
    }

    private String routeGet(String line) throws Exception {
        return runner.check(Command.of(line.split(" ")));
    }

    /** Whether the kernel answers this route lookup with "No route to host" (our unreachable route). */
    private boolean unreachable(String line) throws Exception {
        CommandRunner.Result r = runner.run(Command.of(line.split(" ")));
        return !r.ok() && r.stderr().contains("No route to host");
    }

    private RoutingPlan plan() throws Exception {
        return RoutingPlan.of(TUN,
                List.of(InetAddress.getByName("198.18.1.2"), InetAddress.getByName("2001:2:0:1::2")),
                List.of(Destination.parse("198.18.5.0/24:80,443"), Destination.parse("2001:2:5::/48:443")),
                List.of(1000L), List.of(FirewallMark.parse("0x10/0xff")),
                Optional.of(new ServeSpec(PortRange.parseList("7000"), List.of("d0"))),
                List.of(Destination.parse("198.18.5.0/24:443")));
    }

    @Test
    void appliedPlanSteersRealPacketsIntoTheTunAndCloseRestoresEverything() throws Exception {
        KernelSnapshot before = KernelSnapshot.take(runner);
        try (AppliedRouting applied = RoutingSetup.apply(plan(), runner, stateDir)) {
            assertThat(applied.plan().require()).containsExactly(Destination.parse("198.18.5.0/24:443"));
            // Steered destinations and ports go to the TUN device, others keep the main table.
            assertThat(routeGet("ip route get 198.18.5.7 ipproto tcp dport 80")).contains("dev " + TUN);
            assertThat(routeGet("ip route get 198.18.5.7 ipproto tcp dport 443")).contains("dev " + TUN);
            assertThat(routeGet("ip route get 198.18.5.7 ipproto tcp dport 22")).contains("dev d0");
            assertThat(routeGet("ip route get 198.18.5.7 ipproto udp dport 80")).contains("dev d0");
            assertThat(routeGet("ip -6 route get 2001:2:5::7 ipproto tcp dport 443")).contains("dev " + TUN);
            assertThat(routeGet("ip -6 route get 2001:2:5::7 ipproto tcp dport 80")).contains("dev d0");
            // Sockets of the steered uid, and marked packets, go to the TUN device whatever the destination.
            assertThat(routeGet("ip route get 198.18.8.8 ipproto tcp dport 22 uid 1000")).contains("dev " + TUN);
            assertThat(routeGet("ip route get 198.18.8.8 ipproto tcp dport 22 uid 1001")).contains("dev d0");
            assertThat(routeGet("ip route get 198.18.8.8 ipproto tcp dport 22 mark 0x110")).contains("dev " + TUN);
            assertThat(routeGet("ip route get 198.18.8.8 ipproto tcp dport 22 mark 0x20")).contains("dev d0");
            // The stack's own packets (entering from the TUN device) never loop back into it.
            assertThat(routeGet("ip route get 198.18.5.7 from 198.18.1.2 iif " + TUN + " ipproto tcp dport 80"))
                    .contains("dev d0").doesNotContain("dev " + TUN);
            assertThat(routeGet("ip -6 route get 2001:2:5::7 from 2001:2:0:1::2 iif " + TUN + " ipproto tcp dport 443"))
                    .contains("dev d0");
            // Someone else's rule at our priority still applies.
            assertThat(routeGet("ip route get 198.18.9.9")).contains("dev d0");

            // A real connection attempt from a kernel socket: its SYN comes out of the TUN device.
            SocketChannel client = ns.exec(() -> {
                SocketChannel c = SocketChannel.open();
                c.configureBlocking(false);
                c.connect(new InetSocketAddress("198.18.5.7", 80));
                return c;
            });
            try (client) {
                Segments.Seen syn = awaitSegment(s -> s.dport() == 80 && s.has(Segments.SYN));
                assertThat(syn.dst()).isEqualTo(InetAddress.getByName("198.18.5.7"));
                assertThat(syn.src()).isEqualTo(InetAddress.getByName("198.18.1.1"));
            }
            assertThat(runner.check(Command.of("sysctl", "-n", "net.ipv4.conf." + TUN + ".rp_filter")).strip()).isEqualTo("2");
            assertThat(SysctlJournal.exists(stateDir)).isTrue();
        }
        assertThat(SysctlJournal.exists(stateDir)).isFalse();
        assertThat(KernelSnapshot.take(runner)).isEqualTo(before);
        assertThat(routeGet("ip route get 198.18.9.9")).contains("dev d0");
    }

    @Test
    void afterACrashCleanupRemovesLeftoversByTagAndASecondCleanupIsANoOp() throws Exception {
        KernelSnapshot before = KernelSnapshot.take(runner);
        RoutingSetup.apply(plan(), runner, stateDir); // handle dropped: the daemon "crashed"
        assertThat(KernelSnapshot.take(runner)).isNotEqualTo(before);
        assertThatThrownBy(() -> RoutingSetup.apply(plan(), runner, stateDir)).isInstanceOf(LeftoversException.class);

        Cleanup.Report first = Cleanup.run(runner, stateDir, RoutingTags.DEFAULT);
        assertThat(first.rules()).isEqualTo(15); // per family: the served replies' rule, 2 guards, uid, mark, nop, and the prefix/port rules (2 for IPv4, 1 for IPv6)
        assertThat(first.routes()).as("per family the device route and the fail-closed route").isEqualTo(4);
        assertThat(first.nftTables()).isEqualTo(2);
        assertThat(first.sysctls()).isGreaterThanOrEqualTo(4);
        assertThat(first.stateFile()).isTrue();
        assertThat(KernelSnapshot.take(runner)).isEqualTo(before);

        Cleanup.Report second = Cleanup.run(runner, stateDir, RoutingTags.DEFAULT);
        assertThat(second.nothing()).as(second.toString()).isTrue();
        assertThat(KernelSnapshot.take(runner)).isEqualTo(before);
    }

    @Test
    void cleanupAfterACrashThatTookTheTunDeviceWithIt() throws Exception {
        tun.close();
        KernelSnapshot withoutTun = KernelSnapshot.take(runner);
        tun = ns.exec(() -> TunDevice.open(TunConfig.of(TUN)));
        tun.addAddress(InetAddress.getByName("198.18.1.1"), 24);
        tun.addAddress(InetAddress.getByName("2001:2:0:1::1"), 64);
        tun.setUp(true);
        RoutingSetup.apply(plan(), runner, stateDir); // crash: the handle is lost ...
        tun.close(); // ... and the device goes with the daemon's descriptor
        tun = null;
        // Fail closed: steered traffic meets our unreachable route, not the main table's way out.
        assertThat(unreachable("ip route get 198.18.5.7 ipproto tcp dport 80")).isTrue();
        assertThat(unreachable("ip -6 route get 2001:2:5::7 ipproto tcp dport 443")).isTrue();
        assertThat(routeGet("ip route get 198.18.5.7 ipproto tcp dport 22")).contains("dev d0");
        Cleanup.Report report = Cleanup.run(runner, stateDir, RoutingTags.DEFAULT);
        assertThat(report.rules()).isEqualTo(15);
        assertThat(report.routes()).as("the kernel removed the device routes, our unreachable ones stayed").isEqualTo(2);
        assertThat(report.nftTables()).isEqualTo(2);
        assertThat(KernelSnapshot.take(runner)).isEqualTo(withoutTun);
        assertThat(Cleanup.run(runner, stateDir, RoutingTags.DEFAULT).nothing()).isTrue();
    }

    @Test
    void cleanupRefusesWhileTheOwnerRunsAndForceOverrides() throws Exception {
        KernelSnapshot before = KernelSnapshot.take(runner);
        RoutingSetup.apply(plan(), runner, stateDir); // owned by this (running) process
        KernelSnapshot applied = KernelSnapshot.take(runner);
        assertThat(StateOwner.read(stateDir)).contains(StateOwner.current());
        assertThatThrownBy(() -> Cleanup.run(runner, stateDir, RoutingTags.DEFAULT, false))
                .isInstanceOf(OwnerAliveException.class)
                .hasMessageContaining("pid " + ProcessHandle.current().pid());
        assertThat(KernelSnapshot.take(runner)).as("refused: nothing changed").isEqualTo(applied);
        assertThatThrownBy(() -> RoutingSetup.apply(plan(), runner, stateDir)).isInstanceOf(LeftoversException.class)
                .hasMessageContaining("pid " + ProcessHandle.current().pid());
        assertThat(Cleanup.run(runner, stateDir, RoutingTags.DEFAULT, true).rules()).isEqualTo(15);
        assertThat(KernelSnapshot.take(runner)).isEqualTo(before);
        assertThat(java.nio.file.Files.exists(stateDir.resolve(StateOwner.FILE_NAME))).isFalse();
    }

    @Test
    void cleanupProceedsWhenTheRecordedOwnerIsGoneOrItsPidWasReused() throws Exception {
        KernelSnapshot before = KernelSnapshot.take(runner);
        RoutingSetup.apply(plan(), runner, stateDir);
        // the same pid with another start time: a process that got the killed owner's pid
        StateOwner.write(stateDir, new StateOwner(ProcessHandle.current().pid(), StateOwner.current().startMillis() - 1));
        assertThat(Cleanup.run(runner, stateDir, RoutingTags.DEFAULT, false).rules()).isEqualTo(15);
        assertThat(KernelSnapshot.take(runner)).isEqualTo(before);
    }

    @Test
    void steeringRootsSocketsLeavesForwardedPacketsAlone() throws Exception {
        RoutingPlan root = RoutingPlan.of(TUN, List.of(InetAddress.getByName("198.18.1.2")), List.of(), List.of(0L),
                List.of(), Optional.empty(), List.of());
        try (AppliedRouting applied = RoutingSetup.apply(root, runner, stateDir)) {
            assertThat(applied.plan().steerUids()).containsExactly(0L);
            assertThat(routeGet("ip route get 198.18.8.8 ipproto tcp dport 22")).contains("dev " + TUN);
            // The kernel routes forwarded packets as uid 0 too; they are not this host's sockets.
            assertThat(routeGet("ip route get 198.18.8.8 from 198.18.2.1 iif d0p ipproto tcp dport 22")).contains("dev d0");
        }
    }

    @Test
    void aMissingServedInterfaceFailsTypedBeforeAnythingChanges() throws Exception {
        KernelSnapshot before = KernelSnapshot.take(runner);
        RoutingPlan noSuchDevice = RoutingPlan.of(TUN, List.of(InetAddress.getByName("198.18.1.2")), List.of(),
                List.of(), List.of(), Optional.of(new ServeSpec(List.of(), List.of("nosuchdev0"))), List.of());
        assertThatThrownBy(() -> RoutingSetup.apply(noSuchDevice, runner, stateDir))
                .isInstanceOf(InvalidPlanException.class).hasMessageContaining("nosuchdev0");
        assertThat(KernelSnapshot.take(runner)).isEqualTo(before);
        assertThat(SysctlJournal.exists(stateDir)).isFalse();
    }

    private final PacketBatch batch = new PacketBatch(32, TunQueue.MAX_GSO_PACKET);

    private Segments.Seen awaitSegment(java.util.function.Predicate<Segments.Seen> wanted) throws Exception {
        TunQueue q = tun.queue(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            q.await(TimeUnit.MILLISECONDS.toNanos(50));
            int n = q.receive(batch);
            for (int i = 0; i < n; i++) {
                ByteBuffer p = batch.get(i);
                Segments.Seen s = Segments.parse(p);
                if (s != null && wanted.test(s)) {
                    return s;
                }
            }
        }
        throw new AssertionError("no matching segment from the TUN device within 5 s");
    }
}
