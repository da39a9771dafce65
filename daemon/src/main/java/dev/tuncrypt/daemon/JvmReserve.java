package dev.tuncrypt.daemon;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The memory the running JVM keeps resident outside its heap and the connections' buffers: what
 * it holds at start (measured: the larger of the process's resident set less the committed heap,
 * and the JVM's own count of its non-heap pools plus {@link #UNACCOUNTED} for what those pools
 * leave out), plus the parallel collector's mark bitmap (a 32nd of the heap), plus room for the
 * code cache to fill up to its cap, plus {@link #GROWTH} for what start-up has not loaded yet,
 * plus the packet batches of each TUN queue. Measured once per process, so that a reload
 * (SIGHUP) derives the same split as the start did.
 */
final class JvmReserve {
    /**
     * Non-heap growth after start beyond the code cache: classes loaded later (splice, tcpcrypt,
     * metrics), JIT compiler arenas, the threads started later, malloc arenas. An idle daemon
     * (1 queue, -Xmx32m) measured 76 MiB resident outside the heap, of which 7 MiB code cache,
     * against about 50 MiB outside the heap when options are validated.
     */
    static final long GROWTH = 40L << 20;
    /** Direct memory each stack loop holds outside the budget: its packet batch, output and reassembly buffers. */
    static final long PACKETS_PER_QUEUE = 2L << 20;
    /**
     * Resident memory the JVM's non-heap pools (metaspace, class space, code cache) do not count:
     * libjvm's and the libraries' code, the class-data archive, symbols, GC structures, thread
     * stacks. An idle daemon (-Xmx32m) kept 76 MiB resident outside its heap, 25 MiB of it in
     * those pools.
     */
    static final long UNACCOUNTED = 52L << 20;

    private static long nonHeapAtStart = -1;

    private JvmReserve() {}

    /**
     * The reserve from its parts: the non-heap resident memory at start, the code cache's cap and
     * what it holds now, and the number of TUN queues.
     */
    static long of(long nonHeapResident, long heapCap, long codeCacheCap, long codeCacheCommitted, int queues) {
        long codeRoom = Math.max(0, codeCacheCap - codeCacheCommitted);
        return Math.max(0, nonHeapResident) + heapCap / 32 + codeRoom + GROWTH + PACKETS_PER_QUEUE * Math.max(1, queues);
    }

    /** This JVM's reserve for {@code queues} TUN queues. */
    static long measure(int queues) {
        return of(nonHeapAtStart(), heapCap(), vmOption("ReservedCodeCacheSize", 240L << 20), codeCacheCommitted(), queues);
    }

    /**
     * The split of {@code size} in this JVM. When the launcher sized this JVM from the same size
     * (its heap cap is {@link LauncherSizing#heapCap}), a size too small is answered with the
     * smallest one the launcher's sizing keeps; otherwise with the smallest for this heap cap.
     */
    static ProcessBudget split(long size, int queues) throws UsageException {
        long heap = heapCap();
        long reserve = measure(queues);
        long least = heap + reserve + ProcessBudget.MIN_BUFFERS;
        if (heap == LauncherSizing.heapCap(size)) {
            least = leastForLauncher(nonHeapAtStart(), codeCacheCommitted(), queues);
        }
        return ProcessBudget.derive(size, heap, reserve, least);
    }

    /** What the footprint measured at start may differ by from one start to the next. */
    static final long MEASUREMENT_SLACK = 4L << 20;

    /**
     * The smallest size, in whole MiB, whose launcher-sized JVM leaves the buffers their minimum,
     * plus {@link #MEASUREMENT_SLACK} (the next start measures anew).
     */
    static long leastForLauncher(long nonHeapResident, long codeCacheCommitted, int queues) {
        for (long size = 16L << 20; ; size += 1L << 20) {
            long heap = LauncherSizing.heapCap(size);
            long reserve = of(nonHeapResident, heap, LauncherSizing.codeCacheCap(size), codeCacheCommitted, queues);
            if (size - heap - reserve >= ProcessBudget.MIN_BUFFERS + MEASUREMENT_SLACK) {
                return size;
            }
        }
    }

    /** This JVM's heap cap: {@code -Xmx} (MaxHeapSize), else what the runtime reports. */
    static long heapCap() {
        return vmOption("MaxHeapSize", Runtime.getRuntime().maxMemory());
    }

    private static synchronized long nonHeapAtStart() {
        if (nonHeapAtStart < 0) {
            var memory = ManagementFactory.getMemoryMXBean();
            long pools = memory.getNonHeapMemoryUsage().getCommitted() + UNACCOUNTED;
            long resident = residentBytes() - memory.getHeapMemoryUsage().getCommitted();
            nonHeapAtStart = Math.max(pools, resident);
        }
        return nonHeapAtStart;
    }

    /** VmRSS of this process, or -1 where /proc cannot say. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) << 10;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc hidden: the caller estimates instead
        }
        return -1;
    }

    private static long codeCacheCommitted() {
        long committed = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().startsWith("CodeHeap") || pool.getName().equals("CodeCache")) {
                committed += pool.getUsage().getCommitted();
            }
        }
        return committed;
    }

    private static long vmOption(String name, long fallback) {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            long v = Long.parseLong(bean.getVMOption(name).getValue());
            return v > 0 ? v : fallback;
        } catch (RuntimeException | LinkageError e) {
            return fallback; // not HotSpot
        }
    }
}
