package dev.tuncrypt.tcpstack.tcp;

import dev.tuncrypt.tcpstack.MemoryBudget;
import java.lang.foreign.Arena;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Memory for the connections' send and receive rings, taken from a {@link MemoryBudget} and kept
 * for reuse by one loop. Rings come in power-of-two sizes from {@link #MIN_RING} up to a
 * buffer's maximum ({@link #sizeFor}), so a connection that trickles a byte holds 4 KiB, not a
 * megabyte; a buffer grows its ring in those steps as it fills and gives it back when drained.
 *
 * <p>Each ring is its own native allocation, freed the moment the pool lets it go (not when a
 * garbage collection happens to run): the budget counts what is really held. A ring whose holder
 * was dropped without giving it back is freed by a cleaner. The pool keeps at most
 * {@code maxPooledBytes} of free rings and empties itself before the budget refuses a ring.
 * Loop thread only.
 *
 * <p>A reused ring is not cleared: a ring only ever exposes bytes its connection wrote.
 */
public final class RingPool {
    /** The smallest ring. */
    public static final int MIN_RING = 4096;
    private static final Cleaner CLEANER = Cleaner.create();

    private final MemoryBudget budget;
    private final long maxPooledBytes;
    private final Map<Integer, ArrayDeque<Ring>> free = new HashMap<>();
    private long pooledBytes;
    private long allocations;
    private long reuses;
    private long freed;
    private long refusals;

    /** A pool with no budget but the JVM's, keeping at most {@code maxPooledBytes} of free rings. */
    public RingPool(long maxPooledBytes) {
        this(MemoryBudget.unlimited(), maxPooledBytes);
    }

    public RingPool(MemoryBudget budget, long maxPooledBytes) {
        this.budget = budget;
        this.maxPooledBytes = maxPooledBytes;
    }

    /** A pool for a buffer of its own (tests, tools): no budget, nothing kept. */
    static RingPool unpooled() {
        return new RingPool(MemoryBudget.unlimited(), 0);
    }

    /** The ring size for {@code need} bytes in a buffer of at most {@code max}: the next power of two from {@link #MIN_RING}. */
    public static int sizeFor(int need, int max) {
        long s = MIN_RING;
        while (s < need) {
            s <<= 1;
        }
        return (int) Math.min(s, max);
    }

    /** How many bytes a buffer of at most {@code max} may offer now (shrinks as the budget fills). */
    int window(int max) {
        return budget.window(max);
    }

    /**
     * A ring of exactly {@code capacity} bytes, or null when the budget has no room for it
     * ({@code force}: only when the JVM itself has none).
     */
    Ring take(int capacity, boolean force) {
        ArrayDeque<Ring> q = queue(capacity);
        Ring r = q == null ? null : q.poll();
        if (r != null) {
            pooledBytes -= capacity;
            reuses++;
            r.buffer.clear();
            return r;
        }
        if (!budget.tryReserve(capacity)) {
            trim(0); // the free rings of other sizes go first
            if (!budget.tryReserve(capacity)) {
                if (!force) {
                    refusals++;
                    return null;
                }
                budget.forceReserve(capacity);
            }
        }
        Arena arena = null;
        try {
            arena = Arena.ofShared();
            ByteBuffer b = arena.allocate(capacity, 64).asByteBuffer();
            allocations++;
            return new Ring(b, new Memory(arena, capacity, budget));
        } catch (OutOfMemoryError e) {
            if (arena != null) {
                arena.close();
            }
            budget.release(capacity);
            refusals++;
            return null; // the JVM's direct memory is used up: the caller gets less room, the loop goes on
        }
    }

    /** Takes back a ring no longer used: kept for reuse, or freed at once. */
    void give(Ring ring) {
        int capacity = ring.buffer.capacity();
        if (pooledBytes + capacity > maxPooledBytes) {
            ring.memory.free();
            freed++;
            return;
        }
        ArrayDeque<Ring> q = queue(capacity);
        if (q == null) {
            q = new ArrayDeque<>();
            free.put(capacity, q);
        }
        q.add(ring);
        pooledBytes += capacity;
    }

    /** Frees pooled rings until at most {@code keepBytes} are left. */
    public void trim(long keepBytes) {
        for (ArrayDeque<Ring> q : free.values()) {
            while (pooledBytes > keepBytes && !q.isEmpty()) {
                Ring r = q.poll();
                pooledBytes -= r.buffer.capacity();
                r.memory.free();
                freed++;
            }
        }
    }

    /** Bytes of rings waiting for reuse. */
    public long pooledBytes() {
        return pooledBytes;
    }

    /** Rings allocated because none was free. */
    public long allocations() {
        return allocations;
    }

    /** Rings handed out again. */
    public long reuses() {
        return reuses;
    }

    /** Rings freed (the pool was full, or trimmed). */
    public long freed() {
        return freed;
    }

    /** Rings refused for want of budget or memory. */
    public long refusals() {
        return refusals;
    }

    /** A ring: its buffer and the memory behind it. */
    static final class Ring {
        final ByteBuffer buffer;
        final Memory memory;

        Ring(ByteBuffer buffer, Memory memory) {
            this.buffer = buffer;
            this.memory = memory;
            CLEANER.register(this, memory);
        }
    }

    /** The native memory of one ring; freed once, by the pool or by the cleaner. */
    static final class Memory implements Runnable {
        private final Arena arena;
        private final long bytes;
        private final MemoryBudget budget;
        private final AtomicBoolean freed = new AtomicBoolean();

        Memory(Arena arena, long bytes, MemoryBudget budget) {
            this.arena = arena;
            this.bytes = bytes;
            this.budget = budget;
        }

        void free() {
            if (freed.compareAndSet(false, true)) {
                arena.close();
                budget.release(bytes);
            }
        }

        @Override
        public void run() {
            free();
        }
    }

    /** The queue of the size last asked for: a lookup by an int key would box it on every call. */
    private int lastCapacity = -1;
    private ArrayDeque<Ring> lastQueue;

    private ArrayDeque<Ring> queue(int capacity) {
        if (capacity != lastCapacity) {
            ArrayDeque<Ring> q = free.get(capacity);
            if (q == null) {
                return null;
            }
            lastCapacity = capacity;
            lastQueue = q;
        }
        return lastQueue;
    }
}
