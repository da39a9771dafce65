package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
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
        byte[] data = new byte[3 << 19];
        new SplittableRandom(11).nextBytes(data);
        try (EncryptedStackPair p = new EncryptedStackPair(TcpCryptConfig.DEFAULT.withDialects(List.of(dialect)))) {
            TcpSocket server = p.server;
            CompletableFuture<Void> writing = p.sendAndShutdown(data);
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
    }

    private static void awaitState(TcpSocket s, TcpState want) throws Exception {
        for (int i = 0; i < 500 && s.stats().state() != want; i++) {
            Thread.sleep(10);
        }
        assertThat(s.stats().state()).as("state of the receiving connection").isEqualTo(want);
    }
}
