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
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The transparent listener: the kernel routes a whole prefix into the TUN device, and the stack
 * accepts connections to any address and port in it, reporting the destination the client
 * asked for as the socket's local address (what the daemon's splice needs).
 */
class TransparentListenerTest {

    @Test
    void acceptsAnyRoutedDestinationAndReportsIt() throws Exception {
        Requirements.rootAndTun();
        try (TestNamespace ns = TestNamespace.create("tctransp")) {
            TunDevice device = ns.exec(() -> TunDevice.open(TunConfig.of("tt0")));
            NetStack stack = null;
            try {
                device.addAddress(InetAddress.ofLiteral("198.18.7.1"), 24);
                device.setUp(true);
                assertThat(ns.run("ip", "route", "add", "198.18.9.0/24", "dev", "tt0").ok()).isTrue();
                stack = NetStack.builder().link(device.queue(0)).address(InetAddress.ofLiteral("198.18.7.2")).build();
                stack.start();
                try (TcpListener any = TcpListener.transparent(stack, 16)) {
                    for (String target : new String[] {"198.18.9.5:1234", "198.18.9.77:80"}) {
                        String host = target.split(":")[0];
                        int port = Integer.parseInt(target.split(":")[1]);
                        CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
                            try {
                                return ns.exec(() -> {
                                    try (Socket s = new Socket()) {
                                        s.connect(new InetSocketAddress(host, port), 3000);
                                        OutputStream o = s.getOutputStream();
                                        o.write("hello".getBytes(StandardCharsets.US_ASCII));
                                        s.shutdownOutput();
                                        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                                    }
                                });
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        });
                        TcpSocket s = any.accept(Duration.ofSeconds(5));
                        assertThat(s.localAddress()).isEqualTo(new InetSocketAddress(host, port));
                        assertThat(s.remoteAddress().getAddress()).isEqualTo(InetAddress.ofLiteral("198.18.7.1"));
                        InputStream in = s.getInputStream();
                        assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello");
                        s.getOutputStream().write(("you reached " + target).getBytes(StandardCharsets.US_ASCII));
                        s.close();
                        assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("you reached " + target);
                    }
                }
                // pings to routed-but-foreign addresses are not the stack's to answer
                assertThat(ns.run("ping", "-c", "1", "-W", "1", "198.18.9.5").ok()).isFalse();
            } finally {
                if (stack != null) {
                    stack.close();
                }
                device.close();
            }
        }
    }
}
