package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KERNEL4;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.STACK4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stack reconnects from the same port to a Linux server that closed first and so holds the
 * last incarnation in TIME-WAIT. Linux takes the new SYN only if it is newer (RFC 6191 §2: a
 * greater TSval, or a sequence number above RCV.NXT; PAWS rejects an older TSval outright);
 * otherwise it answers with an ACK, the stack resets that, and only the SYN retransmitted a
 * second later gets through. The first incarnation sends more bytes than the ISN clock advances
 * meanwhile, so the timestamp decides: the stack's TSval must rise across incarnations of one
 * 4-tuple (its offset a function of the 4-tuple, not drawn per connection).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KernelTimeWaitReconnectTest {
    private static final int PORT = 5310;
    private static final int LOCAL_PORT = 45_000;
    private static final int ROUNDS = 12;
    private static final int BYTES = 1 << 20;
    private KernelPeerFixture f;

    @BeforeEach
    void up() throws Exception {
        f = KernelPeerFixture.start("tctwr");
    }

    @AfterEach
    void down() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void reconnectsToAServerInTimeWaitWithoutWaitingForARetransmission() throws Exception {
        ServerSocket server = f.kernelServer(KERNEL4, PORT, 16);
        InetSocketAddress local = new InetSocketAddress(STACK4, LOCAL_PORT);
        InetSocketAddress remote = new InetSocketAddress(KERNEL4, PORT);
        for (int round = 0; round < ROUNDS; round++) {
            CompletableFuture<Long> served = KernelPeerFixture.async(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    long n = 0;
                    byte[] buf = new byte[65536];
                    while (n < BYTES) {
                        int r = in.read(buf);
                        if (r < 0) {
                            break;
                        }
                        n += r;
                    }
                    return n; // the server closes first: Linux keeps the 4-tuple in TIME-WAIT
                }
            });
            long t0 = System.nanoTime();
            TcpSocket s = TcpSocket.connect(f.stack(), local, remote, null, Duration.ofSeconds(10));
            long connectMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(connectMillis)
                    .as("round %d: connect from %s to %s, whose last incarnation the server holds in TIME-WAIT, took "
                            + "%d ms (a SYN Linux did not take as newer waits 1 s for its retransmission)\n%s", round,
                            local, remote, connectMillis, f.diagnostics())
                    .isLessThan(700);
            s.getOutputStream().write(new byte[BYTES]);
            assertThat(served.get(20, TimeUnit.SECONDS)).isEqualTo(BYTES);
            assertThat(s.getInputStream().read()).as("the server's FIN").isEqualTo(-1);
            s.close();
            KernelPeerFixture.awaitState(s, EnumSet.of(TcpState.CLOSED), Duration.ofSeconds(10));
            assertThat(f.kernelSockets("time-wait")).as("the server holds TIME-WAIT").isNotEmpty();
        }
    }
}
