package dev.tuncrypt.daemon.perf;

import dev.tuncrypt.daemon.perf.PerfResults.ConnectRate;
import dev.tuncrypt.daemon.perf.PerfResults.Rtt;
import dev.tuncrypt.daemon.perf.PerfResults.Stream;
import dev.tuncrypt.daemon.perf.PerfResults.Throughput;
import dev.tuncrypt.daemon.perf.PerfTransport.Connection;
import dev.tuncrypt.daemon.perf.PerfTransport.Security;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

/** The client side of each {@code tuncrypt perf} test against one server. */
final class PerfClient {
    /** How long the first connection may take to agree tcpcrypt keys before it is reported pending. */
    private static final Duration HANDSHAKE_WAIT = Duration.ofSeconds(5);

    private final PerfTransport transport;
    private final InetSocketAddress remote;
    private final Duration connectTimeout;
    private volatile Security security;

    PerfClient(PerfTransport transport, InetSocketAddress remote, Duration connectTimeout) {
        this.transport = transport;
        this.remote = remote;
        this.connectTimeout = connectTimeout;
    }

    /** What protected the first measured connection, or null before one. */
    Security security() {
        return security;
    }

    /**
     * {@code streams} parallel streams for {@code duration}, each writing {@code length}-byte
     * buffers: {@code test} is {@link PerfProtocol#SEND}, {@link PerfProtocol#RECEIVE} or
     * {@link PerfProtocol#BIDIR}. All streams connect (and agree keys) before any starts its clock.
     */
    Throughput throughput(byte test, int streams, Duration duration, int length) throws IOException {
        CyclicBarrier ready = new CyclicBarrier(streams);
        Stream[] results = new Stream[streams];
        IOException[] failure = new IOException[1];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            int id = i + 1;
            threads.add(Thread.ofPlatform().name("perf-stream-" + id).start(() -> {
                try {
                    results[id - 1] = stream(id, test, ready, duration, length);
                } catch (IOException e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                    ready.reset();
                } catch (Exception e) {
                    synchronized (failure) {
                        if (failure[0] == null) {
                            failure[0] = new IOException("stream " + id + ": " + e, e);
                        }
                    }
                    ready.reset();
                }
            }));
        }
        for (Thread t : threads) {
            join(t);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        String direction = test == PerfProtocol.SEND ? "send" : test == PerfProtocol.RECEIVE ? "receive" : "bidir";
        return new Throughput(direction, List.of(results));
    }

    private Stream stream(int id, byte test, CyclicBarrier ready, Duration duration, int length) throws Exception {
        try (Connection c = connected()) {
            ready.await();
            DataOutputStream o = new DataOutputStream(c.out());
            DataInputStream in = new DataInputStream(c.in());
            byte[] buf = new byte[length];
            long start = System.nanoTime();
            long deadline = start + duration.toNanos();
            o.writeByte(test);
            if (test == PerfProtocol.SEND) {
                long written = PerfProtocol.fill(o, buf, deadline);
                c.shutdownOutput();
                long counted = in.readLong(); // the server read all of it: the clock stops here
                long nanos = System.nanoTime() - start;
                if (counted != written) {
                    throw new IOException("stream " + id + ": the server counted " + counted + " of " + written + " bytes");
                }
                return new Stream(id, counted, 0, nanos);
            }
            o.writeInt((int) duration.toMillis());
            o.writeInt(length);
            o.flush();
            if (test == PerfProtocol.RECEIVE) {
                c.shutdownOutput();
                long received = PerfProtocol.drain(in, buf);
                return new Stream(id, 0, received, System.nanoTime() - start);
            }
            AtomicLong received = new AtomicLong();
            Thread reader = Thread.ofPlatform().name("perf-read-" + id).start(() -> {
                try {
                    received.set(PerfProtocol.drain(in, new byte[length]));
                } catch (IOException e) {
                    received.set(-1);
                }
            });
            long written = PerfProtocol.fill(o, buf, deadline);
            c.shutdownOutput();
            join(reader);
            if (received.get() < 0) {
                throw new IOException("stream " + id + ": receiving failed");
            }
            return new Stream(id, written, received.get(), System.nanoTime() - start);
        }
    }

    /** Round trips of {@code size} bytes each way, one at a time, for {@code duration}. */
    Rtt rtt(Duration duration, int size) throws IOException {
        try (Connection c = connected()) {
            c.noDelay();
            DataOutputStream o = new DataOutputStream(c.out());
            InputStream in = c.in();
            o.writeByte(PerfProtocol.ECHO);
            o.writeInt(size);
            o.flush();
            byte[] msg = new byte[size];
            long[] samples = new long[4096];
            int count = 0;
            long start = System.nanoTime();
            long deadline = start + duration.toNanos();
            long now = start;
            while (now - deadline < 0) {
                long t0 = System.nanoTime();
                o.write(msg);
                o.flush();
                if (!PerfProtocol.readFully(in, msg)) {
                    throw new IOException("the server closed during the round trips");
                }
                now = System.nanoTime();
                if (count == samples.length) {
                    samples = java.util.Arrays.copyOf(samples, count * 2);
                }
                samples[count++] = now - t0;
            }
            c.shutdownOutput();
            PerfProtocol.drain(in, msg);
            return Rtt.of(size, samples, count, now - start);
        }
    }

    /**
     * Connections per second for {@code duration} from {@code workers} parallel loops: each
     * connects, sends one byte, reads the server's one byte and its close, and closes.
     */
    ConnectRate connectRate(Duration duration, int workers) {
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        List<long[]> times = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            threads.add(Thread.ofPlatform().name("perf-connect-" + i).start(() -> {
                byte[] one = new byte[1];
                long[] mine = new long[1024];
                int n = 0;
                long t0;
                while ((t0 = System.nanoTime()) - deadline < 0) {
                    try (Connection c = transport.connect(remote, connectTimeout)) {
                        c.out().write(PerfProtocol.CONNECT);
                        c.out().flush();
                        if (!PerfProtocol.readFully(c.in(), one) || c.in().read() >= 0) {
                            throw new IOException("no answer byte and close");
                        }
                        if (security == null) {
                            security = c.security(Duration.ZERO);
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet();
                        continue;
                    }
                    if (n == mine.length) {
                        mine = java.util.Arrays.copyOf(mine, n * 2);
                    }
                    mine[n++] = System.nanoTime() - t0;
                }
                times.add(java.util.Arrays.copyOf(mine, n));
            }));
        }
        for (Thread t : threads) {
            join(t);
        }
        long[] all = times.stream().flatMapToLong(java.util.Arrays::stream).toArray();
        return ConnectRate.of(all, all.length, failed.get(), System.nanoTime() - start);
    }

    /** Connects; the first connection also records (and waits for) its protection. */
    private Connection connected() throws IOException {
        Connection c = transport.connect(remote, connectTimeout);
        Security s = c.security(HANDSHAKE_WAIT);
        synchronized (this) {
            if (security == null) {
                security = s;
            }
        }
        return c;
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
