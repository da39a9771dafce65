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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Linux kernel's TCP against the stack's, through a real TUN device in a namespace. */
class KernelTcpInteropTest {
    static final int MIB = 1 << 20;
    private TestNamespace ns;
    private TunDevice device;
    private NetStack stack;

    @BeforeEach
    void up() throws Exception {
        Requirements.rootAndTun();
        ns = TestNamespace.create("tctcp");
        device = ns.exec(() -> TunDevice.open(TunConfig.of("tk0")));
        device.addAddress(InetAddress.ofLiteral("198.18.7.1"), 24);
        device.addAddress(InetAddress.ofLiteral("2001:2:0:7::1"), 64);
        device.setUp(true);
        stack = NetStack.builder()
                .link(device.queue(0))
                .address(InetAddress.ofLiteral("198.18.7.2"))
                .address(InetAddress.ofLiteral("2001:2:0:7::2"))
                .build();
        stack.start();
    }

    @AfterEach
    void down() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (device != null) {
            device.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    static String pump(OutputStream out, long bytes, long seed) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] chunk = new byte[64 * 1024];
        long left = bytes;
        while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            for (int i = 0; i < n; i += 8) {
                long v = rnd.nextLong();
                for (int j = 0; j < 8 && i + j < n; j++) {
                    chunk[i + j] = (byte) (v >>> (8 * j));
                }
            }
            out.write(chunk, 0, n);
            sha.update(chunk, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static String drain(InputStream in, long[] count) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            sha.update(buf, 0, n);
            count[0] += n;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void kernelClientToStackServer() throws Exception {
        long size = 64L * MIB;
        try (TcpListener listener = TcpListener.bind(stack, 5001, 16)) {
            CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    return ns.exec(() -> {
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress("198.18.7.2", 5001), 3000);
                            String h = pump(s.getOutputStream(), size, 1);
                            s.shutdownOutput();
                            assertThat(s.getInputStream().read()).isEqualTo(-1);
                            return h;
                        }
                    });
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            TcpSocket s = listener.accept(Duration.ofSeconds(5));
            long[] count = new long[1];
            String got = drain(s.getInputStream(), count);
            s.close();
            assertThat(count[0]).isEqualTo(size);
            assertThat(got).isEqualTo(sent.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void stackClientToKernelServer() throws Exception {
        long size = 64L * MIB;
        try (ServerSocket server = ns.exec(() -> new ServerSocket(5002, 16, InetAddress.ofLiteral("198.18.7.1")))) {
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    long[] count = new long[1];
                    String h = drain(s.getInputStream(), count);
                    assertThat(count[0]).isEqualTo(size);
                    return h;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            TcpSocket s = TcpSocket.connect(stack, new InetSocketAddress("198.18.7.1", 5002), Duration.ofSeconds(5));
            String sent = pump(s.getOutputStream(), size, 2);
            s.close();
            assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(sent);
            System.out.println("stack client stats: " + s.stats());
        }
    }
}
