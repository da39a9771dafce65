package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tun.PacketBatch;
import dev.tuncrypt.tun.PacketLink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;

/**
 * A loop's reads from its link, in the order the link delivered them: a batch read when the loop
 * asks for input ({@link #next}), and batches read ahead while the loop is busy writing
 * ({@link #readAhead}), handed out first at the next ask.
 *
 * <p>Why read ahead: every packet the loop writes into a TUN device runs the kernel's receive path
 * at once, and the kernel's answers (ACKs of what the loop sent, data its ACKs let through) go
 * into the device's queue toward the loop, which holds {@code txqueuelen} packets (500 by default)
 * and drops the rest. A turn that writes a few hundred packets without reading would overflow it.
 * Reading a batch every few dozen writes moves those answers into memory the loop owns; they are
 * processed, in order, before anything read later. Loop thread only.
 */
final class InboundReader {
    private final PacketLink link;
    private final PacketBatch fresh;
    private final ArrayDeque<PacketBatch> free = new ArrayDeque<>();
    private final ArrayDeque<PacketBatch> held = new ArrayDeque<>();
    /** The held batch handed out last (back to {@link #free} at the next {@link #next}). */
    private PacketBatch handedOut;
    private final StackCounters counters;

    /**
     * Reads {@code link} into batches of {@code capacity} buffers of {@code bufferSize} bytes:
     * one, plus {@code aheadBatches} for reading ahead.
     */
    InboundReader(PacketLink link, int capacity, int bufferSize, int aheadBatches, StackCounters counters) {
        this.link = link;
        this.counters = counters;
        this.fresh = new PacketBatch(capacity, bufferSize, true);
        for (int i = 0; i < aheadBatches; i++) {
            free.add(new PacketBatch(capacity, bufferSize, true));
        }
    }

    /** Batch capacity. */
    int capacity() {
        return fresh.capacity();
    }

    /**
     * The next packets in arrival order: the oldest batch read ahead, else what the link has now
     * (possibly none). The batch returned is valid until the next call or {@link #release}.
     */
    PacketBatch next() {
        release();
        PacketBatch b = held.poll();
        if (b != null) {
            handedOut = b;
            return b;
        }
        read(fresh);
        return fresh;
    }

    /** Whether batches read ahead wait to be handed out. */
    boolean hasHeld() {
        return !held.isEmpty();
    }

    /** Whether every spare batch holds input read ahead. */
    boolean aheadFull() {
        return free.isEmpty();
    }

    /**
     * Reads what the link has into a spare batch, kept for {@link #next}; nothing when every
     * spare batch is full (the link keeps the rest, up to its own queue).
     */
    void readAhead() {
        PacketBatch b = free.peek();
        if (b == null) {
            counters.readAheadsFull++;
            return;
        }
        int n = read(b);
        if (n > 0) {
            free.poll();
            held.add(b);
            counters.packetsReadAhead += n;
        }
    }

    /** The batch handed out last has been processed: its buffers may be read into again. */
    void release() {
        if (handedOut != null) {
            handedOut.clear();
            free.add(handedOut);
            handedOut = null;
        }
    }

    private int read(PacketBatch b) {
        b.clear();
        try {
            return link.receive(b);
        } catch (IOException e) {
            throw new UncheckedIOException("link read failed", e);
        }
    }
}
