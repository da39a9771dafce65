package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KERNEL4;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.STACK4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One stack loop per TUN queue: with two queues the kernel spreads flows over both loops, and
 * connections in both directions still work (each flow stays on the loop that owns it; a segment
 * the kernel puts on the other queue is handed over).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MultiQueueTest {
    private static final int CONNECTIONS = 40;
    private static final byte[] PAYLOAD = TestPackets.bytes(200_000, 7);

    @Test
    void connectionsBothWaysOverTwoQueues() throws Exception {
        bothWays(false);
    }

    /**
     * With offloads the kernel's packets arrive with partial checksums: one handed to the loop
     * that owns its flow must have its checksum completed first (the owner verifies it).
     */
    @Test
    void connectionsBothWaysOverTwoQueuesWithOffloads() throws Exception {
        bothWays(true);
    }

    private void bothWays(boolean offloads) throws Exception {
        // the fixture closes first (its sockets too), so a failure never leaves the pool waiting in accept()
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
                KernelPeerFixture f = KernelPeerFixture.start("tcmq", TcpConfig.DEFAULT, 2, offloads)) {
            // kernel clients -> stack echo listener
            try (TcpListener listener = TcpListener.bind(f.stack(), 5300, CONNECTIONS)) {
                Future<?> server = pool.submit(() -> {
                    for (int i = 0; i < CONNECTIONS; i++) {
                        TcpSocket c = listener.accept(Duration.ofSeconds(10));
                        pool.submit(() -> echo(c.getInputStream(), c.getOutputStream(), c));
                    }
                    return null;
                });
                List<Future<byte[]>> clients = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    clients.add(pool.submit(() -> {
                        Socket k = f.kernelSocket(new InetSocketAddress(STACK4, 5300), Duration.ofSeconds(5));
                        return roundTrip(pool, k.getInputStream(), k.getOutputStream(), k::shutdownOutput);
                    }));
                }
                for (Future<byte[]> c : clients) {
                    assertThat(Arrays.equals(c.get(30, TimeUnit.SECONDS), PAYLOAD)).isTrue();
                }
                server.get(30, TimeUnit.SECONDS);
            }
            // stack clients -> kernel echo server
            ServerSocket ks = f.kernelServer(KERNEL4, 5301, CONNECTIONS);
            pool.submit(() -> {
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket k = ks.accept();
                    pool.submit(() -> echo(k.getInputStream(), k.getOutputStream(), k));
                }
                return null;
            });
            List<Future<byte[]>> clients = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(pool.submit(() -> {
                    try (TcpSocket c = TcpSocket.connect(f.stack(), new InetSocketAddress(KERNEL4, 5301),
                            Duration.ofSeconds(5))) {
                        return roundTrip(pool, c.getInputStream(), c.getOutputStream(), c::shutdownOutput);
                    }
                }));
            }
            for (Future<byte[]> c : clients) {
                assertThat(Arrays.equals(c.get(30, TimeUnit.SECONDS), PAYLOAD)).isTrue();
            }
            // both loops carried traffic
            assertThat(f.device().queue(0).rxPackets()).isPositive();
            assertThat(f.device().queue(1).rxPackets()).isPositive();
            // the kernel picks the queue of a reply by its own flow hash, not by the loop that
            // opened the connection: over 40 active connections some replies must have been
            // handed to their owner (all 40 on the right queue by chance: about 2^-40)
            assertThat(f.stack().counters().forwarded()).isPositive();
        }
    }

    private interface Shutdown {
        void run() throws Exception;
    }

    /** Writes {@link #PAYLOAD} and half-closes while reading everything that comes back. */
    private static byte[] roundTrip(ExecutorService pool, InputStream in, OutputStream out, Shutdown shutdownOutput)
            throws Exception {
        Future<?> w = pool.submit(() -> {
            out.write(PAYLOAD);
            shutdownOutput.run();
            return null;
        });
        byte[] back = in.readAllBytes();
        w.get();
        return back;
    }

    private static Void echo(InputStream in, OutputStream out, AutoCloseable socket) throws Exception {
        try (socket) {
            in.transferTo(out);
        }
        return null;
    }
}
