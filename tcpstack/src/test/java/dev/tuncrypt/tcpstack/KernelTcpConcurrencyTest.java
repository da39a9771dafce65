package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KERNEL4;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KIB;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.STACK4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture;
import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many simultaneous connections between the kernel and the stack: 200 at once each way, every
 * one an echo of a few hundred KiB checked byte for byte, every one closed by FIN on both sides
 * with no reset anywhere, and (next to) nothing dropped by the kernel at the TUN device's queue
 * toward the stack at its default length (500 packets).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KernelTcpConcurrencyTest {
    static final int CONNECTIONS = 200;
    private KernelPeerFixture f;
    private ExecutorService threads;

    @BeforeEach
    void up() throws Exception {
        f = KernelPeerFixture.start("tcconc");
        threads = Executors.newVirtualThreadPerTaskExecutor();
    }

    KernelPeerFixture fixture() {
        return f;
    }

    @AfterEach
    void down() throws Exception {
        if (threads != null) {
            threads.shutdownNow();
        }
        if (f != null) {
            f.close();
        }
    }

    /** 128-512 KiB, different for each connection. */
    static long sizeOf(int i) {
        return 128 * KIB + (i * 7919L * KIB) % (384 * KIB);
    }

    @Test
    void twoHundredKernelClientsToAStackListener() throws Exception {
        int port = 5100;
        try (TcpListener listener = TcpListener.bind(f.stack(), port, CONNECTIONS)) {
            ConcurrentLinkedQueue<TcpSocket> accepted = new ConcurrentLinkedQueue<>();
            List<Future<?>> servers = new ArrayList<>();
            Future<?> acceptor = threads.submit(() -> {
                for (int i = 0; i < CONNECTIONS; i++) {
                    TcpSocket s = listener.accept(Duration.ofSeconds(20));
                    accepted.add(s);
                    synchronized (servers) {
                        servers.add(threads.submit(() -> echo(s.getInputStream(), s.getOutputStream(), s::close)));
                    }
                }
                return null;
            });
            List<SocketChannel> channels = f.kernelChannels(CONNECTIONS, StandardProtocolFamily.INET);
            List<Future<Digest[]>> clients = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                SocketChannel ch = channels.get(i);
                long size = sizeOf(i);
                long seed = i;
                clients.add(threads.submit(() -> {
                    Socket s = ch.socket();
                    s.connect(new InetSocketAddress(STACK4, port), 10_000);
                    Digest[] d = exchange(s.getInputStream(), s.getOutputStream(), s::shutdownOutput, size, seed);
                    s.close();
                    return d;
                }));
            }
            checkEchoes(clients);
            acceptor.get(10, TimeUnit.SECONDS);
            synchronized (servers) {
                for (Future<?> s : servers) {
                    s.get(10, TimeUnit.SECONDS);
                }
            }
            assertThat(accepted).hasSize(CONNECTIONS);
            // The stack closed second: LAST-ACK, then CLOSED once the kernel acknowledged its FIN.
            for (TcpSocket s : accepted) {
                KernelPeerFixture.awaitState(s, EnumSet.of(TcpState.CLOSED), Duration.ofSeconds(10));
                assertThat(s.error()).as("error of %s", s.remoteAddress()).isNull();
            }
            assertThat(f.stackConnectionCount()).as("stack connections left").isZero();
            // The kernel's last ACK may still be on its way when the stack has closed. A kernel
            // retransmission (its FIN resent before our ACK of it arrived) reaching the already
            // CLOSED stack draws a reset (RFC 9293 §3.10.7.1), which ends that client's TIME-WAIT
            // early, as Linux allows (RFC 1337). So: every client in TIME-WAIT but those the stack
            // reset, and few.
            f.await("all kernel clients in TIME-WAIT (or reset by a late segment)", Duration.ofSeconds(10),
                    () -> f.kernelSockets("time-wait").size() + f.stack().counters().resetsSent() >= CONNECTIONS);
            long resets = f.stack().counters().resetsSent();
            assertThat(resets).as("late segments reset by the closed stack").isLessThanOrEqualTo(CONNECTIONS / 20);
            assertThat(f.kernelSockets("time-wait")).as("kernel clients in TIME-WAIT").hasSizeGreaterThanOrEqualTo(
                    (int) (CONNECTIONS - resets));
            assertClean(resets);
            // At most 1 in 20 of what the stack read (before the read-ahead and the window budget a
            // quarter to a third was dropped); 0 on a quiet machine, but while the machine is busy
            // (load 13-16 on 2 cores) the loop thread goes off the CPU during the 200 kernel connects
            // and their first segments (3 packets each), and 0.5-2.5 % were dropped in half the runs
            // (docs/benchmarks.md §22).
            assertTunDropsAtMost(0.05);
        }
    }

    @Test
    void twoHundredStackClientsToAKernelListener() throws Exception {
        int port = 5200;
        ServerSocket server = f.kernelServer(KERNEL4, port, 512);
        List<Future<?>> servers = new ArrayList<>();
        Future<?> acceptor = threads.submit(() -> {
            for (int i = 0; i < CONNECTIONS; i++) {
                Socket s = server.accept();
                synchronized (servers) {
                    servers.add(threads.submit(() -> echo(s.getInputStream(), s.getOutputStream(), s::close)));
                }
            }
            return null;
        });
        List<TcpSocket> sockets = new ArrayList<>();
        List<Future<Digest[]>> clients = new ArrayList<>();
        List<CompletableFuture<TcpSocket>> connected = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            long size = sizeOf(i);
            long seed = 1000 + i;
            CompletableFuture<TcpSocket> c = new CompletableFuture<>();
            connected.add(c);
            clients.add(threads.submit(() -> {
                TcpSocket s = TcpSocket.connect(f.stack(), new InetSocketAddress(KERNEL4, port),
                        Duration.ofSeconds(10));
                c.complete(s);
                Digest[] d = exchange(s.getInputStream(), s.getOutputStream(), s::shutdownOutput, size, seed);
                s.close();
                return d;
            }));
        }
        checkEchoes(clients);
        for (CompletableFuture<TcpSocket> c : connected) {
            sockets.add(c.get());
        }
        acceptor.get(10, TimeUnit.SECONDS);
        synchronized (servers) {
            for (Future<?> s : servers) {
                s.get(10, TimeUnit.SECONDS);
            }
        }
        // The stack closed first: FIN-WAIT-2, then TIME-WAIT on the kernel's FIN.
        for (TcpSocket s : sockets) {
            KernelPeerFixture.awaitState(s, EnumSet.of(TcpState.TIME_WAIT), Duration.ofSeconds(10));
            assertThat(s.error()).as("error of %s", s.localAddress()).isNull();
        }
        assertThat(sockets.stream().map(TcpSocket::localAddress).distinct()).hasSize(CONNECTIONS);
        f.await("the kernel's server sockets to close", Duration.ofSeconds(10),
                () -> f.kernelSockets("connected", "sport = :" + port).isEmpty());
        // Under this load the stack ACKs some kernel FINs late; Linux's tail-loss probe resends
        // the FIN, the kernel closes on our first ACK, and our ACK of the duplicate FIN (required
        // in TIME-WAIT) draws a reset that ends that TIME-WAIT early, as RFC 9293 allows (see
        // docs/status.md). Every connection reached TIME-WAIT above; resets are not counted here.
        assertThat(f.stackConnectionCount()).as("stack connections left (TIME-WAIT)")
                .isBetween(CONNECTIONS * 3 / 4, CONNECTIONS);
        Map<String, Long> k = f.kernelTcpCounters();
        assertThat(k.get("Tcp.EstabResets")).as("kernel connections reset").isZero();
        assertThat(k.get("Tcp.AttemptFails")).as("kernel connection attempts failed").isZero();
        assertThat(f.stack().counters().resetsSent()).as("stack resets sent").isZero();
        assertTunDropsAtMost(0);
    }

    interface Shutdown {
        void run() throws IOException;
    }

    /** Copies {@code in} to {@code out} until end of stream, then closes. */
    private static Void echo(InputStream in, OutputStream out, Shutdown close) throws IOException {
        byte[] buf = new byte[32 * KIB];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
        }
        close.run();
        return null;
    }

    /** Sends {@code size} bytes then half-closes, while reading the echo to its end: {sent, received}. */
    private Digest[] exchange(InputStream in, OutputStream out, Shutdown shutdownOutput, long size, long seed)
            throws Exception {
        Future<Digest> sent = threads.submit(() -> {
            Digest d = KernelPeerFixture.pump(out, size, seed);
            shutdownOutput.run();
            return d;
        });
        Digest received = KernelPeerFixture.drain(in);
        return new Digest[] {sent.get(30, TimeUnit.SECONDS), received};
    }

    private void checkEchoes(List<Future<Digest[]>> clients) throws Exception {
        long total = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < clients.size(); i++) {
            Digest[] d;
            try {
                d = clients.get(i).get(Math.max(end - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                long unfinished = clients.stream().filter(c -> !c.isDone()).count();
                throw new AssertionError(unfinished + " of " + clients.size() + " echoes unfinished after 30 s;"
                        + "\n" + f.diagnostics(), e);
            }
            assertThat(d[0].bytes()).as("bytes sent on connection %d", i).isEqualTo(sizeOf(i));
            assertThat(d[1]).as("echo on connection %d", i).isEqualTo(d[0]);
            total += d[0].bytes();
        }
        System.out.printf("%d connections, %d KiB each way%n", clients.size(), total / KIB);
    }

    /**
     * The kernel dropped at most {@code fraction} of what the stack read (0: nothing) at the TUN
     * device's queue toward the stack, at the kernel's default length: the stack reads between its
     * writes and its windows together stay within the queue (issue 14; docs/benchmarks.md §22).
     */
    private void assertTunDropsAtMost(double fraction) throws Exception {
        assertThat(f.deviceTxQueueLength()).as("%s txqueuelen (the kernel's default)", KernelPeerFixture.DEVICE)
                .isEqualTo(500);
        long dropped = f.deviceStatistic("tx_dropped");
        long read = f.deviceStatistic("tx_packets");
        System.out.printf("%s: tx_dropped %d of tx_packets %d; stack %s%n", KernelPeerFixture.DEVICE, dropped, read,
                f.stack().counters());
        assertThat(dropped).as("packets the kernel dropped at %s's queue toward the stack (of %d read)\n%s",
                KernelPeerFixture.DEVICE, read, f.diagnostics()).isLessThanOrEqualTo((long) (read * fraction));
    }

    private void assertClean() throws Exception {
        assertClean(0);
    }

    /** No resets either side, but {@code stackResets} the stack sent to late segments after it closed. */
    private void assertClean(long stackResets) throws Exception {
        Map<String, Long> k = f.kernelTcpCounters();
        assertThat(k.get("Tcp.OutRsts")).as("kernel resets sent").isZero();
        assertThat(k.get("Tcp.EstabResets")).as("kernel connections reset").isZero();
        assertThat(k.get("Tcp.AttemptFails")).as("kernel connection attempts failed").isZero();
        assertThat(f.stack().counters().resetsSent()).as("stack resets sent").isEqualTo(stackResets);
    }
}
