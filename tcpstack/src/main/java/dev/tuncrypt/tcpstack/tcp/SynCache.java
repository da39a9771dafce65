package dev.tuncrypt.tcpstack.tcp;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The half-open connections of one listener on one loop (RFC 4987 §3.4, "SYN cache"): at most
 * {@code capacity} of them, in arrival order, with a {@code perSource} share per source address
 * that decides which entry a full cache gives up. A half-open connection holds its TCB and the protection's negotiation state but no
 * send or receive ring (those are taken on the first data).
 *
 * <p>What a full cache does with one more SYN is the listener's choice ({@link TcpLayer}): a SYN
 * offering TCP-ENO evicts the oldest entry (a SYN cookie would lose the ENO negotiation), a plain
 * SYN gets a cookie. A source holding its share of a full cache evicts its own oldest entry, so
 * one source cannot push the others out. Loop-confined.
 */
final class SynCache {
    private final int capacity;
    private final int perSource;
    private final LinkedHashSet<TcpConnection> order = new LinkedHashSet<>();
    private final Map<Source, ArrayDeque<TcpConnection>> bySource = new HashMap<>();

    private record Source(long hi, long lo) {
        static Source of(FlowKey k) {
            return new Source(k.remoteHi, k.remoteLo);
        }
    }

    /** A cache of {@code capacity} entries; one source may hold an eighth of it (at least 2). */
    SynCache(int capacity) {
        this(capacity, Math.max(2, capacity / 8));
    }

    SynCache(int capacity, int perSource) {
        if (capacity < 1 || perSource < 1) {
            throw new IllegalArgumentException("capacity " + capacity + ", per source " + perSource);
        }
        this.capacity = capacity;
        this.perSource = Math.min(perSource, capacity);
    }

    int size() {
        return order.size();
    }

    int capacity() {
        return capacity;
    }

    boolean full() {
        return order.size() >= capacity;
    }

    /** The oldest entry of {@code flow}'s source if that source holds its whole share, else null. */
    TcpConnection overShare(FlowKey flow) {
        ArrayDeque<TcpConnection> q = bySource.get(Source.of(flow));
        return q != null && q.size() >= perSource ? q.peekFirst() : null;
    }

    /** The oldest entry, or null when empty. */
    TcpConnection oldest() {
        return order.isEmpty() ? null : order.getFirst();
    }

    void add(TcpConnection c) {
        if (order.add(c)) {
            bySource.computeIfAbsent(Source.of(c.key), s -> new ArrayDeque<>()).addLast(c);
        }
    }

    /** Forgets {@code c}; false if it was not here. */
    boolean remove(TcpConnection c) {
        if (!order.remove(c)) {
            return false;
        }
        Source s = Source.of(c.key);
        ArrayDeque<TcpConnection> q = bySource.get(s);
        if (q != null) {
            q.remove(c);
            if (q.isEmpty()) {
                bySource.remove(s);
            }
        }
        return true;
    }

    boolean contains(TcpConnection c) {
        return order.contains(c);
    }
}
