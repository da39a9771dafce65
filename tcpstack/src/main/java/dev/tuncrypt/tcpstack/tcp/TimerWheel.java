package dev.tuncrypt.tcpstack.tcp;

/**
 * A hashed timer wheel for one stack loop: each connection has an int id (its slot in the loop)
 * and at most one entry, at the earliest of its deadlines ({@link TcpTimers} keeps the per-timer
 * deadlines). Scheduling, moving and cancelling are O(1); expiry costs O(entries in the ticks
 * that passed). Memory is a few int and long arrays sized at construction; nothing is allocated
 * afterwards, so 10,000 connections cost 16 bytes each plus 8 bytes per bucket.
 *
 * <p>Deadlines are rounded up to whole ticks: an entry never fires before its deadline and at
 * most one tick after the first {@link #poll} at or after it. Entries further away than one
 * revolution share buckets with nearer ones and are skipped until their round comes.
 *
 * <p>Entries live in intrusive doubly linked lists kept in the {@code next}/{@code prev}
 * arrays: nodes {@code 0 .. capacity-1} are ids, then one sentinel per bucket, then the sentinel
 * of the list of expired ids waiting to be polled.
 */
public final class TimerWheel {
    private static final int UNLINKED = -1;

    private final int capacity;
    private final long tickNanos;
    private final int mask;
    private final int expiredHead;
    private final int[] next;
    private final int[] prev;
    private final long[] deadlines;
    private long currentTick;
    private int size;
    private long expirations;

    /**
     * @param capacity ids 0 .. capacity-1 can be scheduled
     * @param tickNanos wheel resolution (e.g. 1 ms)
     * @param wheelSize buckets, a power of two; one revolution is wheelSize * tickNanos
     * @param nowNanos the current time: the wheel starts turning here
     */
    public TimerWheel(int capacity, long tickNanos, int wheelSize, long nowNanos) {
        if (capacity <= 0 || tickNanos <= 0 || wheelSize <= 0 || Integer.bitCount(wheelSize) != 1) {
            throw new IllegalArgumentException("bad wheel: capacity=" + capacity + " tick=" + tickNanos
                    + " size=" + wheelSize + " (size must be a power of two)");
        }
        this.capacity = capacity;
        this.tickNanos = tickNanos;
        this.mask = wheelSize - 1;
        this.expiredHead = capacity + wheelSize;
        int nodes = expiredHead + 1;
        this.next = new int[nodes];
        this.prev = new int[nodes];
        this.deadlines = new long[capacity];
        for (int id = 0; id < capacity; id++) {
            next[id] = UNLINKED;
            prev[id] = UNLINKED;
        }
        for (int sentinel = capacity; sentinel < nodes; sentinel++) {
            next[sentinel] = sentinel;
            prev[sentinel] = sentinel;
        }
        this.currentTick = Math.floorDiv(nowNanos, tickNanos);
    }

    /** Schedules {@code id} at {@code deadlineNanos}, replacing its previous deadline if any. */
    public void schedule(int id, long deadlineNanos) {
        if (next[id] == UNLINKED) {
            size++;
        } else {
            unlink(id);
        }
        deadlines[id] = deadlineNanos;
        long tick = Math.ceilDiv(deadlineNanos, tickNanos);
        // A tick already passed: the id is due at the next poll.
        linkBefore(tick < currentTick ? expiredHead : bucket(tick), id);
    }

    /** Removes {@code id} if scheduled. */
    public void cancel(int id) {
        if (next[id] != UNLINKED) {
            unlink(id);
            size--;
        }
    }

    /** Whether {@code id} is scheduled (and not yet returned by {@link #poll}). */
    public boolean isScheduled(int id) {
        return next[id] != UNLINKED;
    }

    /** The deadline {@code id} is scheduled at, or {@link Long#MAX_VALUE} if it is not scheduled. */
    public long deadline(int id) {
        return next[id] == UNLINKED ? Long.MAX_VALUE : deadlines[id];
    }

    /**
     * Returns one id whose deadline is at or before {@code nowNanos} and unschedules it, or -1
     * when none is due. Call repeatedly until -1; handlers may schedule ids in between.
     */
    public int poll(long nowNanos) {
        long nowTick = Math.floorDiv(nowNanos, tickNanos);
        while (next[expiredHead] == expiredHead && currentTick <= nowTick) {
            if (nowTick - currentTick > mask) {
                for (int b = 0; b <= mask; b++) { // a whole revolution passed: sweep every bucket once
                    collectDue(capacity + b, nowNanos);
                }
                currentTick = nowTick + 1;
            } else {
                collectDue(bucket(currentTick), nowNanos);
                currentTick++;
            }
        }
        int id = next[expiredHead];
        if (id == expiredHead) {
            return -1;
        }
        unlink(id);
        size--;
        expirations++;
        return id;
    }

    /** Moves the due entries of one bucket to the expired list; later rounds stay. */
    private void collectDue(int sentinel, long nowNanos) {
        int node = next[sentinel];
        while (node != sentinel) {
            int following = next[node];
            if (deadlines[node] <= nowNanos) {
                unlink(node);
                linkBefore(expiredHead, node);
            }
            node = following;
        }
    }

    /**
     * A time before which {@link #poll} returns nothing: the start of the first tick with an
     * entry (possibly one of a later round, so the loop may wake for nothing), the past if ids
     * are already due, or {@link Long#MAX_VALUE} when nothing is scheduled. Scans at most one
     * revolution of buckets.
     */
    public long nextExpiryNanos() {
        if (size == 0) {
            return Long.MAX_VALUE;
        }
        if (next[expiredHead] != expiredHead) {
            return Long.MIN_VALUE;
        }
        for (long tick = currentTick; tick <= currentTick + mask; tick++) {
            int sentinel = bucket(tick);
            if (next[sentinel] != sentinel) {
                return tick * tickNanos;
            }
        }
        throw new IllegalStateException("scheduled entries in no bucket");
    }

    private int bucket(long tick) {
        return capacity + (int) (tick & mask);
    }

    private void linkBefore(int sentinel, int node) {
        int last = prev[sentinel];
        next[last] = node;
        prev[node] = last;
        next[node] = sentinel;
        prev[sentinel] = node;
    }

    private void unlink(int node) {
        next[prev[node]] = next[node];
        prev[next[node]] = prev[node];
        next[node] = UNLINKED;
        prev[node] = UNLINKED;
    }

    /** Ids scheduled. */
    public int size() {
        return size;
    }

    /** Ids that can be scheduled: 0 .. capacity-1. */
    public int capacity() {
        return capacity;
    }

    /** Ids returned by {@link #poll} so far. */
    public long expirations() {
        return expirations;
    }
}
