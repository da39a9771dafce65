package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KERNEL4;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KIB;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.MIB;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.STACK4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture;
import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.Digest;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How connections between the kernel and the stack end: abruptly (a reset each way, as the
 * application on either side sees it) and by half-close (one side's FIN while the other keeps
 * sending, each way).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KernelTcpCloseTest {
    private KernelPeerFixture f;

    @BeforeEach
    void up() throws Exception {
        f = KernelPeerFixture.start("tcclose");
    }

    @AfterEach
    void down() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    // ------------------------------------------------------------------ abrupt close

    @Test
    void kernelLingerZeroCloseResetsTheStacksRead() throws Exception {
        try (TcpListener listener = TcpListener.bind(f.stack(), 5301, 4)) {
            Socket k = f.kernelSocket(new InetSocketAddress(STACK4, 5301), Duration.ofSeconds(3));
            TcpSocket s = listener.accept(Duration.ofSeconds(5));
            Digest sent = KernelPeerFixture.pump(k.getOutputStream(), 100 * KIB, 1);
            assertThat(KernelPeerFixture.drain(s.getInputStream(), 100 * KIB)).isEqualTo(sent);
            long rstsBefore = f.kernelTcpCounters().get("Tcp.OutRsts");

            // The stack's application is blocked in read when the reset comes.
            CompletableFuture<Integer> read = KernelPeerFixture.async(() -> s.read(ByteBuffer.allocate(1024)));
            Thread.sleep(50);
            k.setSoLinger(true, 0);
            k.close();

            assertThatThrownBy(() -> read.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(SocketException.class).hasMessageContaining("reset");
            assertThat(s.error()).isEqualTo(TcpError.RESET);
            assertThatThrownBy(() -> s.read(ByteBuffer.allocate(16))).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
            assertThat(s.stats().state()).isEqualTo(TcpState.CLOSED);
            assertThat(f.kernelTcpCounters().get("Tcp.OutRsts")).as("kernel resets sent").isEqualTo(rstsBefore + 1);
            assertThat(f.stackConnectionCount()).isZero();
        }
    }

    @Test
    void kernelResetFailsAStackWriteBlockedOnAFullWindow() throws Exception {
        try (TcpListener listener = TcpListener.bind(f.stack(), 5302, 4)) {
            Socket k = f.kernelSocket(new InetSocketAddress(STACK4, 5302), Duration.ofSeconds(3));
            TcpSocket s = listener.accept(Duration.ofSeconds(5));
            // The kernel reads nothing: its window closes, the stack's send buffer fills, write blocks.
            CompletableFuture<Digest> write = KernelPeerFixture.async(
                    () -> KernelPeerFixture.pump(s.getOutputStream(), 64L * MIB, 2));
            // Blocked: nothing more acknowledged for half a second while the write is pending.
            long[] acked = {-1, 0};
            f.await("the stack's write to stall on the kernel's full receive buffer", Duration.ofSeconds(10), () -> {
                long a = s.stats().bytesAcked();
                acked[1] = a == acked[0] ? acked[1] + 1 : 0;
                acked[0] = a;
                Thread.sleep(40);
                return acked[1] >= 10 && !write.isDone();
            });
            assertThat(write).isNotDone();
            k.setSoLinger(true, 0);
            k.close();

            assertThatThrownBy(() -> write.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(SocketException.class).hasMessageContaining("reset");
            assertThat(s.error()).isEqualTo(TcpError.RESET);
            assertThat(f.stackConnectionCount()).isZero();
        }
    }

    @Test
    void stackClientAbortResetsTheKernelsRead() throws Exception {
        ServerSocket server = f.kernelServer(KERNEL4, 5303, 4);
        TcpSocket s = TcpSocket.connect(f.stack(), new InetSocketAddress(KERNEL4, 5303), Duration.ofSeconds(5));
        Socket k = server.accept();
        stackAbortResetsKernelRead(s, k);
    }

    @Test
    void stackServerAbortResetsTheKernelsRead() throws Exception {
        try (TcpListener listener = TcpListener.bind(f.stack(), 5304, 4)) {
            Socket k = f.kernelSocket(new InetSocketAddress(STACK4, 5304), Duration.ofSeconds(3));
            TcpSocket s = listener.accept(Duration.ofSeconds(5));
            stackAbortResetsKernelRead(s, k);
        }
    }

    private void stackAbortResetsKernelRead(TcpSocket s, Socket k) throws Exception {
        Digest sent = KernelPeerFixture.pump(s.getOutputStream(), 100 * KIB, 3);
        assertThat(KernelPeerFixture.drain(k.getInputStream(), 100 * KIB)).isEqualTo(sent);
        long resetsBefore = f.kernelTcpCounters().get("Tcp.EstabResets");
        // The kernel's application is blocked in read when the reset comes.
        CountDownLatch reading = new CountDownLatch(1);
        CompletableFuture<Integer> read = KernelPeerFixture.async(() -> {
            InputStream in = k.getInputStream();
            reading.countDown();
            return in.read();
        });
        reading.await();
        Thread.sleep(50);
        s.abort();

        assertThatThrownBy(() -> read.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SocketException.class).hasMessage("Connection reset");
        // abort() only posts the abort to the loop: the RST may reach the kernel before the loop
        // has finished with the connection.
        KernelPeerFixture.awaitState(s, EnumSet.of(TcpState.CLOSED), Duration.ofSeconds(5));
        assertThat(s.error()).isEqualTo(TcpError.ABORTED);
        assertThat(s.read(ByteBuffer.allocate(16))).as("read after abort").isEqualTo(-1);
        assertThatThrownBy(() -> s.write(ByteBuffer.allocate(16))).isInstanceOf(SocketException.class);
        assertThat(f.kernelTcpCounters().get("Tcp.EstabResets")).as("kernel connections reset")
                .isEqualTo(resetsBefore + 1);
        assertThat(f.stack().counters().resetsSent()).as("stack resets sent").isEqualTo(1);
        assertThat(f.stackConnectionCount()).isZero();
    }

    // ------------------------------------------------------------------ half-close

    @Test
    void kernelHalfClosesAndTheStackKeepsSending() throws Exception {
        try (TcpListener listener = TcpListener.bind(f.stack(), 5305, 4)) {
            Socket k = f.kernelSocket(new InetSocketAddress(STACK4, 5305), Duration.ofSeconds(3));
            TcpSocket s = listener.accept(Duration.ofSeconds(5));
            Digest up = KernelPeerFixture.pump(k.getOutputStream(), MIB, 4);
            k.shutdownOutput();
            assertThat(KernelPeerFixture.drain(s.getInputStream())).isEqualTo(up);
            assertThat(s.stats().state()).isEqualTo(TcpState.CLOSE_WAIT);

            // Half-closed: the stack still sends, well past its buffers, and the kernel still reads.
            CompletableFuture<Digest> down = KernelPeerFixture.async(() -> KernelPeerFixture.drain(k.getInputStream()));
            Thread.sleep(100);
            assertThat(s.stats().state()).isEqualTo(TcpState.CLOSE_WAIT);
            Digest sent = KernelPeerFixture.pump(s.getOutputStream(), 8L * MIB, 5);
            s.close();
            assertThat(down.get(10, TimeUnit.SECONDS)).isEqualTo(sent);
            KernelPeerFixture.awaitState(s, EnumSet.of(TcpState.CLOSED), Duration.ofSeconds(5));
            assertThat(s.error()).isNull();
            k.close();
            assertNoResets();
            assertThat(f.kernelSockets("time-wait")).hasSize(1);
        }
    }

    @Test
    void stackHalfClosesAndTheKernelKeepsSending() throws Exception {
        ServerSocket server = f.kernelServer(KERNEL4, 5306, 4);
        TcpSocket s = TcpSocket.connect(f.stack(), new InetSocketAddress(KERNEL4, 5306), Duration.ofSeconds(5));
        Socket k = server.accept();
        Digest up = KernelPeerFixture.pump(s.getOutputStream(), MIB, 6);
        s.shutdownOutput();
        assertThat(KernelPeerFixture.drain(k.getInputStream())).isEqualTo(up);
        KernelPeerFixture.awaitState(s, EnumSet.of(TcpState.FIN_WAIT_2), Duration.ofSeconds(5));

        // Half-closed: the kernel still sends, and the stack still reads.
        CompletableFuture<Digest> down = KernelPeerFixture.async(() -> KernelPeerFixture.drain(s.getInputStream()));
        Thread.sleep(100);
        assertThat(s.stats().state()).isEqualTo(TcpState.FIN_WAIT_2);
        Digest sent = KernelPeerFixture.pump(k.getOutputStream(), 8L * MIB, 7);
        k.close();
        assertThat(down.get(10, TimeUnit.SECONDS)).isEqualTo(sent);
        KernelPeerFixture.awaitState(s, EnumSet.of(TcpState.TIME_WAIT), Duration.ofSeconds(5));
        assertThat(s.error()).isNull();
        assertNoResets();
    }

    private void assertNoResets() throws Exception {
        Map<String, Long> k = f.kernelTcpCounters();
        assertThat(k.get("Tcp.OutRsts")).as("kernel resets sent").isZero();
        assertThat(k.get("Tcp.EstabResets")).as("kernel connections reset").isZero();
        assertThat(f.stack().counters().resetsSent()).as("stack resets sent").isZero();
    }
}
