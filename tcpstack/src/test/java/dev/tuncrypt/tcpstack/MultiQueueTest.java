package dev.tuncrypt.tcpstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import dev.tuncrypt.tun.TunConfig;
import dev.tuncrypt.tun.TunDevice;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
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

/**
 * One stack loop per TUN queue: with two queues the kernel spreads flows over both loops, and
 * connections in both directions still work (each flow stays on the loop that owns it).
 */
class MultiQueueTest {

    @Test
    void connectionsBothWaysOverTwoQueues() throws Exception {
        Requirements.rootAndTun();
        try (TestNamespace ns = TestNamespace.create("tcmq")) {
            TunDevice device = ns.exec(() -> TunDevice.open(TunConfig.of("tq0").withQueues(2)));
            NetStack stack = null;
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            try {
                device.addAddress(InetAddress.ofLiteral("198.18.7.1"), 24);
                device.setUp(true);
                stack = NetStack.builder().link(device.queue(0)).link(device.queue(1))
                        .address(InetAddress.ofLiteral("198.18.7.2")).build();
                stack.start();
                NetStack s = stack;
                byte[] payload = TestPackets.bytes(200_000, 7);
                // kernel clients -> stack echo listener
                try (TcpListener listener = TcpListener.bind(stack, 5300, 64)) {
                    Future<?> server = pool.submit(() -> {
                        for (int i = 0; i < 40; i++) {
                            TcpSocket c = listener.accept(Duration.ofSeconds(10));
                            pool.submit(() -> {
                                byte[] buf = new byte[65536];
                                InputStream in = c.getInputStream();
                                OutputStream out = c.getOutputStream();
                                int n;
                                while ((n = in.read(buf)) >= 0) {
                                    out.write(buf, 0, n);
                                }
                                c.close();
                                return null;
                            });
                        }
                        return null;
                    });
                    List<Future<byte[]>> clients = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        clients.add(pool.submit(() -> ns.exec(() -> {
                            try (Socket k = new Socket()) {
                                k.connect(new InetSocketAddress("198.18.7.2", 5300), 5000);
                                Future<?> w = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
                                    k.getOutputStream().write(payload);
                                    k.shutdownOutput();
                                    return null;
                                });
                                byte[] back = k.getInputStream().readAllBytes();
                                w.get();
                                return back;
                            }
                        })));
                    }
                    for (Future<byte[]> c : clients) {
                        assertThat(Arrays.equals(c.get(30, TimeUnit.SECONDS), payload)).isTrue();
                    }
                    server.get(30, TimeUnit.SECONDS);
                }
                // stack clients -> kernel echo server
                try (ServerSocket ks = ns.exec(() -> new ServerSocket(5301, 64, InetAddress.ofLiteral("198.18.7.1")))) {
                    pool.submit(() -> {
                        for (int i = 0; i < 40; i++) {
                            Socket k = ks.accept();
                            pool.submit(() -> {
                                k.getInputStream().transferTo(k.getOutputStream());
                                k.close();
                                return null;
                            });
                        }
                        return null;
                    });
                    List<Future<byte[]>> clients = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        clients.add(pool.submit(() -> {
                            TcpSocket c = TcpSocket.connect(s, new InetSocketAddress("198.18.7.1", 5301),
                                    Duration.ofSeconds(5));
                            Future<?> w = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
                                c.getOutputStream().write(payload);
                                c.shutdownOutput();
                                return null;
                            });
                            byte[] back = c.getInputStream().readAllBytes();
                            w.get();
                            c.close();
                            return back;
                        }));
                    }
                    for (Future<byte[]> c : clients) {
                        assertThat(Arrays.equals(c.get(30, TimeUnit.SECONDS), payload)).isTrue();
                    }
                }
                // both loops carried traffic
                assertThat(stack.loop(0).link()).isNotNull();
                assertThat(device.queue(0).rxPackets()).isPositive();
                assertThat(device.queue(1).rxPackets()).isPositive();
                // the kernel picks the queue of a reply by its own flow hash, not by the loop that
                // opened the connection: over 40 active connections some replies must have been
                // handed to their owner (all 40 on the right queue by chance: about 2^-40)
                assertThat(stack.counters().forwarded()).isPositive();
            } finally {
                pool.shutdownNow();
                if (stack != null) {
                    stack.close();
                }
                device.close();
            }
        }
    }
}
