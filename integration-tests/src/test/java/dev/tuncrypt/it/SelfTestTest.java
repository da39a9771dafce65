package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.daemon.selftest.SelfTest;
import dev.tuncrypt.daemon.selftest.SelfTestResult;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import dev.tuncrypt.tun.TunConfig;
import dev.tuncrypt.tun.TunDevice;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The self-test between two hosts joined by a veth pair: host B runs {@code tuncrypt test-server}
 * on its TUN device, host A runs a stack with tcpcrypt on its own TUN device (in this JVM) and
 * {@link SelfTest}: it passes with the ID the server printed. Against a plain kernel server on A
 * that answers garbage it fails as not negotiated, and against a closed port as unreachable.
 *
 * <pre>
 * A: stack 198.18.1.2 ─ ts0 ─ kernel 198.18.1.1 ── vea 198.18.0.1 ═ veb 198.18.0.2 ── kernel 198.18.2.1 ─ tt0 ─ test-server 198.18.2.2
 * </pre>
 */
class SelfTestTest {
    static final Path TUNCRYPT = Daemon.ROOT.resolve("bin/tuncrypt");
    private static final InetAddress SERVER = InetAddress.ofLiteral("198.18.2.2");
    private TestNamespace a;
    private TestNamespace b;
    private Path dir;
    private Process server;
    private TunDevice device;
    private NetStack stack;
    private TcpCrypt crypt;

    @BeforeEach
    void hosts() throws Exception {
        Requirements.rootAndTun();
        a = TestNamespace.create("opsa");
        b = TestNamespace.create("opsb");
        dir = Files.createTempDirectory("self-test");
        run("ip", "link", "add", "vea", "netns", a.name(), "type", "veth", "peer", "name", "veb", "netns", b.name());
        a.run("ip", "addr", "add", "198.18.0.1/30", "dev", "vea");
        b.run("ip", "addr", "add", "198.18.0.2/30", "dev", "veb");
        a.run("ip", "link", "set", "vea", "up");
        b.run("ip", "link", "set", "veb", "up");
        a.run("sysctl", "-qw", "net.ipv4.ip_forward=1");
        b.run("sysctl", "-qw", "net.ipv4.ip_forward=1");
        a.run("ip", "route", "add", "198.18.2.0/24", "via", "198.18.0.2");
        b.run("ip", "route", "add", "198.18.1.0/24", "via", "198.18.0.1");
        // host A: a stack with tcpcrypt on a TUN device in A's namespace, run by this JVM
        device = a.exec(() -> TunDevice.open(TunConfig.of("ts0")));
        device.addAddress(InetAddress.ofLiteral("198.18.1.1"), 24);
        device.setUp(true);
        crypt = TcpCrypt.create(TcpCryptConfig.DEFAULT);
        stack = NetStack.builder().link(device.queue(0)).address(InetAddress.ofLiteral("198.18.1.2"))
                .protection(crypt.protections()).build();
        stack.start();
    }

    @AfterEach
    void cleanup() throws Exception {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        if (stack != null) {
            stack.close();
        }
        if (device != null) {
            device.close();
        }
        if (crypt != null) {
            crypt.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    /** Starts the test server on B and waits until it answers. */
    private void startServer() throws Exception {
        server = new ProcessBuilder("ip", "netns", "exec", b.name(), TUNCRYPT.toString(), "test-server",
                "--tun", "tt0", "--tun-addr", "198.18.2.1/24", "--stack-addr", "198.18.2.2")
                .redirectOutput(dir.resolve("server.out").toFile()).redirectError(dir.resolve("server.err").toFile())
                .start();
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.readString(dir.resolve("server.err")).contains("answering on port 7777")) {
            assertThat(server.isAlive()).as("test-server exited: " + Files.readString(dir.resolve("server.err"))).isTrue();
            assertThat(System.nanoTime() < end).as("test-server ready within 30 s").isTrue();
            Thread.sleep(50);
        }
    }

    @Test
    void passesAgainstTheTestServerWithTheIdItPrinted() throws Exception {
        startServer();
        SelfTestResult r = SelfTest.run(stack, crypt, new InetSocketAddress(SERVER, SelfTest.DEFAULT_PORT),
                Duration.ofSeconds(15));
        assertThat(r).as(r.describe()).isInstanceOf(SelfTestResult.Passed.class);
        String sid = ((SelfTestResult.Passed) r).sessionId().toString();
        assertThat(sid).hasSize(66).startsWith("23"); // rfc8548, X25519: a full exchange, never a resumption
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!Files.readString(dir.resolve("server.out")).contains(sid) && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(Files.readString(dir.resolve("server.out"))).contains("198.18.1.2 ").contains(" " + sid);
        // a second run is a full exchange again (the self-test does not resume)
        SelfTestResult again = SelfTest.run(stack, crypt, new InetSocketAddress(SERVER, SelfTest.DEFAULT_PORT),
                Duration.ofSeconds(15));
        assertThat(again.passed()).as(again.describe()).isTrue();
        assertThat(((SelfTestResult.Passed) again).sessionId().toString()).startsWith("23").isNotEqualTo(sid);
        assertThat(crypt.handshakes()).isEqualTo(2);
        assertThat(crypt.resumptions()).isZero();

        SelfTestResult closed = SelfTest.run(stack, crypt, new InetSocketAddress(SERVER, 7778), Duration.ofSeconds(10));
        assertThat(closed).as(closed.describe()).isInstanceOf(SelfTestResult.Unreachable.class);
    }

    @Test
    void failsAsNotNegotiatedAgainstAPlainKernelServer() throws Exception {
        // A's kernel listens on its side of the TUN device and answers garbage, as any plain service would
        ServerSocket kernel = a.exec(() -> new ServerSocket(SelfTest.DEFAULT_PORT, 4, InetAddress.ofLiteral("198.18.1.1")));
        Thread answer = Thread.ofPlatform().daemon(true).start(() -> {
            try (kernel; Socket s = kernel.accept()) {
                OutputStream o = s.getOutputStream();
                o.write("garbage, not a session\r\n".getBytes(StandardCharsets.US_ASCII));
                o.flush();
            } catch (Exception e) {
                // the test's assertions report what went wrong
            }
        });
        SelfTestResult r = SelfTest.run(stack, crypt, new InetSocketAddress("198.18.1.1", SelfTest.DEFAULT_PORT),
                Duration.ofSeconds(10));
        answer.join(10_000);
        assertThat(r).as(r.describe()).isInstanceOf(SelfTestResult.NotNegotiated.class);
        assertThat(r.describe()).contains("did not answer TCP-ENO").contains("garbage, not a session\\r\\n");
        assertThat(r.passed()).isFalse();
        assertThat(crypt.fallbacks()).isEqualTo(1);
    }
}
