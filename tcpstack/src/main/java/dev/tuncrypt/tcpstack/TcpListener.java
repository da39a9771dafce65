package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tcpstack.tcp.ListenEndpoint;
import dev.tuncrypt.tcpstack.tcp.SegmentProtection;
import dev.tuncrypt.tcpstack.tcp.SynGate;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A listening TCP port on every loop of a {@link NetStack}: connections that complete their
 * handshake wait in an accept queue of {@code backlog} entries. A transparent listener accepts
 * SYNs for any destination address and port that reaches the stack, and its sockets' local
 * address is the original destination the client asked for.
 */
public final class TcpListener implements Closeable {
    private static final Object CLOSED = new Object();

    private final NetStack stack;
    private final int port;
    private final int backlog;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final List<ListenEndpoint> endpoints = new ArrayList<>();
    private volatile boolean closed;
    /** Takes accepted connections on their loop instead of the queue, or null. */
    private Consumer<TcpSocket> onAccept;

    private TcpListener(NetStack stack, int port, int backlog) {
        this.stack = stack;
        this.port = port;
        this.backlog = backlog;
    }

    /** Listens on {@code port} of every stack address. */
    public static TcpListener bind(NetStack stack, int port, int backlog) throws IOException {
        return open(stack, port, false, backlog, null);
    }

    /** Accepts connections to any address and port that reach the stack (the daemon's leg 1). */
    public static TcpListener transparent(NetStack stack, int backlog) throws IOException {
        return open(stack, 0, true, backlog, null);
    }

    /** As {@link #bind} or {@link #transparent} with connection settings other than the stack's. */
    public static TcpListener open(NetStack stack, int port, boolean transparent, int backlog, TcpConfig config)
            throws IOException {
        return open(stack, port, transparent, backlog, config, null);
    }

    /** As {@link #open(NetStack, int, boolean, int, TcpConfig)} with the listener's own segment protection (null: the stack's). */
    public static TcpListener open(NetStack stack, int port, boolean transparent, int backlog, TcpConfig config,
            SegmentProtection.Factory protection) throws IOException {
        return open(stack, port, transparent, backlog, config, protection, null);
    }

    /**
     * A transparent listener whose SYNs first pass {@code gate} (see {@link SynGate}): the
     * daemon's leg 1 when it connects leg 2 before answering the client.
     */
    public static TcpListener transparent(NetStack stack, int backlog, SegmentProtection.Factory protection,
            SynGate gate) throws IOException {
        return open(stack, 0, true, backlog, null, protection, gate);
    }

    /**
     * As {@link #transparent(NetStack, int, SegmentProtection.Factory, SynGate)}, handing each
     * connection that completes its handshake to {@code onAccept} on its own loop thread: no
     * accept queue and no thread in between (the daemon splices leg 1 on that loop).
     * {@link #accept} is not used with it.
     */
    public static TcpListener transparent(NetStack stack, int backlog, SegmentProtection.Factory protection,
            SynGate gate, Consumer<TcpSocket> onAccept) throws IOException {
        return open(stack, 0, true, backlog, null, protection, gate, onAccept);
    }

    private static TcpListener open(NetStack stack, int port, boolean transparent, int backlog, TcpConfig config,
            SegmentProtection.Factory protection, SynGate gate) throws IOException {
        return open(stack, port, transparent, backlog, config, protection, gate, null);
    }

    private static TcpListener open(NetStack stack, int port, boolean transparent, int backlog, TcpConfig config,
            SegmentProtection.Factory protection, SynGate gate, Consumer<TcpSocket> onAccept) throws IOException {
        if (!transparent && (port < 1 || port > 65535)) {
            throw new IllegalArgumentException("port " + port + " out of range 1-65535");
        }
        TcpListener l = new TcpListener(stack, port, Math.max(1, backlog));
        l.onAccept = onAccept;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < stack.loopCount(); i++) {
            StackLoop loop = stack.loop(i);
            TcpLayer layer = stack.tcp(i);
            CompletableFuture<Void> f = new CompletableFuture<>();
            done.add(f);
            ListenEndpoint e = new ListenEndpoint(port, transparent, config != null ? config : layer.config(), l.sink(loop),
                    protection, gate);
            l.endpoints.add(e);
            loop.post(() -> {
                try {
                    layer.addListener(e);
                    f.complete(null);
                } catch (RuntimeException ex) {
                    f.completeExceptionally(ex);
                }
            });
        }
        for (CompletableFuture<Void> f : done) {
            try {
                if (stack.isRunning()) {
                    f.get(5, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                l.close();
                throw new SocketException("cannot listen on port " + port + ": "
                        + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            }
        }
        return l;
    }

    private ListenEndpoint.AcceptSink sink(StackLoop loop) {
        return new ListenEndpoint.AcceptSink() {
            @Override
            public boolean full() {
                return onAccept == null && queue.size() >= backlog;
            }

            @Override
            public void accept(TcpConnection connection, TcpLayer layer) {
                TcpSocket s = TcpSocket.accepted(loop, connection);
                if (onAccept != null) {
                    onAccept.accept(s);
                } else {
                    queue.add(s);
                }
            }

            @Override
            public void closed() {
                queue.add(CLOSED);
            }
        };
    }

    /** Waits for the next connection. */
    public TcpSocket accept() throws IOException {
        return accept(null);
    }

    /**
     * Waits up to {@code timeout} (null: forever) for the next connection.
     *
     * @throws SocketTimeoutException when none arrived in time
     * @throws SocketException when the listener or the stack was closed
     */
    public TcpSocket accept(Duration timeout) throws IOException {
        if (closed) {
            throw new SocketException("listener closed");
        }
        Object next;
        try {
            next = timeout == null ? queue.take() : queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("accept interrupted");
        }
        if (next == null) {
            throw new SocketTimeoutException("no connection within " + timeout.toMillis() + " ms");
        }
        if (next == CLOSED) {
            queue.add(CLOSED);
            throw new SocketException("listener closed");
        }
        return (TcpSocket) next;
    }

    public int port() {
        return port;
    }

    /** Stops listening; connections already accepted stay open. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < endpoints.size(); i++) {
            ListenEndpoint e = endpoints.get(i);
            TcpLayer layer = stack.tcp(i);
            stack.loop(i).post(() -> layer.removeListener(e));
        }
        queue.add(CLOSED);
    }
}
