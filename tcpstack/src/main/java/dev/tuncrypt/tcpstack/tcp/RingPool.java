package dev.tuncrypt.tcpstack.tcp;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Direct buffers for the connections' send and receive rings, kept for reuse by one loop:
 * allocating (and so zeroing) a megabyte per connection per direction would dominate short
 * connections. Rings go back when they are empty; the pool keeps at most {@code maxBytes} of
 * them and lets the rest go to the garbage collector. Loop thread only.
 *
 * <p>A reused ring is not cleared: a ring only ever exposes bytes its connection wrote.
 */
public final class RingPool {
    private final Map<Integer, ArrayDeque<ByteBuffer>> free = new HashMap<>();
    private final long maxBytes;
    /** The queue of the size last asked for: a lookup by an int key would box it on every call. */
    private int lastCapacity = -1;
    private ArrayDeque<ByteBuffer> lastQueue;
    private long pooledBytes;
    private long allocations;
    private long reuses;

    public RingPool(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** A ring of exactly {@code capacity} bytes. */
    ByteBuffer take(int capacity) {
        ArrayDeque<ByteBuffer> q = queue(capacity);
        ByteBuffer b = q == null ? null : q.poll();
        if (b != null) {
            pooledBytes -= capacity;
            reuses++;
            return b.clear();
        }
        allocations++;
        return ByteBuffer.allocateDirect(capacity);
    }

    /** Takes back a ring no longer used. */
    void give(ByteBuffer ring) {
        int capacity = ring.capacity();
        if (pooledBytes + capacity > maxBytes) {
            return;
        }
        ArrayDeque<ByteBuffer> q = queue(capacity);
        if (q == null) {
            q = new ArrayDeque<>();
            free.put(capacity, q);
            lastCapacity = capacity;
            lastQueue = q;
        }
        q.add(ring);
        pooledBytes += capacity;
    }

    private ArrayDeque<ByteBuffer> queue(int capacity) {
        if (capacity != lastCapacity) {
            ArrayDeque<ByteBuffer> q = free.get(capacity);
            if (q == null) {
                return null;
            }
            lastCapacity = capacity;
            lastQueue = q;
        }
        return lastQueue;
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
}
