package dev.tuncrypt.daemon.splice;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What the splicer did, by outcome; thread-safe. */
public final class SpliceCounters {
    final LongAdder accepted = new LongAdder();
    final LongAdder encrypted = new LongAdder();
    final LongAdder plain = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder connectFailed = new LongAdder();
    final LongAdder pendingRefused = new LongAdder();
    final LongAdder resetsPropagated = new LongAdder();
    final LongAdder idleTimeouts = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder bytesIn = new LongAdder();

    /** Connections taken from the transparent listener. */
    public long accepted() {
        return accepted.sum();
    }

    /** Connections whose tcpcrypt session was established. */
    public long encrypted() {
        return encrypted.sum();
    }

    /** Connections that ran in the clear (fallback or disabled). */
    public long plain() {
        return plain.sum();
    }

    /** Connections refused because encryption was required and the peer lacked it. */
    public long refused() {
        return refused.sum();
    }

    /** Leg-2 connects that failed (refused, unreachable, timed out). */
    public long connectFailed() {
        return connectFailed.sum();
    }

    /** SYNs refused because the bound on pending leg 2 connects was reached (global or per source). */
    public long pendingRefused() {
        return pendingRefused.sum();
    }

    /** Resets carried from one leg to the other. */
    public long resetsPropagated() {
        return resetsPropagated.sum();
    }

    /** Connections reset for being idle. */
    public long idleTimeouts() {
        return idleTimeouts.sum();
    }

    /** Every counter by name, for status and metrics. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("splice_accepted", accepted());
        m.put("splice_encrypted", encrypted());
        m.put("splice_plain", plain());
        m.put("splice_refused", refused());
        m.put("splice_connect_failed", connectFailed());
        m.put("splice_pending_refused", pendingRefused());
        m.put("splice_resets_propagated", resetsPropagated());
        m.put("splice_idle_timeouts", idleTimeouts());
        m.put("splice_bytes_out", bytesOut.sum());
        m.put("splice_bytes_in", bytesIn.sum());
        return m;
    }
}
