package dev.tuncrypt.daemon.perf;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Where {@code tuncrypt perf} opens its connections: the embedded stack on its own TUN device
 * ({@link StackTransport}) or the kernel's sockets ({@link KernelTransport}, steered by a running
 * daemon if one is set up for the peer).
 */
interface PerfTransport extends Closeable {

    /** A short name for reports: "stack" or "kernel". */
    String name();

    /** Opens one connection to {@code remote}. */
    Connection connect(InetSocketAddress remote, Duration timeout) throws IOException;

    /** Listens on {@code port} of every address this transport owns. */
    Acceptor listen(int port) throws IOException;

    /** One accepted or connected stream. */
    interface Connection extends Closeable {
        InputStream in() throws IOException;

        OutputStream out() throws IOException;

        /** Sends FIN; the receive side stays open. */
        void shutdownOutput() throws IOException;

        /** No Nagle delay, for request/response round trips. */
        void noDelay() throws IOException;

        InetSocketAddress remote();

        /** What protects the stream, once it is known (waits at most {@code wait} for a handshake). */
        Security security(Duration wait);

        @Override
        void close();
    }

    /** A listening socket. */
    interface Acceptor extends Closeable {
        Connection accept() throws IOException;

        @Override
        void close();
    }

    /**
     * What protects a connection.
     *
     * @param kind "tcpcrypt", "plain", "pending" (tcpcrypt negotiated, keys not yet agreed) or
     *     "kernel" (a kernel socket: a running daemon decides, see {@code tuncrypt netstat})
     * @param dialect the tcpcrypt dialect, or null
     * @param sessionId the session ID in upper-case hex, or null
     * @param tep the key-agreement scheme, or null
     * @param cipher the AEAD, or null
     */
    record Security(String kind, String dialect, String sessionId, String tep, String cipher) {
        static Security of(String kind) {
            return new Security(kind, null, null, null, null);
        }

        /** One phrase for the text report. */
        String describe() {
            return switch (kind) {
                case "tcpcrypt" -> "tcpcrypt " + dialect + " " + tep + " " + cipher + ", session " + sessionId;
                case "plain" -> "plain TCP (no tcpcrypt negotiated)";
                case "pending" -> "tcpcrypt negotiated, key exchange still pending";
                default -> "kernel socket (a running tuncryptd decides; see tuncrypt netstat)";
            };
        }
    }
}
