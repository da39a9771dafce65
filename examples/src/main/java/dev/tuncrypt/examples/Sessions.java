package dev.tuncrypt.examples;

import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.TcpSocket;
import java.time.Duration;

/** Waiting for a connection's tcpcrypt session, shared by the examples. */
final class Sessions {
    private Sessions() {}

    /**
     * The session once keys are agreed, or null when the connection is plain (the peer did not
     * negotiate tcpcrypt; known as soon as the connection is established). Keys are agreed on a
     * worker thread shortly after the handshake, so this polls for up to {@code timeout}.
     */
    static TcpCryptInfo await(TcpSocket socket, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        TcpCryptInfo info;
        while ((info = TcpCrypt.info(socket)) == null && TcpCrypt.peerCapable(socket) && socket.error() == null) {
            if (System.nanoTime() - end > 0) {
                throw new IllegalStateException("tcpcrypt negotiated but no keys within " + timeout.toMillis() + " ms");
            }
            Thread.sleep(1);
        }
        return info;
    }
}
