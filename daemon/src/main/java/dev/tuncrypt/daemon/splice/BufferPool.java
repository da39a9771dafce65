package dev.tuncrypt.daemon.splice;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Copy buffers of one size shared by every pump of a splicer: a pump holds one only while it has
 * something to copy, so idle connections hold none. Keeps at most {@code limit} spare buffers.
 */
final class BufferPool {
    private final int size;
    private final int limit;
    private final ConcurrentLinkedDeque<ByteBuffer> spare = new ConcurrentLinkedDeque<>();
    private final AtomicInteger spareCount = new AtomicInteger();

    BufferPool(int size, int limit) {
        this.size = size;
        this.limit = limit;
    }

    int size() {
        return size;
    }

    ByteBuffer take() {
        ByteBuffer b = spare.pollFirst();
        if (b == null) {
            return ByteBuffer.allocate(size);
        }
        spareCount.decrementAndGet();
        b.clear();
        return b;
    }

    void give(ByteBuffer b) {
        if (b.capacity() != size || spareCount.incrementAndGet() > limit) {
            if (b.capacity() == size) {
                spareCount.decrementAndGet();
            }
            return; // to the garbage collector
        }
        spare.addFirst(b);
    }
}
