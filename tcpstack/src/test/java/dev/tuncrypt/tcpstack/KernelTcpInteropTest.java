package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KERNEL4;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KERNEL6;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.MIB;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.STACK4;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.STACK6;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.tcp.TcpStats;
import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture;
import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.Digest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bulk transfer between the Linux kernel's TCP and the stack's, through a real TUN device in a
 * namespace ({@link KernelPeerFixture}): each direction, IPv4 and IPv6, byte-exact by SHA-256,
 * ending in an orderly close on both sides with no reset anywhere.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KernelTcpInteropTest {
    private KernelPeerFixture f;

    @BeforeEach
    void up() throws Exception {
        f = KernelPeerFixture.start("tctcp");
    }

    @AfterEach
    void down() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void kernelClientToStackServer256MiB() throws Exception {
        kernelToStack(STACK4, 256L * MIB, 5001);
    }

    @Test
    void stackClientToKernelServer256MiB() throws Exception {
        stackToKernel(KERNEL4, 256L * MIB, 5002);
    }

    @Test
    void kernelClientToStackServerIpv6() throws Exception {
        kernelToStack(STACK6, 32L * MIB, 5003);
    }

    @Test
    void stackClientToKernelServerIpv6() throws Exception {
        stackToKernel(KERNEL6, 32L * MIB, 5004);
    }

    /** The kernel connects and sends {@code size} bytes, then half-closes; the stack drains and closes. */
    private void kernelToStack(InetAddress stackAddress, long size, int port) throws Exception {
        try (TcpListener listener = TcpListener.bind(f.stack(), port, 16)) {
            long start = System.nanoTime();
            CompletableFuture<Digest> sent = KernelPeerFixture.async(() -> {
                try (Socket s = f.kernelSocket(new InetSocketAddress(stackAddress, port), Duration.ofSeconds(3))) {
                    Digest d = KernelPeerFixture.pump(s.getOutputStream(), size, port);
                    s.shutdownOutput();
                    assertThat(s.getInputStream().read()).as("kernel reads the stack's FIN").isEqualTo(-1);
                    return d;
                }
            });
            TcpSocket s = listener.accept(Duration.ofSeconds(5));
            Digest got = KernelPeerFixture.drain(s.getInputStream());
            assertThat(s.stats().state()).isEqualTo(TcpState.CLOSE_WAIT);
            s.close();
            Digest want = sent.get(60, TimeUnit.SECONDS);
            long nanos = System.nanoTime() - start;
            assertThat(got).isEqualTo(want);
            assertThat(got.bytes()).isEqualTo(size);
            TcpStats st = KernelPeerFixture.awaitState(s, EnumSet.of(TcpState.CLOSED), Duration.ofSeconds(5));
            assertThat(s.error()).isNull();
            report("kernel -> stack " + stackAddress.getHostAddress(), size, nanos, st);
            assertNoResets();
        }
    }

    /** The stack connects and sends {@code size} bytes, then closes; the kernel drains and closes. */
    private void stackToKernel(InetAddress kernelAddress, long size, int port) throws Exception {
        ServerSocket server = f.kernelServer(kernelAddress, port, 16);
        long start = System.nanoTime();
        CompletableFuture<Digest> received = KernelPeerFixture.async(() -> {
            try (Socket s = server.accept()) {
                return KernelPeerFixture.drain(s.getInputStream());
            }
        });
        TcpSocket s = TcpSocket.connect(f.stack(), new InetSocketAddress(kernelAddress, port), Duration.ofSeconds(5));
        Digest sent = KernelPeerFixture.pump(s.getOutputStream(), size, port);
        s.close();
        Digest got = received.get(60, TimeUnit.SECONDS);
        long nanos = System.nanoTime() - start;
        assertThat(got).isEqualTo(sent);
        assertThat(got.bytes()).isEqualTo(size);
        TcpStats st = KernelPeerFixture.awaitState(s, EnumSet.of(TcpState.TIME_WAIT), Duration.ofSeconds(5));
        assertThat(s.error()).isNull();
        assertThat(st.bytesAcked()).as("every byte plus SYN and FIN acknowledged").isEqualTo(size + 2);
        report("stack -> kernel " + kernelAddress.getHostAddress(), size, nanos, st);
        assertNoResets();
    }

    private void assertNoResets() throws Exception {
        Map<String, Long> k = f.kernelTcpCounters();
        assertThat(k.get("Tcp.OutRsts")).as("kernel resets sent").isZero();
        assertThat(k.get("Tcp.EstabResets")).as("kernel connections reset").isZero();
        assertThat(f.stack().counters().resetsSent()).as("stack resets sent").isZero();
    }

    private static void report(String what, long size, long nanos, TcpStats st) {
        System.out.printf("%s: %d MiB in %d ms (%.2f Gbit/s); %s%n", what, size / MIB, nanos / 1_000_000,
                size * 8.0 / nanos, st);
    }
}
