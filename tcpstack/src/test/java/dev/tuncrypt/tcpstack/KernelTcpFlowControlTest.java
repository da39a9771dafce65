package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KERNEL4;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KIB;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.MIB;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.STACK4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.tcp.TcpStats;
import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture;
import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.Digest;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Flow control against the kernel: one side's receive window closes (its application stops
 * reading) while data keeps flowing the other way, which only works if each side keeps
 * acknowledging with segments the other finds acceptable. This is what an echo server under
 * load does all the time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KernelTcpFlowControlTest {
    /** More than the kernel's largest autotuned receive buffer (tcp_rmem max, 6 MiB by default). */
    static final long STACK_SENDS = 16L * MIB;
    private KernelPeerFixture f;

    @BeforeEach
    void up() throws Exception {
        f = KernelPeerFixture.start("tcflow");
    }

    @AfterEach
    void down() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    /**
     * The stack's data to the kernel is stalled (the kernel's application does not read, its
     * receive buffer is full); now the kernel sends. The stack must acknowledge that data with
     * segments the kernel finds acceptable, inside its receive window (RFC 9293 §3.10.7.4), or the
     * kernel drops them and never learns its data arrived. Hence also: the stack must never send
     * beyond the window the kernel offered, nor move SND.NXT past it with window probes.
     *
     * <p>With the kernel's receive buffer autotuned, its window closes to zero and the stack
     * probes it; with a small fixed SO_RCVBUF the kernel runs out of buffer memory first and keeps
     * offering a small window it will not shrink (nor fill).
     */
    @ParameterizedTest(name = "kernel SO_RCVBUF {0} (0: autotuned)")
    @ValueSource(ints = {0, 64 * KIB})
    void stackAcknowledgesKernelDataWhileStalledOnTheKernelsFullWindow(int kernelReceiveBuffer) throws Exception {
        ServerSocket server = f.kernelServer(KERNEL4, 5501, 4);
        if (kernelReceiveBuffer > 0) {
            server.setReceiveBufferSize(kernelReceiveBuffer);
        }
        TcpSocket s = TcpSocket.connect(f.stack(), new InetSocketAddress(KERNEL4, 5501), Duration.ofSeconds(5));
        Socket k = server.accept();
        Map<String, Long> before = f.kernelTcpCounters();

        // The kernel's application does not read: the stack fills the kernel's window and stalls
        // (probing or retransmitting, whatever it does, for more than a second).
        CompletableFuture<Digest> stackSent = KernelPeerFixture.async(
                () -> KernelPeerFixture.pump(s.getOutputStream(), STACK_SENDS, 11));
        long[] acked = {-1, 0};
        f.await("the stack's data to stall on the kernel's full receive buffer", Duration.ofSeconds(10), () -> {
            long a = s.stats().bytesAcked();
            acked[1] = a == acked[0] ? acked[1] + 1 : 0;
            acked[0] = a;
            Thread.sleep(50);
            return acked[1] >= 25 && !stackSent.isDone();
        });

        // Now the kernel sends. Its application blocks in write until the stack acknowledges.
        long size = 2L * MIB;
        CompletableFuture<Digest> kernelSent = KernelPeerFixture.async(
                () -> KernelPeerFixture.pump(k.getOutputStream(), size, 12));
        CompletableFuture<Digest> stackGot = KernelPeerFixture.async(
                () -> KernelPeerFixture.drain(s.getInputStream(), size));
        try {
            assertThat(stackGot.get(10, TimeUnit.SECONDS)).isEqualTo(kernelSent.get(10, TimeUnit.SECONDS));
        } catch (TimeoutException e) {
            Map<String, Long> now = f.kernelTcpCounters();
            TcpStats st = s.stats();
            throw new AssertionError("the kernel's 2 MiB did not get through in 10 s while the stack's data was"
                    + " stalled: the stack received " + st.bytesReceived() + " bytes; it has "
                    + (st.bytesSent() + 1 - st.bytesAcked()) + " bytes unacknowledged against a send window of "
                    + st.sendWindow() + "; stack segments the kernel dropped as beyond its window: "
                    + (now.getOrDefault("TcpExt.BeyondWindow", 0L) - before.getOrDefault("TcpExt.BeyondWindow", 0L))
                    + "\n" + f.diagnostics(), e);
        }

        // The kernel reads at last: the stack's data completes, then both close.
        Digest kernelGot = KernelPeerFixture.drain(k.getInputStream(), STACK_SENDS);
        assertThat(kernelGot).isEqualTo(stackSent.get(10, TimeUnit.SECONDS));
        s.close();
        assertThat(k.getInputStream().read()).isEqualTo(-1);
        k.close();
        KernelPeerFixture.awaitState(s, EnumSet.of(TcpState.TIME_WAIT), Duration.ofSeconds(5));
        assertThat(s.error()).isNull();
        // Open question (docs/status.md): a few data segments still count as beyond the kernel's
        // window while it is nearly closed; whether the kernel shrank its window or the stack's
        // view lags is not settled. What must hold, holds: no deadlock, every byte through, and
        // the count stays small.
        long beyond = f.kernelTcpCounters().getOrDefault("TcpExt.BeyondWindow", 0L)
                - before.getOrDefault("TcpExt.BeyondWindow", 0L);
        System.out.println("segments the kernel counted as beyond its window: " + beyond);
        assertThat(beyond).as("stack segments the kernel dropped as beyond its window").isLessThan(100);
    }

    /**
     * The mirror image: the stack's window to the kernel is closed (its application does not
     * read) and the kernel probes it; the stack's application sends meanwhile and then reads
     * everything.
     */
    @Test
    void kernelDataWaitsForTheStacksClosedWindowThenCompletes() throws Exception {
        try (TcpListener listener = TcpListener.bind(f.stack(), 5502, 4)) {
            Socket k = f.kernelSocket(new InetSocketAddress(STACK4, 5502), Duration.ofSeconds(3));
            TcpSocket s = listener.accept(Duration.ofSeconds(5));
            long size = 8L * MIB; // well past the stack's 1 MiB receive buffer
            CompletableFuture<Digest> kernelSent = KernelPeerFixture.async(
                    () -> KernelPeerFixture.pump(k.getOutputStream(), size, 13));
            f.await("the stack's advertised window to close", Duration.ofSeconds(10), () -> {
                var st = s.stats();
                return st.receiveWindow() >> st.receiveWindowShift() == 0;
            });
            Map<String, Long> closed = f.kernelTcpCounters();
            f.await("the kernel to probe the stack's closed window", Duration.ofSeconds(10),
                    () -> f.kernelTcpCounters().getOrDefault("TcpExt.TCPWinProbe", 0L)
                            > closed.getOrDefault("TcpExt.TCPWinProbe", 0L));

            // While its window is closed the stack still sends, and the kernel still takes it.
            CompletableFuture<Digest> kernelGot = KernelPeerFixture.async(
                    () -> KernelPeerFixture.drain(k.getInputStream(), 2L * MIB));
            Digest stackSent = KernelPeerFixture.pump(s.getOutputStream(), 2L * MIB, 14);
            assertThat(kernelGot.get(10, TimeUnit.SECONDS)).isEqualTo(stackSent);

            // The stack's application reads: the window opens and all of the kernel's data comes.
            Digest got = KernelPeerFixture.drain(s.getInputStream(), size);
            assertThat(got).isEqualTo(kernelSent.get(10, TimeUnit.SECONDS));
            k.shutdownOutput();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            s.close();
            assertThat(k.getInputStream().read()).isEqualTo(-1);
            KernelPeerFixture.awaitState(s, EnumSet.of(TcpState.CLOSED), Duration.ofSeconds(5));
            assertThat(s.error()).isNull();
        }
    }
}
