package dev.tuncrypt.daemon.perf;

import dev.tuncrypt.daemon.StackHost;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Connections of the embedded stack on its own TUN device, protected as its {@link TcpCrypt} says. */
final class StackTransport implements PerfTransport {
    private static final int BACKLOG = 128;

    private final TcpCrypt tcpcrypt;
    private final StackHost host;

    StackTransport(TcpCrypt tcpcrypt, StackHost host) {
        this.tcpcrypt = tcpcrypt;
        this.host = host;
    }

    @Override
    public String name() {
        return "stack";
    }

    @Override
    public Connection connect(InetSocketAddress remote, Duration timeout) throws IOException {
        return new StackConnection(TcpSocket.connect(host.stack(), remote, timeout));
    }

    @Override
    public Acceptor listen(int port) throws IOException {
        TcpListener listener = TcpListener.bind(host.stack(), port, BACKLOG);
        return new Acceptor() {
            @Override
            public Connection accept() throws IOException {
                return new StackConnection(listener.accept());
            }

            @Override
            public void close() {
                listener.close();
            }
        };
    }

    @Override
    public void close() {
        host.close();
        tcpcrypt.close();
    }

    private record StackConnection(TcpSocket socket) implements Connection {
        @Override
        public InputStream in() {
            return socket.getInputStream();
        }

        @Override
        public OutputStream out() {
            return socket.getOutputStream();
        }

        @Override
        public void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }

        @Override
        public void noDelay() {
            socket.setNoDelay(true);
        }

        @Override
        public InetSocketAddress remote() {
            return socket.remoteAddress();
        }

        @Override
        public Security security(Duration wait) {
            if (!TcpCrypt.peerCapable(socket)) {
                return Security.of("plain");
            }
            try {
                TcpCryptInfo info = TcpCrypt.whenEstablished(socket).get(wait.toMillis(), TimeUnit.MILLISECONDS);
                return new Security("tcpcrypt", info.dialect(), info.sessionId().toString(), info.tep().toString(),
                        info.cipher().toString());
            } catch (TimeoutException | ExecutionException e) {
                return Security.of("pending");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Security.of("pending");
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
