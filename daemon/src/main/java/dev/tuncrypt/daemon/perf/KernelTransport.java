package dev.tuncrypt.daemon.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/**
 * Plain kernel sockets: what an ordinary application uses. A running {@code tuncryptd} that steers
 * the peer's prefix encrypts them transparently; without one they are plain TCP.
 */
final class KernelTransport implements PerfTransport {
    private static final int BACKLOG = 128;

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public Connection connect(InetSocketAddress remote, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(remote, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            return new KernelConnection(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public Acceptor listen(int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(port), BACKLOG);
        return new Acceptor() {
            @Override
            public Connection accept() throws IOException {
                return new KernelConnection(server.accept());
            }

            @Override
            public void close() {
                try {
                    server.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        };
    }

    @Override
    public void close() {}

    private record KernelConnection(Socket socket) implements Connection {
        @Override
        public InputStream in() throws IOException {
            return socket.getInputStream();
        }

        @Override
        public OutputStream out() throws IOException {
            return socket.getOutputStream();
        }

        @Override
        public void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }

        @Override
        public void noDelay() throws IOException {
            socket.setTcpNoDelay(true);
        }

        @Override
        public InetSocketAddress remote() {
            return (InetSocketAddress) socket.getRemoteSocketAddress();
        }

        @Override
        public Security security(Duration wait) {
            return Security.of("kernel");
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
