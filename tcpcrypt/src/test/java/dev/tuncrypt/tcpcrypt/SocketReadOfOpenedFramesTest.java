package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.MemoryLink;
import dev.tuncrypt.tun.Clock;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A {@link TcpSocket} read on a protected connection whose plaintext buffer is full and whose
 * receive buffer still holds frames: taking the plaintext opens more frames and tells the socket
 * (onReadable) while the read is being served. Each byte must be counted once, in order.
 */
class SocketReadOfOpenedFramesTest {
    @Test
    void aLargeReadAfterTheBuffersFilledCountsEveryByteOnce() throws Exception {
        TcpCryptConfig cfg = TcpCryptConfig.DEFAULT.withDialects(List.of(Dialect.TCPCRYPT_05));
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
                byte[] data = new byte[6 << 20];
                new SplittableRandom(7).nextBytes(data);
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
                    // let both of the receiver's buffers fill before reading (plaintext and frames)
                    for (int i = 0; i < 200 && server.stats().bytesReceived() < (3 << 20); i++) {
                        Thread.sleep(10);
                    }
                    byte[] got = new byte[data.length];
                    InputStream in = server.getInputStream();
                    int n = 0;
                    int r;
                    while (n < got.length && (r = in.read(got, n, got.length - n)) > 0) {
                        n += r;
                    }
                    writing.get(30, TimeUnit.SECONDS);
                    assertThat(n).isEqualTo(data.length);
                    assertThat(got).isEqualTo(data);
                }
            } finally {
                a.close();
                b.close();
                link.a().close();
            }
        }
    }
}
