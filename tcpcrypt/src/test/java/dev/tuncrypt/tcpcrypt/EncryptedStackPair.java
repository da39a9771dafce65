package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tun.Clock;
import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.MemoryLink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Two started stacks with tcpcrypt on a lossless {@link MemoryLink} (MTU 1500), A at 198.18.1.1
 * and B at 198.18.1.2 listening on port 7000, and one connection from A to B: the set-up of the
 * socket-level tests of protected streams.
 */
final class EncryptedStackPair implements AutoCloseable {
    private final MemoryLink.Pair link;
    private final TcpCrypt cryptA;
    private final TcpCrypt cryptB;
    private final NetStack a;
    private final NetStack b;
    private final TcpListener listener;
    final TcpSocket client;
    final TcpSocket server;

    EncryptedStackPair(TcpCryptConfig cfg) throws Exception {
        link = MemoryLink.pair(Clock.SYSTEM, 1, FaultModel.NONE, FaultModel.NONE, 1500);
        cryptA = TcpCrypt.create(cfg);
        cryptB = TcpCrypt.create(cfg);
        a = NetStack.builder().link(link.a()).address(InetAddress.ofLiteral("198.18.1.1"))
                .tcp(TcpConfig.DEFAULT).protection(cryptA.protections()).seed(1).build();
        b = NetStack.builder().link(link.b()).address(InetAddress.ofLiteral("198.18.1.2"))
                .tcp(TcpConfig.DEFAULT).protection(cryptB.protections()).seed(2).build();
        a.start();
        b.start();
        listener = TcpListener.bind(b, 7000, 4);
        CompletableFuture<TcpSocket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept(Duration.ofSeconds(5));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        client = TcpSocket.connect(a, new InetSocketAddress("198.18.1.2", 7000), Duration.ofSeconds(5));
        server = accepted.get(5, TimeUnit.SECONDS);
    }

    /** Writes {@code data} from the client and then shuts its output down, off the caller's thread. */
    CompletableFuture<Void> sendAndShutdown(byte[] data) {
        return CompletableFuture.runAsync(() -> {
            try {
                client.write(java.nio.ByteBuffer.wrap(data));
                client.shutdownOutput();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Override
    public void close() {
        client.close();
        server.close();
        listener.close();
        a.close();
        b.close();
        link.a().close();
        cryptA.close();
        cryptB.close();
    }
}
