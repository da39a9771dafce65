package dev.tuncrypt.daemon.splice;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The bound on connect-first amplification. The splicer connects leg 2 on a bare SYN, before the
 * client has shown it can complete a handshake; a flood of spoofed SYNs would otherwise become as
 * many real connections and key exchanges at the destination. A leg 2 is <em>pending</em> from
 * its SYN until leg 1 completes its handshake (or the attempt ends); at most {@code global} may
 * be pending at once, and at most {@code perSource} for one source address. RFC 4987 §3.2–3.4
 * (bounded half-open state) is the model. Thread-safe.
 */
final class PendingConnects {
    private final Map<InetAddress, Integer> bySource = new HashMap<>();
    private int total;

    /** Why {@link #tryAcquire} said no, or null when it said yes. */
    enum Refusal { GLOBAL, PER_SOURCE }

    /**
     * Takes a pending slot for {@code source} if both bounds allow it.
     *
     * @return null when taken; otherwise which bound was reached (nothing taken)
     */
    synchronized Refusal tryAcquire(InetAddress source, int global, int perSource) {
        if (total >= global) {
            return Refusal.GLOBAL;
        }
        int mine = bySource.getOrDefault(source, 0);
        if (mine >= perSource) {
            return Refusal.PER_SOURCE;
        }
        bySource.put(source, mine + 1);
        total++;
        return null;
    }

    /** Gives back a slot taken for {@code source}. */
    synchronized void release(InetAddress source) {
        Integer mine = bySource.get(source);
        if (mine == null) {
            return;
        }
        if (mine <= 1) {
            bySource.remove(source);
        } else {
            bySource.put(source, mine - 1);
        }
        total--;
    }

    /** Leg 2 connects pending now. */
    synchronized int pending() {
        return total;
    }

    /** Sources with a pending connect now. */
    synchronized int sources() {
        return bySource.size();
    }
}
