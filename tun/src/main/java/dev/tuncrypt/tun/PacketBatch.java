package dev.tuncrypt.tun;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A fixed set of pre-allocated direct buffers that a {@link PacketLink} fills in one call, so the
 * receive path allocates nothing per packet.
 */
public final class PacketBatch {
    private final ByteBuffer[] buffers;
    private int count;

    /**
     * @param capacity how many packets one batch holds
     * @param bufferSize bytes per packet buffer (at least the link MTU, more with a vnet header)
     */
    public PacketBatch(int capacity, int bufferSize) {
        if (capacity <= 0 || bufferSize <= 0) {
            throw new IllegalArgumentException("capacity and bufferSize must be positive");
        }
        buffers = new ByteBuffer[capacity];
        for (int i = 0; i < capacity; i++) {
            buffers[i] = ByteBuffer.allocateDirect(bufferSize).order(ByteOrder.BIG_ENDIAN);
        }
    }

    public int capacity() {
        return buffers.length;
    }

    public int bufferSize() {
        return buffers[0].capacity();
    }

    /** Number of packets currently held. */
    public int count() {
        return count;
    }

    /** Buffer {@code i}; for {@code i < count()} it holds a packet between position and limit. */
    public ByteBuffer get(int i) {
        return buffers[i];
    }

    /** Marks the first {@code n} buffers as holding packets. */
    public void setCount(int n) {
        if (n < 0 || n > buffers.length) {
            throw new IndexOutOfBoundsException(n);
        }
        count = n;
    }

    /** Empties the batch; every buffer is cleared to full capacity. */
    public void clear() {
        for (int i = 0; i < count; i++) {
            buffers[i].clear();
        }
        count = 0;
    }
}
