package dev.tuncrypt.examples;

import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.TcpSocket;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a connection's tcpcrypt session, shared by the examples. */
final class Sessions {
    private Sessions() {}

    /**
     * The session once keys are agreed, or null when the connection is plain (the peer did not
     * negotiate tcpcrypt; known as soon as the connection is established). Keys are agreed on a
     * worker thread shortly after the handshake; {@link TcpCrypt#handshake} completes then, and
     * this waits for it up to {@code timeout}.
     */
    static TcpCryptInfo await(TcpSocket socket, Duration timeout) throws InterruptedException {
        try {
            return TcpCrypt.handshake(socket).toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS)
                    .orElse(null);
        } catch (TimeoutException e) {
            throw new IllegalStateException("tcpcrypt negotiated but no keys within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            return null; // the connection ended first: no session
        }
    }
}
