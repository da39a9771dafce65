package dev.tuncrypt.bench;

import com.sun.management.ThreadMXBean;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.StackCounters;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Plumbing shared by the benchmarks: arguments, root check, thread probes, memory readings. */
final class Bench {
    static final String KERNEL_ADDR = "198.18.7.1";
    static final String STACK_ADDR = "198.18.7.2";
    static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Wall-clock start and end of the last measurement window (to pick JFR events inside it). */
    static volatile java.time.Instant windowStart = java.time.Instant.MIN;
    static volatile java.time.Instant windowEnd = java.time.Instant.MAX;

    private Bench() {}

    static void windowStarts() {
        windowStart = java.time.Instant.now();
        windowEnd = java.time.Instant.MAX;
    }

    static void windowEnds() {
        windowEnd = java.time.Instant.now();
    }

    /** Seconds of one measurement: first argument, else BENCH_SECONDS, else {@code fallback}. */
    /**
     * Whether the TUN benchmarks ask the device for offloads (super-packets, checksums left to
     * the kernel): yes unless {@code BENCH_OFFLOAD=0}, which measures the one-packet-per-call path.
     */
    static boolean offload() {
        String env = System.getenv("BENCH_OFFLOAD");
        return env == null || !env.strip().equals("0");
    }

    static int seconds(String[] args, int fallback) {
        if (args.length > 0) {
            return Integer.parseInt(args[0]);
        }
        String env = System.getenv("BENCH_SECONDS");
        return env != null && !env.isBlank() ? Integer.parseInt(env.strip()) : fallback;
    }

    /** Prints a SKIPPED line and returns false unless we are root with a TUN driver. */
    static boolean rootOrSkip(String bench) {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean tun = Files.exists(Path.of("/dev/net/tun"));
        if (root && tun) {
            return true;
        }
        System.out.println(bench + ": SKIPPED: " + (root ? "no /dev/net/tun (modprobe tun)"
                : "needs root (it creates network namespaces and a TUN device): run `sudo make bench`"));
        return false;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Machine-wide CPU ticks from /proc/stat: busy (user, nice, system, irq, softirq: the kernel's
     * network work included, whoever it is charged to), idle (with iowait) and steal (time the
     * hypervisor gave to someone else).
     */
    record CpuTimes(long busy, long idle, long steal) {
        static CpuTimes read() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
                long[] v = new long[9];
                for (int i = 1; i < Math.min(f.length, 10); i++) {
                    v[i - 1] = Long.parseLong(f[i]);
                }
                return new CpuTimes(v[0] + v[1] + v[2] + v[5] + v[6], v[3] + v[4], v[7]);
            } catch (Exception e) {
                return new CpuTimes(0, 0, 0);
            }
        }

        CpuTimes minus(CpuTimes o) {
            return new CpuTimes(busy - o.busy, idle - o.idle, steal - o.steal);
        }

        /** Busy cores, out of {@code nproc}. */
        double busyCores() {
            long all = busy + idle + steal;
            return all == 0 ? Double.NaN : (double) busy / all * Runtime.getRuntime().availableProcessors();
        }

        double stealCores() {
            long all = busy + idle + steal;
            return all == 0 ? Double.NaN : (double) steal / all * Runtime.getRuntime().availableProcessors();
        }
    }

    /** Bytes over nanoseconds as Gbit/s. */
    static double gbit(long bytes, long nanos) {
        return bytes * 8.0 / nanos;
    }

    /** A task that may throw. */
    interface Body {
        void run() throws Exception;
    }

    /** A started platform thread running {@code body}; what it throws lands in {@code failure}. */
    static Thread start(String name, AtomicReference<Throwable> failure, Body body) {
        return Thread.ofPlatform().name(name).daemon(true).start(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
    }

    static void join(Thread t, long millis) {
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            throw new IllegalStateException(t.getName() + " did not finish within " + millis + " ms");
        }
    }

    static void check(AtomicReference<Throwable> failure) {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("a benchmark thread failed: " + t, t);
        }
    }

    /** The thread ids of every loop of {@code stack} (it must be running). */
    static List<Long> loopThreads(NetStack stack) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < stack.loopCount(); i++) {
            CompletableFuture<Long> f = new CompletableFuture<>();
            stack.loop(i).post(() -> f.complete(Thread.currentThread().threadId()));
            ids.add(f.get(5, TimeUnit.SECONDS));
        }
        return ids;
    }

    /** CPU time, allocated bytes and packets of a set of loop threads at one instant. */
    record LoopSample(long nanos, long cpuNanos, long allocated, long rxPackets, long txPackets) {
        LoopSample minus(LoopSample o) {
            return new LoopSample(nanos - o.nanos, cpuNanos - o.cpuNanos, allocated - o.allocated,
                    rxPackets - o.rxPackets, txPackets - o.txPackets);
        }

        /** Share of one core the loop threads used. */
        double cpuShare() {
            return (double) cpuNanos / nanos;
        }

        /** Heap bytes allocated per packet read or written by the loops. */
        double bytesPerPacket() {
            return (double) allocated / Math.max(1, rxPackets + txPackets);
        }
    }

    /** Samples the loop threads of some running stacks. */
    static final class LoopProbe {
        private final NetStack[] stacks;
        private final long[] ids;

        LoopProbe(NetStack... stacks) throws Exception {
            this.stacks = stacks;
            List<Long> all = new ArrayList<>();
            for (NetStack s : stacks) {
                all.addAll(loopThreads(s));
            }
            ids = all.stream().mapToLong(Long::longValue).toArray();
        }

        LoopSample sample() {
            long rx = 0;
            long tx = 0;
            for (NetStack s : stacks) {
                StackCounters c = s.counters();
                rx += c.rxPackets();
                tx += c.txPackets();
            }
            long cpu = 0;
            long alloc = 0;
            for (long id : ids) {
                long t = THREADS.getThreadCpuTime(id);
                if (t < 0) {
                    throw new IllegalStateException("a stack loop thread died (its stack trace is above)");
                }
                cpu += t;
                alloc += THREADS.getThreadAllocatedBytes(id);
            }
            return new LoopSample(System.nanoTime(), cpu, alloc, rx, tx);
        }
    }

    /** Heap in use after full collections, direct-buffer memory, and resident set size. */
    record Memory(long heapUsed, long directUsed, long directCount, long rss) {
        static Memory read() {
            for (int i = 0; i < 3; i++) {
                System.gc();
                sleep(150);
            }
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long direct = 0;
            long count = 0;
            for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                if (pool.getName().equals("direct")) {
                    direct = pool.getMemoryUsed();
                    count = pool.getCount();
                }
            }
            return new Memory(heap, direct, count, readRss());
        }

        static long readRss() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (Exception e) {
                // not Linux: no RSS
            }
            return -1;
        }
    }
}
