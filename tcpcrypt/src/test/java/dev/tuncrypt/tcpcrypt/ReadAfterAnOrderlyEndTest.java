package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tun.Clock;
import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.MemoryLink;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Frames that arrived before a protected connection ended in order still reach the application.
 * The receiver does not read while the peer sends 1.5 MiB and its FIN, so its plaintext buffer
 * fills and the rest waits as frames in the receive buffer; then it closes its own side and the
 * connection reaches CLOSED (LAST-ACK acknowledged). Reading afterwards must return every byte,
 * then the end of the stream: the keys stay until the frames are opened. (A relay that read
 * leg 2 after it closed once got an early end of stream, 0.9 MiB short, in {@code LoopSpliceTest}.)
 */
class ReadAfterAnOrderlyEndTest {
    @ParameterizedTest
    @EnumSource(Dialect.class)
    void everyByteSentBeforeTheEndIsReadAfterTheConnectionClosed(Dialect dialect) throws Exception {
        TcpCryptConfig cfg = TcpCryptConfig.DEFAULT.withDialects(List.of(dialect));
        MemoryLink.Pair link = MemoryLink.pair(Clock.SYSTEM, 1, FaultModel.NONE, FaultModel.NONE, 1500);
        try (TcpCrypt ca = TcpCrypt.create(cfg); TcpCrypt cb = TcpCrypt.create(cfg)) {
            NetStack a = NetStack.builder().link(link.a()).address(InetAddress.ofLiteral("198.18.1.1"))
                    .tcp(TcpConfig.DEFAULT).protection(ca.protections()).seed(1).build();
            NetStack b = NetStack.builder().link(link.b()).address(InetAddress.ofLiteral("198.18.1.2"))
                    .tcp(TcpConfig.DEFAULT).protection(cb.protections()).seed(2).build();
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
                byte[] data = new byte[3 << 19];
                new SplittableRandom(11).nextBytes(data);
                try (TcpSocket client = TcpSocket.connect(a, new InetSocketAddress("198.18.1.2", 7000), Duration.ofSeconds(5));
                        TcpSocket server = accepted.get(5, TimeUnit.SECONDS)) {
                    CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                        try {
                            client.write(ByteBuffer.wrap(data));
                            client.shutdownOutput();
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    writing.get(30, TimeUnit.SECONDS);
                    awaitState(server, TcpState.CLOSE_WAIT);
                    server.shutdownOutput();
                    awaitState(server, TcpState.CLOSED);
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    ByteBuffer buf = ByteBuffer.allocate(64 << 10);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    int r;
                    while ((r = server.read(buf)) >= 0 && System.nanoTime() < deadline) {
                        got.write(buf.array(), 0, r);
                        buf.clear();
                    }
                    assertThat(r).as("the end of the stream is reported").isEqualTo(-1);
                    assertThat(got.size()).as("bytes read after the connection closed").isEqualTo(data.length);
                    assertThat(got.toByteArray()).isEqualTo(data);
                }
            } finally {
                a.close();
                b.close();
                link.a().close();
            }
        }
    }

    private static void awaitState(TcpSocket s, TcpState want) throws Exception {
        for (int i = 0; i < 500 && s.stats().state() != want; i++) {
            Thread.sleep(10);
        }
        assertThat(s.stats().state()).as("state of the receiving connection").isEqualTo(want);
    }
}
