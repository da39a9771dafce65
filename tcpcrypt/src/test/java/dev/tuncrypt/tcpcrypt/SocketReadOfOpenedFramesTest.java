package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.TcpSocket;
import java.io.InputStream;
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
        byte[] data = new byte[6 << 20];
        new SplittableRandom(7).nextBytes(data);
        try (EncryptedStackPair p = new EncryptedStackPair(TcpCryptConfig.DEFAULT.withDialects(List.of(Dialect.TCPCRYPT_05)))) {
            TcpSocket server = p.server;
            CompletableFuture<Void> writing = p.sendAndShutdown(data);
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
    }
}
