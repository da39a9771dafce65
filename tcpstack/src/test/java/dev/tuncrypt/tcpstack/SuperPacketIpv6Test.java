package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KERNEL6;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.STACK6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpStats;
import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Super-packets over IPv6 (GSO type TCPV6) both ways between the stack and the kernel, through a TUN device with offloads. */
class SuperPacketIpv6Test {
    private static final int BYTES = 8 << 20;

    @Test
    void bothWaysOverIpv6() throws Exception {
        byte[] data = new byte[BYTES];
        new SplittableRandom(5).nextBytes(data);
        try (KernelPeerFixture f = KernelPeerFixture.start("tcsp6", TcpConfig.DEFAULT, 1, true)) {
            // stack -> kernel
            ServerSocket server = f.kernelServer(KERNEL6, 7200, 1);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    return SuperPacketTest.readAll(s.getInputStream(), BYTES);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (TcpSocket s = TcpSocket.connect(f.stack(), new InetSocketAddress(KERNEL6, 7200), Duration.ofSeconds(5))) {
                s.write(ByteBuffer.wrap(data));
                s.shutdownOutput();
                assertArrayEquals(data, received.get(30, TimeUnit.SECONDS));
            }
            assertTrue(f.device().queue(0).txSuperPackets() > 0, "IPv6 super-packets written");

            // kernel -> stack
            try (TcpListener listener = TcpListener.bind(f.stack(), 7201, 1)) {
                CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                    try {
                        Socket k = f.kernelSocket(new InetSocketAddress(STACK6, 7201), Duration.ofSeconds(5));
                        k.getOutputStream().write(data);
                        k.shutdownOutput();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                TcpSocket accepted = listener.accept(Duration.ofSeconds(10));
                byte[] got = SuperPacketTest.readAll(accepted.getInputStream(), BYTES);
                TcpStats stats = accepted.stats();
                accepted.close();
                sender.get(30, TimeUnit.SECONDS);
                assertArrayEquals(data, got);
                assertTrue(f.device().queue(0).rxSuperPackets() > 0, "IPv6 super-packets read");
                assertTrue(stats.bytesReceived() / Math.max(1, stats.segmentsIn()) > 2L * stats.mss(),
                        stats.segmentsIn() + " segments for " + stats.bytesReceived() + " bytes");
            }
        }
    }
}
