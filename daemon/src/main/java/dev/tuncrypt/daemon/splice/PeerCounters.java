package dev.tuncrypt.daemon.splice;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the splicer did with one remote peer (the far end of the application's connection: the
 * destination of an outbound splice, the client of a served one), since start; thread-safe.
 * Each spliced connection is counted once, when its outcome is known; bytes when it ends.
 */
public final class PeerCounters {
    final LongAdder encrypted = new LongAdder();
    final LongAdder plain = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder connectFailed = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    private volatile long lastHandshakeMillis;
    private volatile String dialect = "";

    public long encrypted() {
        return encrypted.sum();
    }

    public long plain() {
        return plain.sum();
    }

    public long refused() {
        return refused.sum();
    }

    public long connectFailed() {
        return connectFailed.sum();
    }

    /** Payload bytes toward the local application, of the connections that have ended. */
    public long bytesIn() {
        return bytesIn.sum();
    }

    /** Payload bytes from the local application, of the connections that have ended. */
    public long bytesOut() {
        return bytesOut.sum();
    }

    /** Wall-clock time (ms since the epoch) of the last tcpcrypt session established with it; 0 if none. */
    public long lastHandshakeMillis() {
        return lastHandshakeMillis;
    }

    /** The dialect of the last session with it ("" if none). */
    public String dialect() {
        return dialect;
    }

    void handshake(long epochMillis, String dialect) {
        this.lastHandshakeMillis = epochMillis;
        this.dialect = dialect;
    }
}
