package dev.tuncrypt.daemon.control;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Per-client request limits of the control socket, so one client (or one user with many sockets)
 * cannot keep the others from being answered: a token bucket per sending socket, and one per
 * uid for every user but root. A request over either limit is answered EAGAIN at once, which
 * costs next to nothing. Receive thread only.
 */
final class ClientLimits {
    /** Sustained requests per second of one socket, and its burst. */
    static final double PER_CLIENT_RATE = 200;
    static final double PER_CLIENT_BURST = 50;
    /** Sustained requests per second of one (non-root) user over all its sockets, and its burst. */
    static final double PER_USER_RATE = 400;
    static final double PER_USER_BURST = 100;
    private static final int MAX_TRACKED = 4096;

    private final LongSupplier nanoTime;
    private final Map<Object, Bucket> clients = new HashMap<>();
    private final Map<Integer, Bucket> users = new HashMap<>();

    ClientLimits(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Whether a request from socket {@code client} of user {@code uid} (-1: unknown) may be served now. */
    boolean admit(Object client, int uid) {
        long now = nanoTime.getAsLong();
        Bucket c = bucket(clients, client, PER_CLIENT_BURST, now);
        Bucket u = uid > 0 ? bucket(users, uid, PER_USER_BURST, now) : null;
        c.refill(now, PER_CLIENT_RATE, PER_CLIENT_BURST);
        if (u != null) {
            u.refill(now, PER_USER_RATE, PER_USER_BURST);
        }
        if (c.tokens < 1 || (u != null && u.tokens < 1)) {
            return false;
        }
        c.tokens--;
        if (u != null) {
            u.tokens--;
        }
        return true;
    }

    private static <K> Bucket bucket(Map<K, Bucket> map, K key, double burst, long now) {
        Bucket b = map.get(key);
        if (b == null) {
            if (map.size() >= MAX_TRACKED) {
                map.clear(); // forgetting every bucket only ever lets clients through: fail open, stay bounded
            }
            b = new Bucket(burst, now);
            map.put(key, b);
        }
        return b;
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }

        void refill(long now, double rate, double burst) {
            tokens = Math.min(burst, tokens + (now - at) * rate / 1e9);
            at = now;
        }
    }
}
