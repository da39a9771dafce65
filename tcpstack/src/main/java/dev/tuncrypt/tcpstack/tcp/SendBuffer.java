package dev.tuncrypt.tcpstack.tcp;

import java.nio.ByteBuffer;

/**
 * The send buffer: a byte ring in one direct {@link ByteBuffer} holding the data octets from
 * SND.UNA on, those sent and not yet acknowledged followed by those not yet sent.
 *
 * <p>Only data octets live here: SYN and FIN occupy sequence space but no buffer space, so the
 * caller maps them (the first data octet is ISS + 1; a FIN is acknowledged by {@code end() + 1}).
 *
 * <p>The ring is sized by need: taken from the {@link RingPool} on the first write, grown in
 * power-of-two steps up to {@code capacity} as data waits, given back when empty. What may be
 * appended ({@link #free}) shrinks as the stack's memory budget fills.
 */
public final class SendBuffer {
    /** Taken on the first write and given back when empty, so an idle connection holds no buffer memory. */
    private ByteBuffer ring;
    private RingPool.Ring lease;
    private final RingPool pool;
    /** Most bytes the buffer holds. */
    private final int maxCapacity;
    /** Size of the ring now (0 without one). */
    private int capacity;
    /** Index in {@link #ring} of the octet at SND.UNA. */
    private int head;
    private int size;
    private int sndUna;

    /** A buffer of {@code capacity} bytes; call {@link #reset} with ISS + 1 before use. */
    public SendBuffer(int capacity) {
        this(capacity, null);
    }

    /** A buffer whose ring comes from (and goes back to) {@code pool}; null: allocate. */
    public SendBuffer(int capacity, RingPool pool) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.maxCapacity = capacity;
        this.pool = pool != null ? pool : RingPool.unpooled();
    }

    /** Empties the buffer; {@code firstSeq} is the sequence number of the next octet appended. */
    public void reset(int firstSeq) {
        head = 0;
        size = 0;
        sndUna = firstSeq;
    }

    /**
     * Appends as much of {@code src} as {@link #free} allows, advancing its position: all of it
     * when it fits, even if the memory budget is used up (a sealed frame cannot be cut).
     *
     * @return bytes appended (0 when the buffer is full)
     */
    public int append(ByteBuffer src) {
        return append(src, true);
    }

    /**
     * As {@link #append} for application data: takes less, or nothing, when the memory budget
     * has no room to grow the ring (the writer waits as for a full buffer).
     */
    public int offer(ByteBuffer src) {
        return append(src, false);
    }

    private int append(ByteBuffer src, boolean force) {
        int n = Math.min(src.remaining(), free());
        if (n > 0 && !fit(size + n, force)) {
            n = Math.min(n, capacity - size);
        }
        if (n <= 0) {
            return 0;
        }
        int tail = index(size);
        int first = Math.min(n, capacity - tail);
        ByteBuffer r = ring;
        r.put(tail, src, src.position(), first);
        r.put(0, src, src.position() + first, n - first);
        src.position(src.position() + n);
        size += n;
        return n;
    }

    /**
     * Grows the ring (within the memory budget, as {@link #offer}) so that up to {@code n} more
     * octets fit, and says how many do: {@code n}, or fewer when the budget has no room.
     */
    int reserve(int n) {
        n = Math.min(n, free());
        if (n > 0 && !fit(size + n, false)) {
            n = Math.min(n, capacity - size);
        }
        return Math.max(0, n);
    }

    /**
     * Appends {@code length} octets of {@code src} from its absolute index {@code index} (the
     * caller made room with {@link #reserve}); {@code src}'s position does not change.
     */
    void appendRange(ByteBuffer src, int index, int length) {
        if (length == 0) {
            return;
        }
        int tail = index(size);
        int first = Math.min(length, capacity - tail);
        ByteBuffer r = ring;
        r.put(tail, src, index, first);
        r.put(0, src, index + first, length - first);
        size += length;
    }

    /**
     * Copies the octets [seq, seq + length) into {@code dst} at its position, for a first
     * transmission or a retransmission, advancing {@code dst}'s position. Copies less when the
     * buffer ends earlier or {@code dst} has less room.
     *
     * @param seq a sequence number in [SND.UNA, {@link #end()}]
     * @return bytes copied
     * @throws IllegalArgumentException if {@code seq} is outside [SND.UNA, end()]
     */
    public int copyOut(int seq, int length, ByteBuffer dst) {
        int offset = SeqNum.diff(seq, sndUna);
        if (offset < 0 || offset > size) {
            throw new IllegalArgumentException("seq " + Integer.toUnsignedString(seq) + " outside [SND.UNA "
                    + Integer.toUnsignedString(sndUna) + ", +" + size + "]");
        }
        int n = Math.min(Math.max(length, 0), Math.min(size - offset, dst.remaining()));
        if (n == 0) {
            return 0;
        }
        int from = index(offset);
        int first = Math.min(n, capacity - from);
        dst.put(dst.position(), ring, from, first);
        dst.put(dst.position() + first, ring, 0, n - first);
        dst.position(dst.position() + n);
        return n;
    }

    /**
     * An ACK acknowledged data up to {@code ack}: releases the octets before it and advances
     * SND.UNA (RFC 9293 §3.10.7.4). An ACK at or before SND.UNA releases nothing; one beyond the
     * buffered data releases all of it (the rest is the caller's SYN or FIN).
     *
     * @return bytes released
     */
    public int release(int ack) {
        int n = SeqNum.diff(ack, sndUna);
        if (n <= 0) {
            return 0;
        }
        n = Math.min(n, size);
        head = index(n);
        size -= n;
        sndUna += n;
        return n;
    }

    private int index(int offset) {
        int i = head + offset;
        return i >= capacity ? i - capacity : i;
    }

    /** SND.UNA: sequence number of the first octet held. */
    public int sndUna() {
        return sndUna;
    }

    /** Sequence number one past the last octet held. */
    public int end() {
        return sndUna + size;
    }

    /** Octets held from {@code seq} to the end, e.g. the unsent octets when {@code seq} is SND.NXT. */
    public int bytesFrom(int seq) {
        return Math.max(0, Math.min(size, SeqNum.diff(end(), seq)));
    }

    /** Octets held, sent or not. */
    public int size() {
        return size;
    }

    /** Octets that can still be appended: up to the capacity, less while the memory budget is tight. */
    public int free() {
        return Math.max(0, pool.window(maxCapacity) - size);
    }

    /** Makes the ring hold at least {@code need} octets, growing it with the contents kept; false if it cannot. */
    private boolean fit(int need, boolean force) {
        if (need <= capacity) {
            return true;
        }
        RingPool.Ring bigger = pool.take(RingPool.sizeFor(need, maxCapacity), force);
        if (bigger == null) {
            return false;
        }
        ByteBuffer r = bigger.buffer;
        int first = Math.min(size, capacity - head);
        if (first > 0) {
            r.put(0, ring, head, first);
        }
        if (size - first > 0) {
            r.put(first, ring, 0, size - first);
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

    /** Gives the ring back to the pool when nothing is held (it is taken again on the next append). */
    public void releaseRingIfEmpty() {
        if (size == 0 && lease != null) {
            pool.give(lease);
            lease = null;
            ring = null;
            capacity = 0;
            head = 0;
        }
    }

    /** Drops everything held and gives the ring back (the connection is gone). */
    public void discard() {
        size = 0;
        releaseRingIfEmpty();
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
