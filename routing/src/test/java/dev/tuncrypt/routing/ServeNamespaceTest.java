package dev.tuncrypt.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import dev.tuncrypt.tun.PacketBatch;
import dev.tuncrypt.tun.TunConfig;
import dev.tuncrypt.tun.TunDevice;
import dev.tuncrypt.tun.TunQueue;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two namespaces on a veth pair: a "host" running a plan with {@code --serve 7000} and a TUN
 * device the test reads and writes in the stack's place, and a "peer" that sends SYNs (scapy for
 * the ENO option, a kernel socket for plain TCP). Shows which 4-tuple the stack sees for a served
 * connection, that the rest of the flow follows its SYN, that the stack's answers and its own
 * connections (leg 2) get through, and that plain SYNs reach the host's kernel listener untouched.
 */
class ServeNamespaceTest {
    private static final String TUN = "rs0";
    private static final InetAddress PEER = address("198.18.2.1");
    private static final InetAddress HOST = address("198.18.2.2");
    private static final InetAddress STACK = address("198.18.1.2");

    private TestNamespace host;
    private TestNamespace peer;
    private CommandRunner hostRunner;
    private TunDevice tun;
    private ServerSocketChannel kernelListener;
    private AppliedRouting applied;
    private KernelSnapshot before;
    private final PacketBatch batch = new PacketBatch(32, TunQueue.MAX_GSO_PACKET);
    @TempDir
    Path stateDir;

    private static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("nft", "nftables");
        Requirements.scapy();
        host = TestNamespace.create("rtsh");
        peer = TestNamespace.create("rtsp");
        hostRunner = CommandRunner.inNamespace(host.name());
        CommandRunner.local().check(Command.of("ip", "link", "add", "vh", "netns", host.name(), "type", "veth",
                "peer", "name", "vp", "netns", peer.name()));
        host.run("ip", "addr", "add", "198.18.2.2/24", "dev", "vh");
        host.run("ip", "-6", "addr", "add", "2001:2:0:2::2/64", "dev", "vh", "nodad");
        host.run("ip", "link", "set", "vh", "up");
        peer.run("ip", "addr", "add", "198.18.2.1/24", "dev", "vp");
        peer.run("ip", "-6", "addr", "add", "2001:2:0:2::1/64", "dev", "vp", "nodad");
        peer.run("ip", "link", "set", "vp", "up");
        tun = host.exec(() -> TunDevice.open(TunConfig.of(TUN)));
        tun.addAddress(address("198.18.1.1"), 24);
        tun.addAddress(address("2001:2:0:1::1"), 64);
        tun.setUp(true);
        kernelListener = host.exec(() -> {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress(7000));
            s.configureBlocking(false);
            return s;
        });
        awaitLinksSettled();
        before = KernelSnapshot.take(hostRunner);
        RoutingPlan plan = RoutingPlan.of(TUN, List.of(STACK, address("2001:2:0:1::2")),
                List.of(Destination.parse("198.18.2.0/24:80"), Destination.parse("2001:2:0:2::/64:80")), List.of(), List.of(),
                Optional.of(new ServeSpec(PortRange.parseList("7000"), List.of("vh"))), List.of());
        applied = RoutingSetup.apply(plan, hostRunner, stateDir);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (applied != null) {
                applied.close();
                assertThat(KernelSnapshot.take(hostRunner)).isEqualTo(before);
            }
        } finally {
            if (kernelListener != null) {
                kernelListener.close();
            }
            if (tun != null) {
                tun.close();
            }
            if (host != null) {
                host.close();
            }
            if (peer != null) {
                peer.close();
            }
        }
    }

    /**
     * Waits until the links the kernel brings up in the background are up (no route flagged
     * {@code linkdown}) and have their link-local addresses: the snapshot compared after the test
     * must not race them (a loaded machine took seconds).
     */
    private void awaitLinksSettled() throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            String routes = host.run("ip", "route", "show", "table", "all").output();
            String local6 = host.run("ip", "-6", "route", "show", "table", "local").output();
            if (!routes.contains("linkdown") && local6.matches("(?s).*fe80::\\S+ dev vh .*")
                    && local6.matches("(?s).*fe80::\\S+ dev " + TUN + " .*")) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("links not up after 20 s:\n" + routes + local6);
            }
            Thread.sleep(50);
        }
    }

    /** Runs scapy in the peer namespace; returns its process (output: one line per reply). */
    private Process scapy(String code) throws IOException {
        return new ProcessBuilder("ip", "netns", "exec", peer.name(), Requirements.PYTHON3, "-c",
                "from scapy.all import *\nconf.verb=0\n" + code).redirectErrorStream(true).start();
    }

    private static String finish(Process p) throws Exception {
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void enoSynGoesToTheStackWithItsOriginalFourTupleAndTheFlowFollows() throws Exception {
        Process sender = scapy("r = sr1(IP(src='198.18.2.1', dst='198.18.2.2')/TCP(sport=40000, dport=7000, flags='S',"
                + " seq=1000, options=[(69, b'\\x20')]), timeout=8)\n"
                + "print('REPLY', r[TCP].flags, r[TCP].sport, r[TCP].ack if r else None) if r else print('NOREPLY')");
        Segments.Seen syn = await(s -> s.sport() == 40000 && s.has(Segments.SYN));
        // The stack sees the connection exactly as the peer addressed it.
        assertThat(syn.src()).isEqualTo(PEER);
        assertThat(syn.dst()).isEqualTo(HOST);
        assertThat(syn.dport()).isEqualTo(7000);
        assertThat(syn.hasOption(69)).isTrue();
        // The stack answers from the host's address; the kernel forwards that to the peer.
        tun.queue(0).send(Segments.tcp4(HOST, 7000, PEER, 40000, Segments.SYN | Segments.ACK, 5000, syn.seq() + 1, new byte[0]));
        assertThat(finish(sender)).contains("REPLY SA 7000 1001");
        // The peer's next segment (its kernel resets the SYN-ACK scapy did not expect) follows the flow.
        Segments.Seen rst = await(s -> s.sport() == 40000 && s.has(Segments.RST));
        assertThat(rst.dst()).isEqualTo(HOST);
        assertThat(kernelListener.accept()).isNull();
        ServedTraffic served = applied.servedTraffic();
        assertThat(served.ipv4Packets()).isEqualTo(2); // the SYN and the RST
        assertThat(served.ipv4Bytes()).isEqualTo(44 + 40);
        assertThat(served.ipv6Packets()).isZero();
    }

    @Test
    void ipv6EnoSynIsServedAndTheStacksAnswerGetsOut() throws Exception {
        InetAddress peer6 = address("2001:2:0:2::1");
        InetAddress host6 = address("2001:2:0:2::2");
        Process sender = scapy("r = sr1(IPv6(src='2001:2:0:2::1', dst='2001:2:0:2::2')/TCP(sport=40010, dport=7000,"
                + " flags='S', seq=1000, options=[(69, b'\\x20')]), timeout=8)\n"
                + "print('REPLY', r[TCP].flags, r[TCP].sport, r[TCP].ack) if r else print('NOREPLY')");
        Segments.Seen syn = await(s -> s.sport() == 40010 && s.has(Segments.SYN));
        assertThat(syn.src()).isEqualTo(peer6);
        assertThat(syn.dst()).isEqualTo(host6);
        assertThat(syn.hasOption(69)).isTrue();
        tun.queue(0).send(Segments.tcp6(host6, 7000, peer6, 40010, Segments.SYN | Segments.ACK, 5000, syn.seq() + 1));
        assertThat(finish(sender)).contains("REPLY SA 7000 1001");
        assertThat(kernelListener.accept()).isNull();
        assertThat(applied.servedTraffic().ipv6Packets()).isGreaterThanOrEqualTo(1);
        assertThat(applied.servedTraffic().ipv4Packets()).isZero();
    }

    @Test
    void experimentalOptionWithEnoExidIsServedToo() throws Exception {
        finish(scapy("send(IP(src='198.18.2.1', dst='198.18.2.2')/TCP(sport=40001, dport=7000, flags='S', seq=1,"
                + " options=[(253, b'\\x45\\x4e\\x20')]))"));
        Segments.Seen syn = await(s -> s.sport() == 40001 && s.has(Segments.SYN));
        assertThat(syn.hasOption(253)).isTrue();
        assertThat(syn.dst()).isEqualTo(HOST);
    }

    @Test
    void plainSynsAndUnservedPortsReachTheKernel() throws Exception {
        // Another experimental option (ExID not ENO), and ENO to a port not served: both the kernel's.
        finish(scapy("send(IP(src='198.18.2.1', dst='198.18.2.2')/TCP(sport=40002, dport=7000, flags='S', seq=1,"
                + " options=[(253, b'\\x12\\x34\\x20')]))\n"
                + "send(IP(src='198.18.2.1', dst='198.18.2.2')/TCP(sport=40003, dport=7001, flags='S', seq=1,"
                + " options=[(69, b'\\x20')]))"));
        try (Socket client = peer.exec(() -> {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(HOST, 7000), 5000);
            return s;
        })) {
            SocketChannel accepted = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (accepted == null && System.nanoTime() < deadline) {
                accepted = kernelListener.accept();
                Thread.sleep(10);
            }
            assertThat(accepted).as("the kernel listener accepted the plain connection").isNotNull();
            accepted.close();
            int clientPort = client.getLocalPort();
            List<Segments.Seen> seen = drain(1000);
            assertThat(seen).noneMatch(s -> s.sport() == clientPort || s.sport() == 40002 || s.sport() == 40003);
            assertThat(applied.servedTraffic()).isEqualTo(ServedTraffic.NONE);
        }
    }

    @Test
    void theStacksOwnConnectionsGetThrough() throws Exception {
        // Leg 2 of a served connection: the stack's address to the host's own address and port.
        tun.queue(0).send(Segments.tcp4(STACK, 50000, HOST, 7000, Segments.SYN, 77, 0, new byte[0]));
        Segments.Seen synAck = await(s -> s.dport() == 50000 && s.has(Segments.SYN) && s.has(Segments.ACK));
        assertThat(synAck.src()).isEqualTo(HOST);
        assertThat(synAck.ack()).isEqualTo(78);
        // Leg 2 of a steered connection: to the steered prefix, forwarded (not looped) and masqueraded;
        // the peer has no route to the stack's address, so its answer proves the masquerade.
        try (ServerSocketChannel remote = peer.exec(() -> ServerSocketChannel.open().bind(new InetSocketAddress(PEER, 80)))) {
            assertThat(remote.isOpen()).isTrue();
            tun.queue(0).send(Segments.tcp4(STACK, 50001, PEER, 80, Segments.SYN, 99, 0, new byte[0]));
            Segments.Seen reply = await(s -> s.dport() == 50001 && s.has(Segments.SYN) && s.has(Segments.ACK));
            assertThat(reply.src()).isEqualTo(PEER);
            assertThat(reply.dst()).isEqualTo(STACK);
            assertThat(reply.ack()).isEqualTo(100);
        }
        InetAddress peer6 = address("2001:2:0:2::1");
        InetAddress stack6 = address("2001:2:0:1::2");
        try (ServerSocketChannel remote = peer.exec(() -> ServerSocketChannel.open().bind(new InetSocketAddress(peer6, 80)))) {
            assertThat(remote.isOpen()).isTrue();
            tun.queue(0).send(Segments.tcp6(stack6, 50002, peer6, 80, Segments.SYN, 99, 0));
            Segments.Seen reply = await(s -> s.dport() == 50002 && s.has(Segments.SYN) && s.has(Segments.ACK));
            assertThat(reply.src()).isEqualTo(peer6);
            assertThat(reply.dst()).isEqualTo(stack6);
        }
    }

    @Test
    void legTwoFromTheClientsAddressTakesTheInputPathAndTheServicesRepliesComeBack() throws Exception {
        // Leg 2 of a served connection: from the client's own address to the host's service.
        tun.queue(0).send(Segments.tcp4(PEER, 50010, HOST, 7000, Segments.SYN, 77, 0, new byte[0]));
        Segments.Seen synAck = await(s -> s.dport() == 50010 && s.has(Segments.SYN) && s.has(Segments.ACK));
        // The listener answered the client, and the answer came back into the device (not to the peer).
        assertThat(synAck.src()).isEqualTo(HOST);
        assertThat(synAck.dst()).isEqualTo(PEER);
        assertThat(synAck.ack()).isEqualTo(78);
        InetAddress peer6 = address("2001:2:0:2::1");
        InetAddress host6 = address("2001:2:0:2::2");
        tun.queue(0).send(Segments.tcp6(peer6, 50011, host6, 7000, Segments.SYN, 99, 0));
        Segments.Seen synAck6 = await(s -> s.dport() == 50011 && s.has(Segments.SYN) && s.has(Segments.ACK));
        assertThat(synAck6.src()).isEqualTo(host6);
        assertThat(synAck6.dst()).isEqualTo(peer6);
        // The host's own input rules see the client: a rule that drops it drops leg 2.
        host.run("nft", "add", "table", "inet", "fw");
        host.run("nft", "add", "chain", "inet", "fw", "input", "{ type filter hook input priority 0; policy accept; }");
        host.run("nft", "add", "rule", "inet", "fw", "input", "ip", "saddr", "198.18.2.1", "tcp", "dport", "7000", "drop");
        try {
            tun.queue(0).send(Segments.tcp4(PEER, 50012, HOST, 7000, Segments.SYN, 55, 0, new byte[0]));
            assertThat(drain(1500)).noneMatch(s -> s.dport() == 50012);
        } finally {
            host.run("nft", "delete", "table", "inet", "fw");
        }
    }

    private Segments.Seen await(Predicate<Segments.Seen> wanted) throws Exception {
        TunQueue q = tun.queue(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
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
        throw new AssertionError("no matching segment from the TUN device within 8 s");
    }

    private List<Segments.Seen> drain(long millis) throws Exception {
        List<Segments.Seen> out = new ArrayList<>();
        TunQueue q = tun.queue(0);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            q.await(TimeUnit.MILLISECONDS.toNanos(50));
            int n = q.receive(batch);
            for (int i = 0; i < n; i++) {
                Segments.Seen s = Segments.parse(batch.get(i));
                if (s != null) {
                    out.add(s);
                }
            }
        }
        return out;
    }
}
