package dev.tuncrypt.daemon.metrics;

import dev.tuncrypt.daemon.metrics.ExpositionWriter.Type;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The conventional process and JVM families (the names Prometheus' own client libraries use,
 * so existing dashboards and alerts work): CPU seconds, resident memory, open descriptors and
 * start time of the process from {@link ProcessHandle} and {@code /proc/self}; heap and
 * non-heap memory and live threads of the JVM. A value that cannot be read (no {@code /proc})
 * leaves its family out, never guessed.
 */
final class ProcessMetrics {
    private final Path proc;

    /** Reads {@code proc} ({@code /proc/self} in the daemon). */
    ProcessMetrics(Path proc) {
        this.proc = proc;
    }

    void write(ExpositionWriter w) {
        ProcessHandle.Info info = ProcessHandle.current().info();
        info.totalCpuDuration().ifPresent(d -> w.family("process_cpu_seconds_total", Type.COUNTER,
                "User and system CPU time spent by the process, in seconds.").sample("", seconds(d)));
        info.startInstant().ifPresent(t -> w.family("process_start_time_seconds", Type.GAUGE,
                "Start time of the process since the Unix epoch, in seconds.").sample("", epochSeconds(t)));
        long rss = residentBytes();
        if (rss >= 0) {
            w.family("process_resident_memory_bytes", Type.GAUGE, "Resident memory of the process, in bytes.").sample(rss);
        }
        long fds = openFds();
        if (fds >= 0) {
            w.family("process_open_fds", Type.GAUGE, "Open file descriptors of the process.").sample(fds);
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        w.family("jvm_memory_used_bytes", Type.GAUGE, "Memory the JVM uses, by area (heap, nonheap), in bytes.")
                .sample(memory.getHeapMemoryUsage().getUsed(), "area", "heap")
                .sample(memory.getNonHeapMemoryUsage().getUsed(), "area", "nonheap");
        long max = memory.getHeapMemoryUsage().getMax();
        if (max >= 0) {
            w.family("jvm_memory_max_bytes", Type.GAUGE, "Most memory the JVM may use, by area (heap), in bytes.")
                    .sample(max, "area", "heap");
        }
        w.family("jvm_threads_current", Type.GAUGE, "Live JVM threads.")
                .sample(ManagementFactory.getThreadMXBean().getThreadCount());
        w.family("jvm_gc_collections_total", Type.COUNTER, "Garbage collections since start, by collector.");
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            w.sample(Math.max(0, gc.getCollectionCount()), "gc", gc.getName());
        }
        w.family("jvm_gc_collection_seconds_total", Type.COUNTER,
                "Time spent in garbage collections since start (as the collectors report it), by collector.");
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            w.sample("", Math.max(0, gc.getCollectionTime()) / 1000.0, "gc", gc.getName());
        }
    }

    /** VmRSS of {@code status}, or -1. */
    private long residentBytes() {
        try {
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).strip().split("\\s+");
                    return Long.parseLong(f[0]) * 1024; // kB
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: left out
        }
        return -1;
    }

    private long openFds() {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path ignored : fds) {
                n++;
            }
            return n - 1; // the directory stream's own descriptor
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static double epochSeconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }
}
