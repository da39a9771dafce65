package dev.tuncrypt.bench;

import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Memory per idle established connection on the stack. A helper process ({@link IdleClients})
 * inside the namespace opens N kernel connections to a stack listener; this JVM accepts them and
 * keeps the {@link TcpSocket}s, as an application would. Heap in use after full GCs (MemoryMXBean),
 * direct-buffer memory (BufferPoolMXBean "direct") and the process RSS are read before and after,
 * and divided by N. The kernel's side of the connections lives in the other process and is not
 * counted. Run twice with the default {@link TcpConfig} (1 MiB send and receive buffers):
 * N = {@value #N_SILENT} connections that never carried data, and N = {@value #N_USED} that
 * carried one byte each way before going idle (the buffers are allocated on first data and kept).
 * Also reports how fast they were opened and the loop's CPU use while they sit idle. With
 * {@code BENCH_HISTOGRAM=1} it also prints which classes the heap per connection is made of.
 */
public final class IdleConnectionsBench {
    static final int N_SILENT = 10_000;
    static final int N_USED = 1_000;
    static final int PORT = 7100;

    public static void main(String[] args) throws Exception {
        if (!Bench.rootOrSkip("idle-connections")) {
            return;
        }
        Result silent = run(TcpConfig.DEFAULT, N_SILENT, false);
        Result used = run(TcpConfig.DEFAULT, N_USED, true);
        System.out.printf("idle-connections (kernel clients -> stack listener over TUN, TcpSocket kept, default config): "
                        + "N=%d never used: heap %.0f B/conn, direct %.0f B/conn, RSS %.0f B/conn, opened at %.0f conn/s; "
                        + "N=%d after 1 byte each way: heap %.0f B/conn, direct %.0f B/conn, RSS %.0f B/conn; "
                        + "loop CPU while idle %.2f%% / %.2f%% of a core%n",
                silent.n, silent.heap(), silent.direct(), silent.rss(), silent.openRate(),
                used.n, used.heap(), used.direct(), used.rss(),
                100 * silent.idleCpuShare, 100 * used.idleCpuShare);
    }

    static final boolean HISTOGRAM = "1".equals(System.getenv("BENCH_HISTOGRAM"));

    /** Live-object class histogram (after a full GC): class → {instances, bytes}. */
    static java.util.Map<String, long[]> histogram() throws Exception {
        String text = (String) java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        java.util.Map<String, long[]> out = new java.util.HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                out.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return out;
    }

    static void printHistogramDelta(java.util.Map<String, long[]> before, java.util.Map<String, long[]> after, int n) {
        record Row(String name, double instances, double bytes) {}
        List<Row> rows = new ArrayList<>();
        for (var e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            rows.add(new Row(e.getKey(), (double) (e.getValue()[0] - b[0]) / n, (double) (e.getValue()[1] - b[1]) / n));
        }
        rows.sort((x, y) -> Double.compare(y.bytes, x.bytes));
        System.out.printf("  heap per connection by class (N=%d):%n", n);
        for (Row r : rows.subList(0, Math.min(15, rows.size()))) {
            System.out.printf("    %8.1f B %6.2f objects  %s%n", r.bytes, r.instances, r.name);
        }
    }

    record Result(int n, Bench.Memory before, Bench.Memory after, long openNanos, double idleCpuShare) {
        double heap() {
            return (double) (after.heapUsed() - before.heapUsed()) / n;
        }

        double direct() {
            return (double) (after.directUsed() - before.directUsed()) / n;
        }

        double rss() {
            return (double) (after.rss() - before.rss()) / n;
        }

        double openRate() {
            return n * 1e9 / openNanos;
        }
    }

    static Result run(TcpConfig config, int n, boolean exchange) throws Exception {
        try (TunRig rig = TunRig.open("bidl", 1500, config);
                TcpListener listener = TcpListener.bind(rig.stack, PORT, 4096)) {
            List<TcpSocket> sockets = new ArrayList<>(n);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            Bench.Memory before = Bench.Memory.read();
            java.util.Map<String, long[]> histogramBefore = HISTOGRAM ? histogram() : null;
            long t0 = System.nanoTime();
            Thread acceptor = Bench.start("acceptor", failure, () -> {
                while (sockets.size() < n && !stop.get()) {
                    try {
                        TcpSocket s = listener.accept(Duration.ofMillis(100));
                        synchronized (sockets) {
                            sockets.add(s);
                        }
                        if (exchange) {
                            ByteBuffer one = ByteBuffer.allocate(1);
                            if (s.read(one) != 1) {
                                throw new IllegalStateException("no byte from the client");
                            }
                            s.write(one.flip());
                        }
                    } catch (SocketTimeoutException e) {
                        // check stop
                    }
                }
            });
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process clients = new ProcessBuilder("ip", "netns", "exec", rig.ns.name(), javaBin, "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), IdleClients.class.getName(), Bench.STACK_ADDR,
                    Integer.toString(PORT), Integer.toString(n), exchange ? "exchange" : "silent")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(clients.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                if (line == null || !line.equals("connected " + n)) {
                    throw new IllegalStateException("client process said: " + line);
                }
                acceptor.join(30_000);
                long openNanos = System.nanoTime() - t0;
                stop.set(true);
                Bench.join(acceptor, 5_000);
                Bench.check(failure);
                if (sockets.size() != n) {
                    throw new IllegalStateException("accepted " + sockets.size() + " of " + n);
                }
                Bench.sleep(500); // delayed ACKs and the like settle
                Bench.Memory after = Bench.Memory.read();
                if (HISTOGRAM) {
                    printHistogramDelta(histogramBefore, histogram(), n);
                }
                Bench.LoopProbe probe = new Bench.LoopProbe(rig.stack);
                Bench.LoopSample s0 = probe.sample();
                Bench.sleep(2000);
                Bench.LoopSample idle = probe.sample().minus(s0);
                return new Result(n, before, after, openNanos, idle.cpuShare());
            } finally {
                clients.getOutputStream().close();
                if (!clients.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    clients.destroyForcibly();
                }
                for (TcpSocket s : sockets) {
                    s.abort();
                }
            }
        }
    }
}
