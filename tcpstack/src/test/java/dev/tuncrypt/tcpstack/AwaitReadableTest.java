package dev.tuncrypt.tcpstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tun.Clock;
import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.MemoryLink;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link TcpSocket#awaitReadable()}: returns on data, on the peer's FIN and on a reset, and not before. */
class AwaitReadableTest {
    private MemoryLink.Pair link;
    private NetStack a;
    private NetStack b;
    private TcpSocket client;
    private TcpSocket server;

    @BeforeEach
    void connect() throws Exception {
        link = MemoryLink.pair(Clock.SYSTEM, 1, FaultModel.NONE, FaultModel.NONE, 1500);
        a = NetStack.builder().link(link.a()).address(InetAddress.ofLiteral("198.18.1.1")).tcp(TcpConfig.DEFAULT)
                .seed(1).build();
        b = NetStack.builder().link(link.b()).address(InetAddress.ofLiteral("198.18.1.2")).tcp(TcpConfig.DEFAULT)
                .seed(2).build();
        a.start();
        b.start();
        try (TcpListener l = TcpListener.bind(b, 7000, 4)) {
            CompletableFuture<TcpSocket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return l.accept(Duration.ofSeconds(5));
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            });
            client = TcpSocket.connect(a, new InetSocketAddress("198.18.1.2", 7000), Duration.ofSeconds(5));
            server = accepted.get(5, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        link.a().close();
    }

    private CompletableFuture<Void> awaiting(TcpSocket s) {
        return CompletableFuture.runAsync(() -> {
            try {
                s.awaitReadable();
            } catch (java.io.IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void waitsUntilDataArrivesThenAReadDoesNotBlock() throws Exception {
        CompletableFuture<Void> w = awaiting(server);
        assertThatThrownBy(() -> w.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        client.write(ByteBuffer.wrap("hello".getBytes()));
        w.get(5, TimeUnit.SECONDS);
        ByteBuffer got = ByteBuffer.allocate(16);
        assertThat(server.read(got)).isEqualTo(5);
        CompletableFuture<Void> again = awaiting(server); // nothing more: must wait again
        assertThatThrownBy(() -> again.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    }

    @Test
    void returnsAtThePeersFinAndTheReadSeesTheEnd() throws Exception {
        CompletableFuture<Void> w = awaiting(server);
        client.shutdownOutput();
        w.get(5, TimeUnit.SECONDS);
        assertThat(server.read(ByteBuffer.allocate(16))).isEqualTo(-1);
    }

    @Test
    void returnsWhenThePeerResets() throws Exception {
        CompletableFuture<Void> w = awaiting(server);
        client.abort();
        w.get(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> server.read(ByteBuffer.allocate(16))).isInstanceOf(java.net.SocketException.class);
    }
}
