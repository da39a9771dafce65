package dev.tuncrypt.tcpstack.tcp;

import java.util.function.IntSupplier;

/**
 * How much one loop's connections together invite their peers to send at once: the sum of their
 * receive windows, bounded by half of what the link queues toward the loop (a TUN device's
 * {@code txqueuelen} packets, each a segment, or {@link #SEGMENTS_PER_SUPER_PACKET} on a device
 * with TCP offloads); the other half is left to ACKs, handshakes and the peers' retransmissions. Everything in flight toward the loop may sit in
 * that queue while the loop is busy elsewhere; the kernel drops what does not fit. Without a
 * bound, 200 peers with 1 MiB windows each may have 200 MiB on the way toward a queue of 500
 * packets.
 *
 * <p>Each connection that received data lately (in this or the last {@link #EPOCH_NANOS}) gets
 * an equal share, never less than {@link #MIN_SEGMENTS} segments so that each keeps moving; the
 * share caps its window, it does not set it (the receive buffer still does). A smaller share
 * never shrinks a window already offered: the receiver stops moving its right edge until data
 * catches up with it (RFC 9293 §3.8.6.2.2, {@link TcpReceiver#windowToAdvertise}).
 *
 * <p>A window also starts at {@link #INITIAL_SEGMENTS} segments and grows by the data received
 * ({@link #limit}), so that connections opened together do not each offer a large window before
 * they are all counted.
 *
 * <p>A link that does not say how much it queues ({@code 0}) gives no budget. Loop thread only.
 */
final class ReceiveWindowBudget {
    /** The period over which a connection that received data counts as receiving. */
    static final long EPOCH_NANOS = 100_000_000L;
    /**
     * The smallest share, in segments: one, so that each connection keeps moving. A receiver whose
     * window the budget holds to a segment or two ACKs each segment that uses it up at once
     * ({@link TcpReceiver}), so the peer never waits on a delayed ACK for want of window.
     */
    static final int MIN_SEGMENTS = 1;
    /** The part of the link's queue the windows may fill together; ACKs, SYNs and retransmissions need the rest. */
    static final int QUEUE_SHARE_PERCENT = 50;
    /**
     * A new connection's window, in segments, before it grows by what arrives (doubling each round
     * trip, as a peer's slow start does): a crowd of new connections cannot each offer a large
     * window before the crowd is counted (a window once offered is never taken back). Linux grows
     * its receive window the same way ({@code rcv_ssthresh}), from a larger start. The cost: a
     * peer's first flight is one segment, so 14 KB take four round trips instead of one.
     */
    static final int INITIAL_SEGMENTS = 1;

    /**
     * Segments a queued packet is counted as on a link of super-packets: the kernel's TSO sizing
     * makes them a few segments each when many connections share the link (about 3 in the
     * daemons' 200-connection scenario), up to 44; counting each as one segment kept the windows
     * so small that the kernel sent single segments, four times the packets.
     */
    static final int SEGMENTS_PER_SUPER_PACKET = 4;

    /** The payload a queued packet is counted as: a segment, or {@link #SEGMENTS_PER_SUPER_PACKET} with offloads. */
    static int bytesPerQueuedPacket(int segmentPayload, boolean superPackets) {
        return superPackets ? SEGMENTS_PER_SUPER_PACKET * segmentPayload : segmentPayload;
    }

    private final IntSupplier queuePackets;
    private final IntSupplier segmentBytes;
    private long bytes;
    private long epoch = Long.MIN_VALUE;
    private int receivingNow;
    private int receivingBefore;

    /**
     * The budget of a loop whose link queues at most {@code queuePackets} packets toward it (0 or
     * less: no budget), each carrying at most {@code segmentBytes} of TCP payload; both are read
     * again every {@link #EPOCH_NANOS}, as an operator may change the queue or the MTU.
     */
    ReceiveWindowBudget(IntSupplier queuePackets, IntSupplier segmentBytes) {
        this.queuePackets = queuePackets;
        this.segmentBytes = segmentBytes;
        this.bytes = currentBytes();
    }

    private long currentBytes() {
        int packets = queuePackets.getAsInt();
        return packets <= 0 ? 0 : (long) packets * QUEUE_SHARE_PERCENT / 100 * Math.max(segmentBytes.getAsInt(), 1);
    }

    /** The whole budget in bytes at {@code now}, 0 for none. */
    long bytes(long now) {
        roll(now);
        return bytes;
    }

    /** Connections counted as receiving at {@code now}. */
    int receiving(long now) {
        roll(now);
        return Math.max(receivingNow, receivingBefore);
    }

    /** {@code r} received data at {@code now}: it counts as receiving for this period and the next. */
    void received(TcpReceiver r, long now) {
        roll(now);
        if (r.budgetEpoch != epoch) {
            r.budgetEpoch = epoch;
            receivingNow++;
        }
    }

    /**
     * The most a connection with segments of {@code smss} bytes may offer as its window at
     * {@code now}: an equal share of the budget among the receiving connections, at least
     * {@link #MIN_SEGMENTS} segments; {@code Integer.MAX_VALUE} without a budget.
     */
    int share(int smss, long now) {
        roll(now);
        if (bytes == 0) {
            return Integer.MAX_VALUE;
        }
        long share = bytes / Math.max(1, receiving(now));
        return (int) Math.min(Integer.MAX_VALUE, Math.max(share, (long) MIN_SEGMENTS * smss));
    }

    /**
     * The window a connection may offer at {@code now}: its {@link #share}, and no more than
     * {@link #INITIAL_SEGMENTS} segments plus the {@code grown} bytes it has received in order
     * (never below {@link #MIN_SEGMENTS}); {@code Integer.MAX_VALUE} without a budget.
     */
    int limit(int smss, long grown, long now) {
        int share = share(smss, now);
        if (share == Integer.MAX_VALUE) {
            return share;
        }
        long grownWindow = (long) INITIAL_SEGMENTS * smss + grown;
        return (int) Math.max(Math.min(share, grownWindow), (long) MIN_SEGMENTS * smss);
    }

    private void roll(long now) {
        long e = Math.floorDiv(now, EPOCH_NANOS);
        if (e != epoch) {
            receivingBefore = e == epoch + 1 ? receivingNow : 0;
            receivingNow = 0;
            epoch = e;
            bytes = currentBytes();
        }
    }
}
