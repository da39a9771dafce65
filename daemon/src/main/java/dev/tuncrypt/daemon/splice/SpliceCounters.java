package dev.tuncrypt.daemon.splice;

import java.net.InetAddress;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the splicer did, by outcome; thread-safe. The unit is the <em>spliced connection</em>
 * (one application connection = leg 1 + leg 2), counted once by the daemon that splices it, when
 * its outcome is known: {@code encrypted} when its crypt leg (leg 2 outbound, leg 1 served) has
 * tcpcrypt keys, {@code plain} when that leg runs in the clear, {@code refused} when it was
 * refused (tcpcrypt required and not negotiated, or a plain SYN to a served port),
 * {@code connect_failed} when leg 2 could not be opened. A connection that ends before its
 * outcome was noticed is counted by what its crypt leg had negotiated by then. {@code tuncrypt
 * netstat} lists the same connections (one line each, leg 1's tuple), so the two agree.
 */
public final class SpliceCounters {
    /** Peers kept at most; beyond it new peers are folded into {@link #OTHER_PEERS}. */
    static final int MAX_PEERS = 4096;
    /** The key of the peers beyond {@link #MAX_PEERS}. */
    static final InetAddress OTHER_PEERS = otherPeers();

    private static InetAddress otherPeers() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private final Map<InetAddress, PeerCounters> peers = new ConcurrentHashMap<>();
    private final InstantSource clock;
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

    SpliceCounters() {
        this(InstantSource.system());
    }

    SpliceCounters(InstantSource clock) {
        this.clock = clock;
    }

    /** The counters of {@code peer} (0.0.0.0 once {@link #MAX_PEERS} peers are known). */
    PeerCounters peer(InetAddress peer) {
        PeerCounters p = peers.get(peer);
        if (p != null) {
            return p;
        }
        if (peers.size() >= MAX_PEERS) {
            peer = OTHER_PEERS;
        }
        return peers.computeIfAbsent(peer, k -> new PeerCounters());
    }

    /** A connection with {@code peer} settled encrypted (tcpcrypt session of {@code dialect}). */
    void countEncrypted(InetAddress peer, String dialect) {
        encrypted.increment();
        PeerCounters p = peer(peer);
        p.encrypted.increment();
        p.handshake(clock.millis(), dialect);
    }

    /** A connection with {@code peer} settled in the clear. */
    void countPlain(InetAddress peer) {
        plain.increment();
        peer(peer).plain.increment();
    }

    /** A connection with {@code peer} was refused. */
    void countRefused(InetAddress peer) {
        refused.increment();
        peer(peer).refused.increment();
    }

    /** Leg 2 toward or for {@code peer} could not be opened. */
    void countConnectFailed(InetAddress peer) {
        connectFailed.increment();
        peer(peer).connectFailed.increment();
    }

    /** A connection with {@code peer} ended having carried these bytes. */
    void countEnded(InetAddress peer, long in, long out) {
        PeerCounters p = peer(peer);
        p.bytesIn.add(in);
        p.bytesOut.add(out);
    }

    /** Every peer seen since start, by address (sorted). */
    public Map<InetAddress, PeerCounters> peers() {
        Map<InetAddress, PeerCounters> m = new TreeMap<>(java.util.Comparator.comparing(InetAddress::getHostAddress));
        m.putAll(peers);
        return m;
    }

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
