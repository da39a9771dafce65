package dev.tuncrypt.tcpstack.tcp;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The receive buffer: a byte ring in one direct {@link ByteBuffer} holding in-order octets that
 * the application has not read yet. Its free space, counted from RCV.NXT, is the receive window
 * to advertise (RFC 9293 §3.8.6.2).
 *
 * <p>The free part of the ring also stores out-of-order octets at their final place: a
 * {@link ReassemblyQueue} writes them there and makes them readable once the gap before them is
 * filled, without copying. On a connection that uses a {@link ReassemblyQueue}, all incoming
 * data must go through it rather than {@link #write}. Nothing is allocated after construction.
 */
public final class ReceiveBuffer {
    /** Taken on the first write and given back when empty, so an idle connection holds no buffer memory. */
    private ByteBuffer ring;
    private final RingPool pool;
    private final int capacity;
    /** Index in {@link #ring} of the next octet the application reads. */
    private int head;
    private int readable;

    /** A buffer of {@code capacity} bytes. */
    public ReceiveBuffer(int capacity) {
        this(capacity, null);
    }

    /** A buffer whose ring comes from (and goes back to) {@code pool}; null: allocate. */
    public ReceiveBuffer(int capacity, RingPool pool) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.pool = pool;
    }

    /** Discards everything. */
    public void clear() {
        head = 0;
        readable = 0;
    }

    /**
     * Appends in-order octets from {@code src}, as many as fit, advancing its position.
     *
     * @return bytes appended
     */
    public int write(ByteBuffer src) {
        int n = Math.min(src.remaining(), free());
        writeAt(0, src, src.position(), n);
        src.position(src.position() + n);
        readable += n;
        return n;
    }

    /**
     * Stores {@code length} octets of {@code src}, from its absolute index {@code srcIndex}, at
     * {@code offset} bytes past the readable data, without making them readable. {@code src}'s
     * position does not change.
     */
    void writeAt(int offset, ByteBuffer src, int srcIndex, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > free()) {
            throw new IllegalArgumentException("[" + offset + ", +" + length + ") outside the free space " + free());
        }
        int at = index(readable + offset);
        int first = Math.min(length, capacity - at);
        if (length == 0) {
            return;
        }
        ByteBuffer r = ring();
        r.put(at, src, srcIndex, first);
        r.put(0, src, srcIndex + first, length - first);
    }

    /** Makes {@code n} octets stored by {@link #writeAt} right after the readable data readable. */
    void commit(int n) {
        if (n < 0 || n > free()) {
            throw new IllegalArgumentException("cannot commit " + n + " of " + free() + " free bytes");
        }
        readable += n;
    }

    /**
     * Moves readable octets into {@code dst}, as many as fit, advancing its position.
     *
     * @return bytes read
     */
    public int read(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), readable);
        if (n == 0) {
            return 0;
        }
        int first = Math.min(n, capacity - head);
        dst.put(dst.position(), ring, head, first);
        dst.put(dst.position() + first, ring, 0, n - first);
        dst.position(dst.position() + n);
        consume(n);
        return n;
    }

    /**
     * Moves up to {@code length} readable octets into {@code dst} at {@code offset}.
     *
     * @return bytes read
     */
    public int read(byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        int n = Math.min(length, readable);
        if (n == 0) {
            return 0;
        }
        int first = Math.min(n, capacity - head);
        ring.get(head, dst, offset, first);
        ring.get(0, dst, offset + first, n - first);
        consume(n);
        return n;
    }

    /**
     * Moves as many readable octets as {@code dst} has room for to its end, ring to ring (no
     * buffer in between): the splice of two connections.
     *
     * @return bytes moved
     */
    int moveTo(SendBuffer dst) {
        int n = Math.min(readable, dst.free());
        if (n == 0) {
            return 0;
        }
        int first = Math.min(n, capacity - head);
        dst.appendRange(ring, head, first);
        dst.appendRange(ring, 0, n - first);
        consume(n);
        return n;
    }

    /** As {@link #moveTo(SendBuffer)} into another receive buffer (a protected stream's plaintext). */
    int moveTo(ReceiveBuffer dst) {
        int n = Math.min(readable, dst.free());
        if (n == 0) {
            return 0;
        }
        int first = Math.min(n, capacity - head);
        dst.writeAt(0, ring, head, first);
        dst.writeAt(first, ring, 0, n - first);
        dst.commit(n);
        consume(n);
        return n;
    }

    /**
     * Copies up to {@code dst.remaining()} readable octets starting {@code skip} octets in,
     * without consuming them, advancing {@code dst}'s position.
     *
     * @return bytes copied
     */
    public int peek(ByteBuffer dst, int skip) {
        if (skip < 0 || skip > readable) {
            return 0;
        }
        int n = Math.min(dst.remaining(), readable - skip);
        if (n == 0) {
            return 0;
        }
        int from = index(skip);
        int first = Math.min(n, capacity - from);
        dst.put(dst.position(), ring, from, first);
        dst.put(dst.position() + first, ring, 0, n - first);
        dst.position(dst.position() + n);
        return n;
    }

    /** Discards {@code n} readable octets (at most what is readable). */
    public void skip(int n) {
        consume(Math.min(Math.max(n, 0), readable));
    }

    private void consume(int n) {
        head = index(n);
        readable -= n;
    }

    private int index(int offset) {
        int i = head + offset;
        return i >= capacity ? i - capacity : i;
    }

    /** In-order octets waiting for the application. */
    public int readable() {
        return readable;
    }

    /** Free space from RCV.NXT on: the receive window to advertise. */
    public int free() {
        return capacity - readable;
    }

    private ByteBuffer ring() {
        if (ring == null) {
            ring = pool != null ? pool.take(capacity) : ByteBuffer.allocateDirect(capacity);
        }
        return ring;
    }

    /**
     * Gives the ring back to the pool when nothing is readable. The caller makes sure no
     * out-of-order data sits in the free part (its reassembly queue is empty).
     */
    public void releaseRingIfEmpty() {
        if (readable == 0 && ring != null && pool != null) {
            pool.give(ring);
            ring = null;
            head = 0;
        }
    }

    /** Whether buffer memory has been allocated (after the first write). */
    public boolean allocated() {
        return ring != null;
    }

    /** Total capacity in bytes. */
    public int capacity() {
        return capacity;
    }
}
