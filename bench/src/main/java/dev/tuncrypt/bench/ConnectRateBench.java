package dev.tuncrypt.bench;

import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Connections per second through the TUN device, each one "connect, send 1 byte, close", from
 * {@value #CLIENTS} client threads at once (client i talks to port 6000+i), each with its own
 * server thread:
 *
 * <ul>
 *   <li><b>kernel → stack</b>: kernel clients in the namespace, a {@link TcpListener} per port on
 *       the stack; the server reads the byte and end of stream, then closes;
 *   <li><b>stack → kernel</b>: {@link TcpSocket#connect} clients, kernel listeners in the
 *       namespace doing the same.
 * </ul>
 *
 * A connection counts when its server has seen the byte and the FIN. Each direction runs twice:
 * with the default {@link TcpConfig} (1 MiB send and receive buffers per connection) and with 16
 * KiB buffers, because the buffers are allocated when a connection is created and that dominates
 * its cost. The namespace lets the kernel's clients reuse TIME-WAIT ports ({@code tcp_tw_reuse=1});
 * the stack keeps its defaults (TIME-WAIT 60 s, ephemeral ports 32768-60999, so at most ~28 k
 * connections a minute per destination). Also reports the stack loop's CPU time per connection,
 * connect() latency percentiles, and SYNs the stack dropped because an accept queue was full.
 */
public final class ConnectRateBench {
    static final int CLIENTS = 4;
    static final int PORT = 6000;
    static final int SMALL_BUFFERS = 16 * 1024;
    static final long WARMUP_MILLIS = 500;

    /** Why connections failed during a measurement (numbers folded), to print when any did. */
    static final Map<String, Long> REASONS = new ConcurrentHashMap<>();
    static volatile boolean measuring;

    public static void main(String[] args) throws Exception {
        if (!Bench.rootOrSkip("connect-rate")) {
            return;
        }
        long millis = Bench.seconds(args, 3) * 1000L;
        TcpConfig small = TcpConfig.DEFAULT.withBuffers(SMALL_BUFFERS, SMALL_BUFFERS);
        Rate inDefault = run(TcpConfig.DEFAULT, millis, true);
        Rate inSmall = run(small, millis, true);
        Rate outDefault = run(TcpConfig.DEFAULT, millis, false);
        Rate outSmall = run(small, millis, false);
        System.out.printf("connect-rate (connect, 1 byte, close; %d clients, %d s each; default 1 MiB buffers / 16 KiB buffers): "
                        + "kernel->stack %.0f / %.0f conn/s (stack loop CPU %s / %s per conn, connect p50 %s / %s, p99 %s / %s, "
                        + "SYNs dropped %d / %d); stack->kernel %.0f / %.0f conn/s (loop CPU %s / %s per conn, connect p50 %s / %s, "
                        + "p99 %s / %s); failed %d%n",
                CLIENTS, millis / 1000,
                inDefault.perSecond(), inSmall.perSecond(), micros(inDefault.loopNanosPerConnection()),
                micros(inSmall.loopNanosPerConnection()), micros(inDefault.percentile(0.5)), micros(inSmall.percentile(0.5)),
                micros(inDefault.percentile(0.99)), micros(inSmall.percentile(0.99)), inDefault.synDrops, inSmall.synDrops,
                outDefault.perSecond(), outSmall.perSecond(), micros(outDefault.loopNanosPerConnection()),
                micros(outSmall.loopNanosPerConnection()), micros(outDefault.percentile(0.5)), micros(outSmall.percentile(0.5)),
                micros(outDefault.percentile(0.99)), micros(outSmall.percentile(0.99)),
                inDefault.failures + inSmall.failures + outDefault.failures + outSmall.failures);
        if (!REASONS.isEmpty()) {
            System.out.println("  failures: " + REASONS);
        }
    }

    static String micros(double nanos) {
        return nanos >= 1e6 ? String.format("%.1f ms", nanos / 1e6) : String.format("%.0f us", nanos / 1e3);
    }

    static void reason(String why) {
        if (measuring) {
            REASONS.merge(why.replaceAll("[0-9]+", "N"), 1L, Long::sum);
        }
    }

    static Rate run(TcpConfig config, long millis, boolean kernelToStack) throws Exception {
        try (TunRig rig = TunRig.open("bcps", 1500, config)) {
            TunRig.run(rig.ns, "sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1");
            return kernelToStack ? kernelToStack(rig, millis) : stackToKernel(rig, millis);
        }
    }

    record Rate(long connections, long nanos, long loopCpuNanos, long[] connectNanos, long failures, long synDrops) {
        double perSecond() {
            return connections * 1e9 / nanos;
        }

        double loopNanosPerConnection() {
            return (double) loopCpuNanos / Math.max(1, connections);
        }

        double percentile(double q) {
            if (connectNanos.length == 0) {
                return Double.NaN;
            }
            return connectNanos[(int) Math.min(connectNanos.length - 1, Math.floor(q * connectNanos.length))];
        }
    }

    /** One client thread's connect() durations, in nanoseconds, taken during the measurement. */
    static final class Latencies {
        private long[] values = new long[1 << 14];
        private int size;

        void add(long nanos) {
            if (!measuring) {
                return;
            }
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = nanos;
        }

        static long[] merged(List<Latencies> all) {
            long[] out = all.stream().flatMapToLong(l -> Arrays.stream(l.values, 0, l.size)).toArray();
            Arrays.sort(out);
            return out;
        }
    }

    static Rate kernelToStack(TunRig rig, long millis) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Latencies> latencies = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        List<Thread> servers = new ArrayList<>();
        List<TcpListener> listeners = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                TcpListener listener = TcpListener.bind(rig.stack, PORT + i, 512);
                listeners.add(listener);
                servers.add(Bench.start("stack-server-" + i, failure, () -> {
                    ByteBuffer buf = ByteBuffer.allocate(64);
                    while (!stop.get()) {
                        TcpSocket s;
                        try {
                            s = listener.accept(Duration.ofMillis(50));
                        } catch (SocketTimeoutException e) {
                            continue;
                        }
                        long got = 0;
                        int n;
                        try {
                            while ((n = s.read(buf.clear())) >= 0) {
                                got += n;
                            }
                        } catch (IOException e) {
                            failures.incrementAndGet();
                            reason("stack server read: " + e);
                            continue;
                        } finally {
                            s.close();
                        }
                        if (got == 1) {
                            done.incrementAndGet();
                        } else {
                            failures.incrementAndGet();
                            reason("stack server got " + got + " bytes");
                        }
                    }
                }));
                Latencies l = new Latencies();
                latencies.add(l);
                InetSocketAddress to = new InetSocketAddress(Bench.STACK_ADDR, PORT + i);
                clients.add(rig.startInNamespace("kernel-client-" + i, failure, () -> {
                    ByteBuffer one = ByteBuffer.allocateDirect(1);
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        try (SocketChannel c = SocketChannel.open()) {
                            c.connect(to);
                            l.add(System.nanoTime() - t0);
                            c.write(one.clear());
                        } catch (IOException e) {
                            failures.incrementAndGet();
                            reason("kernel client: " + e);
                        }
                    }
                }));
            }
            Rate r = measure(rig, millis, done, failures, failure, latencies);
            stop.set(true);
            for (Thread t : clients) {
                Bench.join(t, 10_000);
            }
            for (Thread t : servers) {
                Bench.join(t, 10_000);
            }
            Bench.check(failure);
            return r;
        } finally {
            stop.set(true);
            listeners.forEach(TcpListener::close);
        }
    }

    static Rate stackToKernel(TunRig rig, long millis) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Latencies> latencies = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        List<Thread> servers = new ArrayList<>();
        List<ServerSocketChannel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                InetSocketAddress at = new InetSocketAddress(Bench.KERNEL_ADDR, PORT + i);
                ServerSocketChannel server = rig.exec(() -> ServerSocketChannel.open().bind(at, 1024));
                channels.add(server);
                servers.add(Bench.start("kernel-server-" + i, failure, () -> {
                    ByteBuffer buf = ByteBuffer.allocateDirect(64);
                    while (true) {
                        SocketChannel s;
                        try {
                            s = server.accept();
                        } catch (ClosedChannelException e) {
                            return; // closed at the end of the run
                        }
                        long got = 0;
                        int n;
                        try (s) {
                            while ((n = s.read(buf.clear())) >= 0) {
                                got += n;
                            }
                        } catch (IOException e) {
                            failures.incrementAndGet();
                            reason("kernel server read: " + e);
                            continue;
                        }
                        if (got == 1) {
                            done.incrementAndGet();
                        } else {
                            failures.incrementAndGet();
                            reason("kernel server got " + got + " bytes");
                        }
                    }
                }));
                Latencies l = new Latencies();
                latencies.add(l);
                clients.add(Bench.start("stack-client-" + i, failure, () -> {
                    ByteBuffer one = ByteBuffer.allocateDirect(1);
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        TcpSocket s;
                        try {
                            s = TcpSocket.connect(rig.stack, at, Duration.ofSeconds(3));
                        } catch (IOException e) {
                            failures.incrementAndGet();
                            reason("stack connect: " + e);
                            continue;
                        }
                        l.add(System.nanoTime() - t0);
                        try {
                            s.write(one.clear());
                        } catch (IOException e) {
                            failures.incrementAndGet();
                            reason("stack write: " + e);
                        } finally {
                            s.close();
                        }
                    }
                }));
            }
            Rate r = measure(rig, millis, done, failures, failure, latencies);
            stop.set(true);
            for (Thread t : clients) {
                Bench.join(t, 10_000);
            }
            Bench.sleep(200); // let the last exchanges finish before the listeners go
            for (ServerSocketChannel c : channels) {
                c.close();
            }
            for (Thread t : servers) {
                Bench.join(t, 10_000);
            }
            Bench.check(failure);
            return r;
        } finally {
            stop.set(true);
            for (ServerSocketChannel c : channels) {
                c.close();
            }
        }
    }

    private static Rate measure(TunRig rig, long millis, AtomicLong done, AtomicLong failures,
            AtomicReference<Throwable> failure, List<Latencies> latencies) throws Exception {
        Bench.LoopProbe probe = new Bench.LoopProbe(rig.stack);
        Bench.sleep(WARMUP_MILLIS);
        Bench.check(failure);
        long drops0 = synDrops(rig);
        long c0 = done.get();
        long f0 = failures.get();
        Bench.LoopSample l0 = probe.sample();
        measuring = true;
        Bench.sleep(millis);
        measuring = false;
        Bench.LoopSample l1 = probe.sample();
        long c1 = done.get();
        long f1 = failures.get();
        long drops = synDrops(rig) - drops0;
        Bench.check(failure);
        Bench.LoopSample d = l1.minus(l0);
        return new Rate(c1 - c0, d.nanos(), d.cpuNanos(), Latencies.merged(latencies), f1 - f0, drops);
    }

    /** SYNs the stack dropped because an accept queue (or the connection limit) was full. */
    static long synDrops(TunRig rig) throws Exception {
        CompletableFuture<Long> f = new CompletableFuture<>();
        rig.stack.loop(0).post(() -> f.complete(rig.stack.tcp(0).counters().listenOverflows()));
        return f.get(5, TimeUnit.SECONDS);
    }
}
