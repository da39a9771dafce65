package dev.tuncrypt.tcpstack;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The memory the stack's connection buffers may use, shared by every loop of a stack: send and
 * receive rings take their bytes from it and give them back when freed. As it fills, receive
 * windows and send buffers shrink ({@link #window}), and past {@link #REFUSE_AT} new connections
 * are refused ({@link #admitsConnection}) so the connections already open keep room to work.
 *
 * <p>Rings are taken only while the budget has room ({@link #tryReserve}); the few copies the
 * protocol cannot leave half done (a sealed frame, an opened one) may take theirs anyway
 * ({@link #forceReserve}), bounded by the windows already offered. Thread-safe.
 */
public final class MemoryBudget {
    /** Fraction of the budget in use from which windows shrink. */
    public static final double SHRINK_FROM = 0.5;
    /** Fraction in use from which new connections are refused. */
    public static final double REFUSE_AT = 0.85;
    /** The smallest window a buffer is shrunk to: a few segments, so connections still make progress. */
    public static final int MIN_WINDOW = 16 << 10;
    /** Room a new connection needs to start (its first rings). */
    public static final int CONNECTION_RESERVE = 64 << 10;

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final LongAdder refusedConnections = new LongAdder();
    private final LongAdder refusedAllocations = new LongAdder();
    private final LongAdder overshootAllocations = new LongAdder();

    private MemoryBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("memory budget must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** A budget of {@code bytes}. */
    public static MemoryBudget of(long bytes) {
        return new MemoryBudget(bytes);
    }

    /** No budget to speak of: the JVM's own limit is the only one. */
    public static MemoryBudget unlimited() {
        return new MemoryBudget(Long.MAX_VALUE / 4);
    }

    /**
     * The default: three quarters of the JVM's direct-memory limit ({@code -XX:MaxDirectMemorySize},
     * which defaults to the maximum heap), leaving the rest for packet batches and scratch buffers.
     */
    public static long defaultBytes() {
        return maxDirectMemory() / 4 * 3;
    }

    /** The JVM's direct-memory limit. */
    public static long maxDirectMemory() {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            long configured = Long.parseLong(bean.getVMOption("MaxDirectMemorySize").getValue());
            if (configured > 0) {
                return configured;
            }
        } catch (RuntimeException | LinkageError e) {
            // not HotSpot: fall back to the heap limit, the JVM's own default
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** Takes {@code bytes} if the budget has room for them. */
    public boolean tryReserve(long bytes) {
        long u;
        do {
            u = used.get();
            if (u + bytes > limit) {
                refusedAllocations.increment();
                return false;
            }
        } while (!used.compareAndSet(u, u + bytes));
        peak.accumulateAndGet(u + bytes, Math::max);
        return true;
    }

    /** Takes {@code bytes} even past the limit (counted): for copies that cannot stop half way. */
    public void forceReserve(long bytes) {
        long u = used.addAndGet(bytes);
        if (u > limit) {
            overshootAllocations.increment();
        }
        peak.accumulateAndGet(u, Math::max);
    }

    /** Gives back {@code bytes} taken before. */
    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /**
     * The window (or send buffer) a buffer of at most {@code max} bytes may offer now: all of it
     * while less than {@link #SHRINK_FROM} of the budget is used, then shrinking linearly to
     * {@link #MIN_WINDOW} at {@link #REFUSE_AT} and beyond; never more than a quarter of the budget.
     */
    public int window(int max) {
        max = (int) Math.min(max, Math.max(MIN_WINDOW, limit / 4));
        double p = pressure();
        if (p <= SHRINK_FROM) {
            return max;
        }
        double left = Math.max(0, (REFUSE_AT - p) / (REFUSE_AT - SHRINK_FROM));
        return (int) Math.min(max, Math.max(MIN_WINDOW, max * left));
    }

    /**
     * Whether a new connection may be created: false (and counted) once {@link #REFUSE_AT} of the
     * budget is used or less than {@link #CONNECTION_RESERVE} is left.
     */
    public boolean admitsConnection() {
        long u = used.get();
        if (u >= limit * REFUSE_AT || limit - u < CONNECTION_RESERVE) {
            refusedConnections.increment();
            return false;
        }
        return true;
    }

    /** Fraction of the budget in use (may pass 1 by forced reservations). */
    public double pressure() {
        return (double) used.get() / limit;
    }

    public long limit() {
        return limit;
    }

    public long used() {
        return used.get();
    }

    /** Highest use seen. */
    public long peak() {
        return peak.get();
    }

    /** Connections refused because the budget was nearly used up. */
    public long refusedConnections() {
        return refusedConnections.sum();
    }

    /** Ring allocations refused (the writer got less room, or the segment was dropped). */
    public long refusedAllocations() {
        return refusedAllocations.sum();
    }

    /** Allocations forced past the limit. */
    public long overshootAllocations() {
        return overshootAllocations.sum();
    }

    @Override
    public String toString() {
        return "MemoryBudget[" + used.get() + "/" + limit + " bytes, refused " + refusedConnections() + " connections]";
    }
}
