package dev.tuncrypt.daemon.control;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Socket owners from one reading of {@code /proc/net/tcp{,6}} shared by every lookup: a tuple not
 * in the reading is looked for again only once the reading is {@code maxAgeNanos} old, so a
 * page of thousands of connections that ended (and left the kernel's table) costs at most one
 * reading, not one per connection. Thread-safe.
 */
public final class OwnerCache {
    private final SocketOwners owners;
    private final long maxAgeNanos;
    private final LongSupplier nanoTime;
    private Map<SocketOwners.Tuple, Integer> table = Map.of();
    private long readAt;
    private boolean read;
    private long readings;

    public OwnerCache(SocketOwners owners, long maxAgeNanos, LongSupplier nanoTime) {
        this.owners = owners;
        this.maxAgeNanos = maxAgeNanos;
        this.nanoTime = nanoTime;
    }

    /** The uid owning the kernel socket {@code local} &rarr; {@code remote}, or -1. */
    public synchronized int uidOf(InetSocketAddress local, InetSocketAddress remote) {
        SocketOwners.Tuple key = SocketOwners.Tuple.of(local, remote);
        Integer uid = table.get(key);
        if (uid != null) {
            return uid;
        }
        long now = nanoTime.getAsLong();
        if (read && now - readAt < maxAgeNanos) {
            return -1;
        }
        try {
            table = owners.snapshot();
        } catch (IOException e) {
            table = Map.of();
        }
        read = true;
        readAt = now;
        readings++;
        uid = table.get(key);
        return uid == null ? -1 : uid;
    }

    /** Readings of the tables so far. */
    public synchronized long readings() {
        return readings;
    }
}
