package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KERNEL4;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KIB;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.MIB;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.STACK4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.tcp.TcpState;
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

/**
 * Flow control against the kernel: one side's receive window closes (its application stops
 * reading) while data keeps flowing the other way, which only works if each side keeps
 * acknowledging with segments the other finds acceptable. This is what an echo server under
 * load does all the time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KernelTcpFlowControlTest {
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
     * The kernel's window to the stack is closed and the stack has sent zero-window probes; now
     * the kernel sends. The stack must acknowledge that data with segments inside the kernel's
     * (closed) window, SEG.SEQ = the kernel's RCV.NXT (RFC 9293 §3.10.7.4), or the kernel drops
     * them and never learns its data arrived.
     */
    @Test
    void stackAcknowledgesKernelDataWhileTheKernelsWindowIsClosed() throws Exception {
        ServerSocket server = f.kernelServer(KERNEL4, 5501, 4);
        server.setReceiveBufferSize(64 * KIB); // a small, fixed window that closes quickly
        TcpSocket s = TcpSocket.connect(f.stack(), new InetSocketAddress(KERNEL4, 5501), Duration.ofSeconds(5));
        Socket k = server.accept();
        Map<String, Long> before = f.kernelTcpCounters();

        // The kernel's application does not read: the stack fills the kernel's window and probes it.
        CompletableFuture<Digest> stackSent = KernelPeerFixture.async(
                () -> KernelPeerFixture.pump(s.getOutputStream(), 4L * MIB, 11));
        f.await("two zero-window probes from the stack to reach the kernel", Duration.ofSeconds(10),
                () -> probesSeen(before) >= 2);

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
            throw new AssertionError("the kernel's 2 MiB did not get through in 10 s while its window was closed:"
                    + " the stack received " + s.stats().bytesReceived() + " bytes; kernel segments dropped as"
                    + " beyond its window: " + (now.getOrDefault("TcpExt.BeyondWindow", 0L)
                            - before.getOrDefault("TcpExt.BeyondWindow", 0L))
                    + "\n" + f.diagnostics(), e);
        }

        // The kernel reads at last: the stack's data completes, then both close.
        Digest kernelGot = KernelPeerFixture.drain(k.getInputStream(), 4L * MIB);
        assertThat(kernelGot).isEqualTo(stackSent.get(10, TimeUnit.SECONDS));
        s.close();
        assertThat(k.getInputStream().read()).isEqualTo(-1);
        k.close();
        KernelPeerFixture.awaitState(s, EnumSet.of(TcpState.TIME_WAIT), Duration.ofSeconds(5));
        assertThat(s.error()).isNull();
        assertThat(f.kernelTcpCounters().getOrDefault("TcpExt.BeyondWindow", 0L)
                - before.getOrDefault("TcpExt.BeyondWindow", 0L))
                .as("stack segments the kernel dropped as beyond its window").isZero();
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

    /** Segments the kernel dropped for its closed window, at RCV.NXT or beyond, since {@code before}. */
    private long probesSeen(Map<String, Long> before) throws Exception {
        Map<String, Long> now = f.kernelTcpCounters();
        long total = 0;
        for (String key : new String[] {"TcpExt.TCPZeroWindowDrop", "TcpExt.BeyondWindow"}) {
            total += now.getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
        }
        return total;
    }
}
