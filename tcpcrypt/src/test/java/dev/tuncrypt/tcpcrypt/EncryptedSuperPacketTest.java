package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.TcpStats;
import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import dev.tuncrypt.tun.TunConfig;
import dev.tuncrypt.tun.TunDevice;
import dev.tuncrypt.tun.TunQueue;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * tcpcrypt-0.5 between two stacks, each on its own TUN device with offloads, the two hosts
 * joined by a veth pair: the sender's frames (one per segment, each exactly one MSS on the wire)
 * leave in super-packets, cross both kernels' forwarding and the veth whole, and reach the
 * receiver's TUN device as super-packets, where TCP takes each as one segment and the frames are
 * opened one after the other from the same bytes.
 *
 * <pre>
 * A: stack 198.18.13.2 ── ta0 ── 198.18.13.1, forwarding, vea 198.18.12.1 ──┐
 * B: stack 198.18.14.2 ── tb0 ── 198.18.14.1, forwarding, veb 198.18.12.2 ──┘
 * </pre>
 */
class EncryptedSuperPacketTest {
    private static final InetAddress STACK_A = InetAddress.ofLiteral("198.18.13.2");
    private static final InetAddress STACK_B = InetAddress.ofLiteral("198.18.14.2");
    private static final int BYTES = 8 << 20;

    private TestNamespace a;
    private TestNamespace b;
    private TunDevice ta;
    private TunDevice tb;
    private NetStack stackA;
    private NetStack stackB;
    private TcpCrypt cryptA;
    private TcpCrypt cryptB;

    @BeforeEach
    void hosts() throws Exception {
        Requirements.rootAndTun();
        a = TestNamespace.create("esa");
        b = TestNamespace.create("esb");
        run(a, "ip", "link", "add", "vea", "type", "veth", "peer", "name", "veb", "netns", b.name());
        run(a, "ip", "addr", "add", "198.18.12.1/30", "dev", "vea");
        run(b, "ip", "addr", "add", "198.18.12.2/30", "dev", "veb");
        run(a, "ip", "link", "set", "vea", "up");
        run(b, "ip", "link", "set", "veb", "up");
        run(a, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        run(b, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        run(a, "ip", "route", "add", "198.18.14.0/24", "via", "198.18.12.2");
        run(b, "ip", "route", "add", "198.18.13.0/24", "via", "198.18.12.1");
        ta = a.exec(() -> TunDevice.open(TunConfig.of("ta0").withTcpOffloads(true)));
        ta.addAddress(InetAddress.ofLiteral("198.18.13.1"), 24);
        ta.setUp(true);
        tb = b.exec(() -> TunDevice.open(TunConfig.of("tb0").withTcpOffloads(true)));
        tb.addAddress(InetAddress.ofLiteral("198.18.14.1"), 24);
        tb.setUp(true);
        TcpCryptConfig always = TcpCryptConfig.DEFAULT.withMode(CryptMode.ALWAYS).withDialects(java.util.List.of(Dialect.TCPCRYPT_05));
        cryptA = TcpCrypt.create(always);
        cryptB = TcpCrypt.create(always);
        stackA = NetStack.builder().link(ta.queue(0)).address(STACK_A).protection(cryptA.protections()).build();
        stackB = NetStack.builder().link(tb.queue(0)).address(STACK_B).protection(cryptB.protections()).build();
        stackA.start();
        stackB.start();
    }

    @AfterEach
    void cleanup() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {stackA, stackB, cryptA, cryptB, ta, tb, b, a}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void framesCrossTwoTunDevicesInSuperPackets() throws Exception {
        byte[] data = new byte[BYTES];
        new SplittableRandom(11).nextBytes(data);
        try (TcpListener listener = TcpListener.bind(stackB, 7000, 4)) {
            CompletableFuture<TcpSocket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept(Duration.ofSeconds(10));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (TcpSocket sender = TcpSocket.connect(stackA, new InetSocketAddress(STACK_B, 7000), Duration.ofSeconds(10));
                    TcpSocket receiver = accepted.get(10, TimeUnit.SECONDS)) {
                CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                    try {
                        sender.write(ByteBuffer.wrap(data));
                        sender.shutdownOutput();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                byte[] received = readAll(receiver.getInputStream(), BYTES);
                writing.get(30, TimeUnit.SECONDS);
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                assertThat(sha.digest(received)).as("byte-exact").isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));

                TcpCryptInfo info = TcpCrypt.info(receiver);
                assertThat(info).as("encrypted").isNotNull();
                assertThat(info.dialect()).isEqualTo("tcpcrypt-0.5");
                TunQueue out = ta.queue(0);
                TunQueue in = tb.queue(0);
                assertThat(out.txSuperPackets()).as("A wrote super-packets").isPositive();
                assertThat(in.rxSuperPackets()).as("B read super-packets").isPositive();
                TcpStats stats = receiver.stats();
                assertThat(stats.bytesReceived() / Math.max(1, stats.segmentsIn()))
                        .as("bytes per segment as B's TCP took them (%d segments)", stats.segmentsIn())
                        .isGreaterThan(2L * stats.mss());
            }
        }
    }

    private static byte[] readAll(InputStream in, int expected) throws Exception {
        byte[] buf = new byte[expected];
        int n = 0;
        int r;
        while (n < expected && (r = in.read(buf, n, expected - n)) > 0) {
            n += r;
        }
        assertThat(n).as("bytes received").isEqualTo(expected);
        return buf;
    }

    private static void run(TestNamespace ns, String... cmd) throws Exception {
        var r = ns.run(cmd);
        assertThat(r.ok()).as(String.join(" ", cmd) + ": " + r.output()).isTrue();
    }
}
