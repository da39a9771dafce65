package dev.tuncrypt.bench;

import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Heap allocation on the hot path during a bulk transfer of one connection:
 *
 * <ul>
 *   <li>exact bytes per thread from {@code ThreadMXBean.getThreadAllocatedBytes}: the stack loop
 *       thread per packet it read or wrote, the application thread per {@link TcpSocket} call;
 *   <li>where it comes from: a JFR recording of {@code jdk.ObjectAllocationSample} per scenario,
 *       kept in {@code bench/target/alloc-*.jfr} and summarized here by thread, class and first
 *       project frame (inspect with {@code jfr summary} / {@code jfr print --events
 *       jdk.ObjectAllocationSample}).
 * </ul>
 *
 * Scenarios: kernel → stack and stack → kernel through the TUN device (root), and stack ↔ stack
 * over a MemoryLink driven by one thread through the loop-side API (no root).
 */
public final class AllocationBench {
    static final Path OUT = outputDirectory();

    /** bench/target when we may write there, else a temporary directory. */
    static Path outputDirectory() {
        Path p = Path.of(System.getProperty("bench.out", "bench/target"));
        if (Files.isDirectory(p) && Files.isWritable(p)) {
            return p;
        }
        try {
            return Files.createTempDirectory("tuncrypt-bench");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        long millis = Bench.seconds(args, 3) * 1000L;
        Files.createDirectories(OUT);
        List<String> parts = new ArrayList<>();
        List<String> details = new ArrayList<>();
        if (Bench.rootOrSkip("allocation (TUN part)")) {
            try (TunRig rig = TunRig.open("balc", 1500, TcpConfig.DEFAULT)) {
                Scenario k2s = record("k2s", () -> kernelToStack(rig, millis));
                Scenario s2k = record("s2k", () -> stackToKernel(rig, millis));
                parts.add(String.format("kernel->stack loop %.2f B/packet (%.0f kB/s), app %.0f B/read call; "
                                + "stack->kernel loop %.2f B/packet (%.0f kB/s), app %.0f B/write call",
                        k2s.loop.bytesPerPacket(), k2s.loopRate(), k2s.appBytesPerCall(), s2k.loop.bytesPerPacket(),
                        s2k.loopRate(), s2k.appBytesPerCall()));
                details.add("  kernel->stack (" + k2s.jfr + "): " + k2s.top);
                details.add("  stack->kernel (" + s2k.jfr + "): " + s2k.top);
            }
        }
        Scenario mem = record("memorylink", () -> {
            Transfer t = MemoryLinkThroughputBench.singleThread(500, millis);
            return new Scenario(t.loops(), 0, 0, null, null);
        });
        parts.add(String.format("stack<->stack one thread, loop-side API %.2f B/packet", mem.loop.bytesPerPacket()));
        details.add("  stack<->stack (" + mem.jfr + "): " + mem.top);
        System.out.println("allocation (bulk transfer, 1 connection, " + millis / 1000 + " s each): " + String.join("; ", parts));
        details.forEach(System.out::println);
    }

    /** What the loop thread(s) did and what the application thread allocated over its calls. */
    record Scenario(Bench.LoopSample loop, long appAllocated, long appCalls, String jfr, String top) {
        double appBytesPerCall() {
            return (double) appAllocated / Math.max(1, appCalls);
        }

        /** Loop allocation rate in kB/s. */
        double loopRate() {
            return loop.allocated() / (loop.nanos() / 1e9) / 1e3;
        }
    }

    interface Body {
        Scenario run() throws Exception;
    }

    /** Runs {@code body} under a JFR allocation-sample recording and summarizes it. */
    static Scenario record(String name, Body body) throws Exception {
        Path file = OUT.resolve("alloc-" + name + ".jfr");
        Scenario s;
        try (Recording r = new Recording()) {
            r.enable("jdk.ObjectAllocationSample").with("throttle", "5000/s").withStackTrace();
            r.start();
            s = body.run();
            r.stop();
            r.dump(file);
        }
        return new Scenario(s.loop, s.appAllocated, s.appCalls, file.toString(), summarize(file));
    }

    /**
     * Top allocation sites (JFR's estimated bytes) during the measurement window, for the threads
     * that run stack loops ("main" drives them in the one-thread scenario) and for the application
     * threads that call {@link TcpSocket}.
     */
    static String summarize(Path file) throws Exception {
        Map<String, Long> loop = new HashMap<>();
        Map<String, Long> app = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (!e.getEventType().getName().equals("jdk.ObjectAllocationSample")
                    || e.getStartTime().isBefore(Bench.windowStart) || e.getStartTime().isAfter(Bench.windowEnd)) {
                continue;
            }
            String thread = e.getThread("eventThread") != null ? e.getThread("eventThread").getJavaName() : null;
            Map<String, Long> into;
            if (thread != null && (thread.startsWith("tuncrypt-loop") || thread.equals("main"))) {
                into = loop;
            } else if (thread != null && thread.startsWith("app-")) {
                into = app;
            } else {
                continue;
            }
            String site = "?";
            if (e.getStackTrace() != null) {
                for (RecordedFrame f : e.getStackTrace().getFrames()) {
                    String type = f.getMethod().getType().getName();
                    if (type.startsWith("dev.tuncrypt.") && !type.startsWith("dev.tuncrypt.bench.")) {
                        site = type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName() + ":" + f.getLineNumber();
                        break;
                    }
                }
            }
            String cls = e.getClass("objectClass").getName();
            int slash = cls.indexOf('/'); // hidden classes (lambdas): Outer$$Lambda/0x...
            String base = slash < 0 ? cls : cls.substring(0, slash);
            into.merge(base.substring(base.lastIndexOf('.') + 1) + " @ " + site, e.getLong("weight"), Long::sum);
        }
        return "loop thread: " + top(loop) + (app.isEmpty() ? "" : "; app thread: " + top(app));
    }

    private static String top(Map<String, Long> bySite) {
        if (bySite.isEmpty()) {
            return "no allocation sample in the window";
        }
        long all = bySite.values().stream().mapToLong(Long::longValue).sum();
        return "~" + (all >> 10) + " KiB sampled, " + bySite.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(4)
                .map(en -> String.format("%s %.0f%%", en.getKey(), 100.0 * en.getValue() / all))
                .reduce((a, b) -> a + ", " + b).orElse("");
    }

    static Scenario kernelToStack(TunRig rig, long millis) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (TcpListener listener = TcpListener.bind(rig.stack, 5101, 16)) {
            Thread sender = rig.startInNamespace("kernel-sender", failure, () -> {
                try (SocketChannel s = SocketChannel.open(new InetSocketAddress(Bench.STACK_ADDR, 5101))) {
                    TcpThroughputBench.pumpKernel(s, stop);
                }
            });
            TcpSocket t = listener.accept(Duration.ofSeconds(5));
            Thread receiver = Bench.start("app-receiver", failure, () -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(Transfer.CHUNK);
                int n;
                while ((n = t.read(buf.clear())) >= 0) {
                    received.addAndGet(n);
                    calls.incrementAndGet();
                }
            });
            Scenario s = measure(rig, receiver, calls, millis);
            stop.set(true);
            Bench.join(sender, 10_000);
            Bench.join(receiver, 10_000);
            t.close();
            Bench.check(failure);
            return s;
        }
    }

    static Scenario stackToKernel(TunRig rig, long millis) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ServerSocketChannel server = rig.exec(() -> TcpThroughputBench.listen(Bench.KERNEL_ADDR, 5102))) {
            Thread receiver = Bench.start("kernel-receiver", failure, () -> {
                try (SocketChannel s = server.accept()) {
                    TcpThroughputBench.drainKernel(s, received);
                }
            });
            TcpSocket t = TcpSocket.connect(rig.stack, new InetSocketAddress(Bench.KERNEL_ADDR, 5102), Duration.ofSeconds(5));
            Thread sender = Bench.start("app-sender", failure, () -> {
                ByteBuffer chunk = ByteBuffer.allocateDirect(Transfer.CHUNK);
                while (!stop.get()) {
                    t.write(chunk.clear());
                    calls.incrementAndGet();
                }
                t.close();
            });
            Scenario s = measure(rig, sender, calls, millis);
            stop.set(true);
            Bench.join(sender, 10_000);
            Bench.join(receiver, 10_000);
            Bench.check(failure);
            return s;
        }
    }

    private static Scenario measure(TunRig rig, Thread app, AtomicLong calls, long millis) throws Exception {
        Bench.LoopProbe probe = new Bench.LoopProbe(rig.stack);
        Bench.sleep(1000);
        Bench.LoopSample l0 = probe.sample();
        long a0 = Bench.THREADS.getThreadAllocatedBytes(app.threadId());
        long c0 = calls.get();
        Bench.windowStarts();
        Bench.sleep(millis);
        Bench.windowEnds();
        long a1 = Bench.THREADS.getThreadAllocatedBytes(app.threadId());
        long c1 = calls.get();
        Bench.LoopSample l1 = probe.sample();
        return new Scenario(l1.minus(l0), a1 - a0, c1 - c0, null, null);
    }
}
