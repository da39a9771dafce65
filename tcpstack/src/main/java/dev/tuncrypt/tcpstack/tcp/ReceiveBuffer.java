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
 * data must go through it rather than {@link #write}.
 *
 * <p>The ring is sized by need: taken from the {@link RingPool} on the first write, grown in
 * power-of-two steps up to {@code capacity} as data waits (out-of-order octets included), given
 * back when empty. The window offered ({@link #free}) shrinks as the stack's memory budget fills.
 */
public final class ReceiveBuffer {
    /** Taken on the first write and given back when empty, so an idle connection holds no buffer memory. */
    private ByteBuffer ring;
    private RingPool.Ring lease;
    private final RingPool pool;
    /** Most bytes the buffer holds. */
    private final int maxCapacity;
    /** Size of the ring now (0 without one). */
    private int capacity;
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
        this.maxCapacity = capacity;
        this.pool = pool != null ? pool : RingPool.unpooled();
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
        return write(src, true);
    }

    /**
     * As {@link #write} for application data: takes less, or nothing, when the memory budget has
     * no room to grow the ring (the writer waits as for a full buffer).
     */
    public int offer(ByteBuffer src) {
        return write(src, false);
    }

    private int write(ByteBuffer src, boolean force) {
        int n = Math.min(src.remaining(), free());
        if (n > 0 && !fit(readable + n, force)) {
            n = Math.min(n, capacity - readable);
        }
        if (n <= 0) {
            return 0;
        }
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
        if (offset < 0 || length < 0 || (long) offset + length > room()) {
            throw new IllegalArgumentException("[" + offset + ", +" + length + ") outside the free space " + room());
        }
        if (length == 0) {
            return;
        }
        if (!fit(readable + offset + length, true)) {
            throw new IllegalStateException("no memory left for a receive ring of " + (readable + offset + length) + " bytes");
        }
        int at = index(readable + offset);
        int first = Math.min(length, capacity - at);
        ByteBuffer r = ring;
        r.put(at, src, srcIndex, first);
        r.put(0, src, srcIndex + first, length - first);
    }

    /** Makes {@code n} octets stored by {@link #writeAt} right after the readable data readable. */
    void commit(int n) {
        if (n < 0 || n > room()) {
            throw new IllegalArgumentException("cannot commit " + n + " of " + room() + " free bytes");
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
        int n = dst.reserve(readable);
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

    /** Free space from RCV.NXT on: the receive window to advertise, smaller while the memory budget is tight. */
    public int free() {
        return Math.max(0, pool.window(maxCapacity) - readable);
    }

    /** Space from RCV.NXT on that data may occupy (a window advertised before the budget tightened). */
    private int room() {
        return maxCapacity - readable;
    }

    /**
     * Makes the ring hold at least {@code need} octets from the head, growing it with everything
     * kept (readable and out-of-order octets alike); false if it cannot.
     */
    private boolean fit(int need, boolean force) {
        if (need <= capacity) {
            return true;
        }
        RingPool.Ring bigger = pool.take(RingPool.sizeFor(need, maxCapacity), force);
        if (bigger == null) {
            return false;
        }
        ByteBuffer r = bigger.buffer;
        if (capacity > 0) {
            r.put(0, ring, head, capacity - head);
            r.put(capacity - head, ring, 0, head);
        }
        if (lease != null) {
            pool.give(lease);
        }
        lease = bigger;
        ring = r;
        capacity = r.capacity();
        head = 0;
        return true;
    }

    /**
     * Gives the ring back to the pool when nothing is readable. The caller makes sure no
     * out-of-order data sits in the free part (its reassembly queue is empty).
     */
    public void releaseRingIfEmpty() {
        if (readable == 0 && lease != null) {
            pool.give(lease);
            lease = null;
            ring = null;
            capacity = 0;
            head = 0;
        }
    }

    /** Whether buffer memory has been allocated (after the first write). */
    public boolean allocated() {
        return ring != null;
    }

    /** Total capacity in bytes (the ring grows to it as needed). */
    public int capacity() {
        return maxCapacity;
    }

    /** Bytes of the ring held now. */
    public int ringBytes() {
        return capacity;
    }
}
