package dev.tuncrypt.tun;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of an in-memory point-to-point link with seeded fault injection: the link of
 * deterministic tests and simulations. {@link #pair} makes both ends; each direction applies its
 * own {@link FaultModel} (loss, duplication, reordering, corruption, delay and jitter, rate and
 * queue limit) and keeps its own counters ({@link Direction}).
 *
 * <p>A packet becomes receivable when {@code clock.nanos()} reaches its delivery time; packets are
 * received in order of delivery time, ties in order of sending. Every random choice comes from one
 * {@link SplittableRandom} per direction derived from the seed, so a run is reproduced exactly by
 * the same seed, the same sequence of sends and the same clock readings. On a {@link ManualClock}
 * a simulator jumps time to {@link #nextDeliveryNanos()}; on {@link Clock#SYSTEM} {@link #await}
 * blocks until the next packet is due.
 *
 * <p>Packets are copied on send into buffers from a per-direction pool, recycled on receive, so a
 * link in steady state allocates nothing. Each end may be driven by its own thread. Closing
 * either end takes the link down: packets in flight are discarded, and the peer's sends return
 * false.
 */
public final class MemoryLink implements PacketLink {
    /** MTU of {@link #pair(Clock, long, FaultModel, FaultModel)}. */
    public static final int DEFAULT_MTU = 1500;

    /** Both ends of a link. */
    public record Pair(MemoryLink a, MemoryLink b) {
        /** The direction from {@code a} to {@code b}. */
        public Direction aToB() {
            return a.outbound;
        }

        /** The direction from {@code b} to {@code a}. */
        public Direction bToA() {
            return b.outbound;
        }
    }

    private final String name;
    private final Direction outbound;
    private final Direction inbound;
    private volatile boolean closed;

    private MemoryLink(String name, Direction outbound, Direction inbound) {
        this.name = name;
        this.outbound = outbound;
        this.inbound = inbound;
    }

    /** A link with MTU {@value #DEFAULT_MTU}. */
    public static Pair pair(Clock clock, long seed, FaultModel aToB, FaultModel bToA) {
        return pair(clock, seed, aToB, bToA, DEFAULT_MTU);
    }

    /**
     * @param clock decides when packets are due; shared by both directions
     * @param seed the only source of randomness
     * @param mtu largest packet either end may send
     */
    public static Pair pair(Clock clock, long seed, FaultModel aToB, FaultModel bToA, int mtu) {
        if (mtu <= 0) {
            throw new IllegalArgumentException("mtu must be positive: " + mtu);
        }
        SplittableRandom root = new SplittableRandom(seed);
        Direction ab = new Direction(clock, aToB, root.split(), mtu);
        Direction ba = new Direction(clock, bToA, root.split(), mtu);
        return new Pair(new MemoryLink("a", ab, ba), new MemoryLink("b", ba, ab));
    }

    @Override
    public int mtu() {
        return outbound.mtu;
    }

    /** Packets received here must fit: batch buffers of at least {@link #mtu()} bytes. */
    @Override
    public int receive(PacketBatch batch) throws IOException {
        ensureOpen();
        return inbound.take(batch);
    }

    /**
     * Copies the packet into the link.
     *
     * @return false if the queue was full (counted in {@link Direction#queueDropped()}) or the link
     *     is down; true otherwise, also when the fault model then loses the packet
     * @throws IllegalArgumentException if the packet is longer than the MTU
     */
    @Override
    public boolean send(ByteBuffer packet) throws IOException {
        ensureOpen();
        return outbound.offer(packet);
    }

    /**
     * Blocks until a packet is due, {@link #wakeup()} is called, or {@code timeoutNanos} of real time
     * pass. Waiting for a delayed packet takes the time until it is due by the link's clock; on a
     * clock that does not follow real time the return is then spurious.
     */
    @Override
    public void await(long timeoutNanos) throws IOException {
        ensureOpen();
        try {
            inbound.await(timeoutNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted in await");
        }
    }

    @Override
    public void wakeup() {
        inbound.wakeup();
    }

    /** When the next packet toward this end is due, by the link's clock; Long.MAX_VALUE if none. */
    public long nextDeliveryNanos() {
        return inbound.nextDeliveryNanos();
    }

    /** The direction this end sends into. */
    public Direction outbound() {
        return outbound;
    }

    /** The direction this end receives from. */
    public Direction inbound() {
        return inbound;
    }

    /** Takes the link down (both directions); idempotent. */
    @Override
    public void close() {
        closed = true;
        outbound.shutdown();
        inbound.shutdown();
    }

    @Override
    public String toString() {
        return "MemoryLink[" + name + (closed ? ", closed]" : "]");
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    /**
     * One direction of a link: its fault model, the packets in flight, and counters. The counters
     * count packets: {@code sent} every packet offered while the link was up, {@code delivered}
     * every packet received, and the others each fault applied.
     */
    public static final class Direction {
        private static final int INITIAL_POOL = 32;

        private final Clock clock;
        private final FaultModel faults;
        private final SplittableRandom random;
        private final int mtu;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final PriorityQueue<Slot> inFlight = new PriorityQueue<>(INITIAL_POOL);
        private final ArrayDeque<Slot> pool = new ArrayDeque<>(INITIAL_POOL);
        /** Serialization end times of queued packets, FIFO; only with a rate and a queue limit. */
        private final long[] departures;
        private int departuresHead;
        private int departuresSize;
        private long wireFreeAt = Long.MIN_VALUE;
        private long sequence;
        private boolean wakeupPending;
        private boolean down;

        // Written under the lock; volatile so that other threads read current values.
        private volatile long sent;
        private volatile long delivered;
        private volatile long lost;
        private volatile long duplicated;
        private volatile long reordered;
        private volatile long corrupted;
        private volatile long queueDropped;

        private Direction(Clock clock, FaultModel faults, SplittableRandom random, int mtu) {
            this.clock = clock;
            this.faults = faults;
            this.random = random;
            this.mtu = mtu;
            boolean tracksQueue = faults.rateBitsPerSecond() > 0 && faults.queueLimit() > 0;
            this.departures = new long[tracksQueue ? faults.queueLimit() : 0];
            for (int i = 0; i < INITIAL_POOL; i++) {
                pool.push(new Slot(mtu));
            }
        }

        /** The fault model this direction applies. */
        public FaultModel faults() {
            return faults;
        }

        private boolean offer(ByteBuffer packet) {
            int length = packet.remaining();
            if (length > mtu) {
                throw new IllegalArgumentException("packet of " + length + " bytes exceeds the MTU " + mtu);
            }
            lock.lock();
            try {
                if (down) {
                    return false;
                }
                sent++;
                long now = clock.nanos();
                if (queueFull(now)) {
                    queueDropped++;
                    return false;
                }
                long departure = now;
                if (faults.rateBitsPerSecond() > 0) {
                    departure = Math.max(now, wireFreeAt)
                            + Math.ceilDiv(length * 8L * TimeUnit.SECONDS.toNanos(1), faults.rateBitsPerSecond());
                    wireFreeAt = departure;
                    if (departures.length > 0) {
                        departures[(departuresHead + departuresSize++) % departures.length] = departure;
                    }
                }
                if (chance(faults.lossRate())) {
                    lost++;
                    return true;
                }
                enqueue(packet, length, departure);
                if (chance(faults.duplicateRate())) {
                    duplicated++;
                    enqueue(packet, length, departure);
                }
                changed.signalAll();
                return true;
            } finally {
                lock.unlock();
            }
        }

        private boolean queueFull(long now) {
            int limit = faults.queueLimit();
            if (limit == 0) {
                return false;
            }
            if (faults.rateBitsPerSecond() == 0) {
                return inFlight.size() >= limit;
            }
            while (departuresSize > 0 && departures[departuresHead] <= now) {
                departuresHead = (departuresHead + 1) % departures.length;
                departuresSize--;
            }
            return departuresSize >= limit;
        }

        private void enqueue(ByteBuffer packet, int length, long departure) {
            Slot slot = pool.isEmpty() ? new Slot(mtu) : pool.pop();
            slot.data.put(0, packet, packet.position(), length);
            slot.length = length;
            long due = departure + faults.delayNanos();
            if (faults.jitterNanos() > 0) {
                due += random.nextLong(faults.jitterNanos() + 1);
            }
            if (chance(faults.reorderRate())) {
                due += faults.reorderDelayNanos();
                reordered++;
            }
            if (length > 0 && chance(faults.corruptRate())) {
                int bit = random.nextInt(length * 8);
                slot.data.put(bit >>> 3, (byte) (slot.data.get(bit >>> 3) ^ (1 << (bit & 7))));
                corrupted++;
            }
            slot.due = due;
            slot.sequence = sequence++;
            inFlight.add(slot);
        }

        private boolean chance(double rate) {
            return rate > 0 && random.nextDouble() < rate;
        }

        private int take(PacketBatch batch) {
            if (batch.bufferSize() < mtu) {
                throw new IllegalArgumentException("batch buffers of " + batch.bufferSize()
                        + " bytes are smaller than the MTU " + mtu);
            }
            batch.clear();
            int n = 0;
            lock.lock();
            try {
                long now = clock.nanos();
                while (n < batch.capacity()) {
                    Slot slot = inFlight.peek();
                    if (slot == null || slot.due > now) {
                        break;
                    }
                    inFlight.poll();
                    ByteBuffer buffer = batch.get(n++);
                    buffer.clear().put(0, slot.data, 0, slot.length).limit(slot.length);
                    pool.push(slot);
                    delivered++;
                }
            } finally {
                lock.unlock();
            }
            batch.setCount(n);
            return n;
        }

        private void await(long timeoutNanos) throws InterruptedException {
            lock.lock();
            try {
                long deadline = timeoutNanos < 0 ? 0 : System.nanoTime() + timeoutNanos;
                while (true) {
                    if (wakeupPending) {
                        wakeupPending = false;
                        return;
                    }
                    long now = clock.nanos();
                    Slot next = inFlight.peek();
                    long untilDue = next == null ? Long.MAX_VALUE : next.due - now;
                    if (untilDue <= 0) {
                        return;
                    }
                    long left = timeoutNanos < 0 ? Long.MAX_VALUE : deadline - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    if (untilDue == Long.MAX_VALUE && left == Long.MAX_VALUE) {
                        changed.await();
                    } else if (changed.awaitNanos(Math.min(untilDue, left)) <= 0 && untilDue <= left) {
                        return;
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        private void wakeup() {
            lock.lock();
            try {
                wakeupPending = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        private long nextDeliveryNanos() {
            lock.lock();
            try {
                Slot next = inFlight.peek();
                return next == null ? Long.MAX_VALUE : next.due;
            } finally {
                lock.unlock();
            }
        }

        private void shutdown() {
            lock.lock();
            try {
                down = true;
                while (!inFlight.isEmpty()) {
                    pool.push(inFlight.poll());
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Packets offered while the link was up. */
        public long sent() {
            return sent;
        }

        /** Packets received by the far end (duplicates included). */
        public long delivered() {
            return delivered;
        }

        public long lost() {
            return lost;
        }

        public long duplicated() {
            return duplicated;
        }

        public long reordered() {
            return reordered;
        }

        public long corrupted() {
            return corrupted;
        }

        /** Packets tail-dropped because the queue was full. */
        public long queueDropped() {
            return queueDropped;
        }

        /** Packets in flight or waiting to be received. */
        public int inFlight() {
            lock.lock();
            try {
                return inFlight.size();
            } finally {
                lock.unlock();
            }
        }
    }

    /** A pooled packet buffer with its delivery time and sending order. */
    private static final class Slot implements Comparable<Slot> {
        final ByteBuffer data;
        int length;
        long due;
        long sequence;

        Slot(int mtu) {
            data = ByteBuffer.allocateDirect(mtu);
        }

        @Override
        public int compareTo(Slot other) {
            int byTime = Long.compare(due, other.due);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }
}
