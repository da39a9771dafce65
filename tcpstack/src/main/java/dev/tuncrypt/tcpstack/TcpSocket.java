package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tcpstack.tcp.ConnectionListener;
import dev.tuncrypt.tcpstack.tcp.SegmentProtection;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.tcp.TcpStats;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A TCP connection of a {@link NetStack} for application threads: blocking streams, half-close,
 * abort, options and statistics. Thread-safe: every call is posted to the loop that owns the
 * connection, which does the work and answers; nothing here touches connection state directly.
 *
 * <p>For code on the loop thread itself (callbacks, simulations), use {@link #connection()} and
 * its non-blocking methods with a {@link ConnectionListener}.
 */
public final class TcpSocket implements Closeable {
    private final StackLoop loop;
    private volatile TcpConnection connection;
    private final CompletableFuture<TcpSocket> established = new CompletableFuture<>();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    private final ArrayDeque<Pending> reads = new ArrayDeque<>(); // loop thread only
    private final ArrayDeque<Pending> writes = new ArrayDeque<>(); // loop thread only
    private ConnectionListener delegate; // loop thread only
    private volatile TcpError error;
    private volatile boolean closed;
    private volatile TcpStats lastStats;
    private final InputStream in = new In();
    private final OutputStream out = new Out();

    /** An I/O request waiting on the loop for data or buffer space. */
    private static final class Pending {
        final ByteBuffer buffer;
        /** Completed with this request itself: an int result needs no boxing on the loop. */
        final CompletableFuture<Pending> done = new CompletableFuture<>();
        int transferred;
        int result;

        Pending(ByteBuffer buffer) {
            this.buffer = buffer;
        }
    }

    /** A buffer with no room: receive() into it tells end of stream (-1) from nothing yet (0). */
    private static final ByteBuffer NO_ROOM = ByteBuffer.allocate(0);
    /** awaitReadable() callers, loop-confined. */
    private final ArrayDeque<CompletableFuture<Integer>> readWaiters = new ArrayDeque<>();

    private TcpSocket(StackLoop loop) {
        this.loop = loop;
    }

    /**
     * Connects to {@code remote} and waits for the handshake.
     *
     * @throws ConnectException when refused, unreachable or not answered within {@code timeout}
     */
    public static TcpSocket connect(NetStack stack, InetSocketAddress remote, Duration timeout) throws IOException {
        return connect(stack, null, remote, null, timeout);
    }

    /**
     * Connects from {@code local} (null or port 0: chosen by the stack) with {@code config}
     * (null: the stack's).
     */
    public static TcpSocket connect(NetStack stack, InetSocketAddress local, InetSocketAddress remote, TcpConfig config,
            Duration timeout) throws IOException {
        return connect(stack, local, remote, config, null, timeout);
    }

    /**
     * As {@link #connect(NetStack, InetSocketAddress, InetSocketAddress, TcpConfig, Duration)} with
     * this socket's own segment protection (e.g. tcpcrypt settings of its own; null: the stack's).
     */
    public static TcpSocket connect(NetStack stack, InetSocketAddress local, InetSocketAddress remote, TcpConfig config,
            SegmentProtection.Factory protection, Duration timeout) throws IOException {
        return connect(stack.pickLoop(), local, remote, config, protection, timeout);
    }

    /**
     * As {@link #connect(NetStack, InetSocketAddress, InetSocketAddress, TcpConfig, SegmentProtection.Factory, Duration)}
     * on a loop of the caller's choice: e.g. the loop of a connection this one will be spliced
     * to, so both live on one loop.
     */
    public static TcpSocket connect(StackLoop loop, InetSocketAddress local, InetSocketAddress remote, TcpConfig config,
            SegmentProtection.Factory protection, Duration timeout) throws IOException {
        TcpSocket s = new TcpSocket(loop);
        TcpLayer layer = (TcpLayer) loop.handler(6);
        CompletableFuture<Void> started = new CompletableFuture<>();
        loop.post(() -> {
            try {
                s.connection = layer.connect(local, remote, config != null ? config : layer.config(), s.events(),
                        protection);
                started.complete(null);
            } catch (RuntimeException e) {
                started.completeExceptionally(e);
            }
        });
        await(started, Duration.ofSeconds(5), "connect");
        try {
            s.established.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            s.abort();
            throw new TcpConnectException("connect to " + remote + " timed out after " + timeout.toMillis() + " ms",
                    TcpError.TIMED_OUT);
        } catch (ExecutionException e) {
            TcpError why = e.getCause() instanceof TcpConnectException t ? t.error() : TcpError.ABORTED;
            throw new TcpConnectException("connect to " + remote + ": " + e.getCause().getMessage(), why);
        } catch (InterruptedException e) {
            s.abort();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("connect interrupted");
        }
        return s;
    }

    /**
     * Starts connecting on {@code loop} and returns at once, without waiting for anything: from
     * the loop's own thread (e.g. a {@link dev.tuncrypt.tcpstack.tcp.SynGate} or another
     * connection's callback) the SYN is on its way before this returns; from another thread the
     * connect is posted to the loop. {@link #whenEstablished} tells the outcome. There is no
     * timeout here: a caller that stops waiting calls {@link #abort}.
     */
    public static TcpSocket open(StackLoop loop, InetSocketAddress local, InetSocketAddress remote, TcpConfig config,
            SegmentProtection.Factory protection) {
        TcpSocket s = new TcpSocket(loop);
        TcpLayer layer = (TcpLayer) loop.handler(6);
        Runnable start = () -> {
            try {
                s.connection = layer.connect(local, remote, config != null ? config : layer.config(), s.events(),
                        protection);
            } catch (RuntimeException e) { // no free local port, memory budget, address in use
                s.closed = true;
                s.established.completeExceptionally(new SocketException("connect: " + e.getMessage()));
            }
        };
        if (loop.inLoop()) {
            start.run();
        } else {
            loop.post(start);
        }
        return s;
    }

    /**
     * Completes when the handshake of a connection {@link #open opened} here is done: normally
     * on the loop, with this socket; exceptionally with a {@link TcpConnectException} (refused,
     * unreachable, not protected as required, aborted) or a {@link SocketException} (the connect
     * could not start). Dependent actions without an executor run on the loop: they must not block.
     */
    public CompletableFuture<TcpSocket> whenEstablished() {
        return established.copy();
    }

    /** Wraps a connection a listener accepted (on its loop). */
    static TcpSocket accepted(StackLoop loop, TcpConnection c) {
        TcpSocket s = new TcpSocket(loop);
        s.connection = c;
        c.setListener(s.events());
        s.established.complete(s);
        return s;
    }

    private ConnectionListener events() {
        return new ConnectionListener() {
            @Override
            public void onEstablished(TcpConnection c) {
                established.complete(TcpSocket.this);
                if (delegate != null) {
                    delegate.onEstablished(c);
                }
            }

            @Override
            public void onReadable(TcpConnection c) {
                serveReads();
                if (delegate != null) {
                    delegate.onReadable(c);
                }
            }

            @Override
            public void onWritable(TcpConnection c) {
                serveWrites();
                if (delegate != null) {
                    delegate.onWritable(c);
                }
            }

            @Override
            public void onPeerClosed(TcpConnection c) {
                serveReads();
                if (delegate != null) {
                    delegate.onPeerClosed(c);
                }
            }

            @Override
            public void onClosed(TcpConnection c, TcpError reason) {
                lastStats = c.stats();
                if (reason != null) {
                    error = reason;
                }
                if (!established.isDone()) { // an exception (its stack trace) only for a connect that failed
                    established.completeExceptionally(new TcpConnectException(
                            reason != null ? reason.message() : "closed", reason != null ? reason : TcpError.ABORTED));
                }
                serveReads();
                failWrites();
                closedFuture.complete(null);
                if (delegate != null) {
                    delegate.onClosed(c, reason);
                }
            }
        };
    }

    /**
     * On the loop thread: the connection's events go to {@code l} too, after this socket's own
     * bookkeeping (its error, its last statistics). For code that moves the connection's bytes
     * on the loop itself ({@link TcpConnection#transferTo}) rather than through blocking reads
     * and writes; the socket stays the handle for closing, aborting and statistics.
     */
    public void delegateEvents(ConnectionListener l) {
        this.delegate = l;
    }

    /**
     * Completes (on the loop) when the connection is done: closed in order (our FIN
     * acknowledged and the peer's received: TIME-WAIT) or reset, timed out, aborted.
     */
    public java.util.concurrent.CompletionStage<Void> whenClosed() {
        return closedFuture.minimalCompletionStage();
    }

    /** The loop that owns this connection. */
    public StackLoop loop() {
        return loop;
    }

    // ------------------------------------------------------------------ loop side

    private void serveReads() {
        TcpConnection c = connection;
        Pending p;
        while ((p = reads.poll()) != null) {
            // off the queue while receive() runs: it may open more frames and call onReadable,
            // which re-enters here and would fill (and complete) the same request a second time
            int n = c.receive(p.buffer);
            if (n == 0 && c.state() != TcpState.CLOSED) {
                reads.addFirst(p);
                break;
            }
            p.result = n == 0 ? -1 : n;
            p.done.complete(p);
        }
        if (!readWaiters.isEmpty() && (c.readable() > 0 || c.state() == TcpState.CLOSED || c.receive(NO_ROOM) < 0)) {
            CompletableFuture<Integer> w;
            while ((w = readWaiters.poll()) != null) {
                w.complete(0);
            }
        }
    }

    private void serveWrites() {
        TcpConnection c = connection;
        Pending p;
        while ((p = writes.peek()) != null) {
            int n = c.send(p.buffer);
            if (n < 0) {
                writes.poll();
                p.done.completeExceptionally(new SocketException(error != null ? error.message() : "connection closed for sending"));
                continue;
            }
            p.transferred += n;
            if (p.buffer.hasRemaining()) {
                return;
            }
            writes.poll();
            p.result = p.transferred;
            p.done.complete(p);
        }
    }

    private void failWrites() {
        Pending p;
        while ((p = writes.poll()) != null) {
            p.done.completeExceptionally(new SocketException(error != null ? error.message() : "connection closed"));
        }
    }

    // ------------------------------------------------------------------ application side

    /**
     * Reads into {@code dst}, blocking until at least one byte is there.
     *
     * @return bytes read, -1 at end of stream
     * @throws SocketException if the connection was reset or timed out
     */
    public int read(ByteBuffer dst) throws IOException {
        return readInto(dst);
    }

    /**
     * Blocks until a {@link #read} would not block: data is ready, the peer has finished, or the
     * connection has ended. Holds no buffer while it waits, so a caller with many idle
     * connections (the daemon's splice) takes a buffer only when there is something to read.
     */
    public void awaitReadable() throws IOException {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        loop.post(() -> {
            readWaiters.add(f);
            serveReads();
        });
        await(f, null, "await readable");
    }

    private int readInto(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        Pending p = new Pending(dst);
        loop.post(() -> {
            reads.add(p);
            serveReads();
        });
        int n = await(p.done, null, "read").result;
        if (n < 0 && error != null && error != TcpError.ABORTED) {
            throw new SocketException(error.message());
        }
        return n;
    }

    /** Writes all of {@code src}, blocking while the send buffer is full. */
    public void write(ByteBuffer src) throws IOException {
        if (closed) {
            throw new SocketException("socket closed");
        }
        Pending p = new Pending(src);
        loop.post(() -> {
            writes.add(p);
            serveWrites();
        });
        await(p.done, null, "write");
    }

    public InputStream getInputStream() {
        return in;
    }

    public OutputStream getOutputStream() {
        return out;
    }

    /** Half-close: send FIN after the queued data; reading goes on. */
    public void shutdownOutput() throws IOException {
        CompletableFuture<Void> f = new CompletableFuture<>();
        loop.post(() -> {
            connection.shutdownOutput();
            f.complete(null);
        });
        await(f, Duration.ofSeconds(5), "shutdown");
    }

    /** Orderly close: FIN after the queued data; the stack finishes the close in the background. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.post(() -> {
            TcpConnection c = connection;
            if (c != null && c.state() == TcpState.CLOSED) {
                c.abort(); // ended already: what was left unread goes, and with it any keys kept for it
            } else if (c != null) {
                c.shutdownOutput();
            }
        });
    }

    /** Abort: reset the connection now (RFC 9293 §3.10.5), dropping queued data. */
    public void abort() {
        closed = true;
        loop.post(() -> {
            TcpConnection c = connection;
            if (c != null) {
                c.abort();
            }
        });
    }

    public void setNoDelay(boolean on) {
        loop.post(() -> connection.setNoDelay(on));
    }

    public void setKeepalive(boolean on, Duration idle) {
        loop.post(() -> connection.setKeepalive(on, idle.toNanos()));
    }

    public void setUserTimeout(Duration timeout) {
        loop.post(() -> connection.setUserTimeout(timeout.toNanos()));
    }

    public InetSocketAddress localAddress() {
        return connection.flow().localAddress();
    }

    public InetSocketAddress remoteAddress() {
        return connection.flow().remoteAddress();
    }

    /** RTT, RTO, cwnd, ssthresh, retransmits, bytes and state, read on the loop. */
    public TcpStats stats() throws IOException {
        TcpStats last = lastStats;
        if (last != null) {
            return last;
        }
        CompletableFuture<TcpStats> f = new CompletableFuture<>();
        loop.post(() -> f.complete(connection.stats()));
        return await(f, Duration.ofSeconds(5), "stats");
    }

    /** Why the connection failed, or null. */
    public TcpError error() {
        return error;
    }

    /** The loop-confined connection, for callbacks on the loop thread. */
    public TcpConnection connection() {
        return connection;
    }

    private static <T> T await(CompletableFuture<T> f, Duration timeout, String what) throws IOException {
        try {
            return timeout == null ? f.get() : f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + " interrupted");
        } catch (TimeoutException e) {
            throw new SocketTimeoutException(what + ": the stack loop did not answer");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new SocketException(what + ": " + e.getCause().getMessage());
        }
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return TcpSocket.this.read(ByteBuffer.wrap(b, off, len));
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            TcpSocket.this.write(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() throws IOException {
            shutdownOutput();
        }
    }
}
