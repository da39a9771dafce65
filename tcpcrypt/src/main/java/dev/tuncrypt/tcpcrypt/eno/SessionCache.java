package dev.tuncrypt.tcpcrypt.eno;

import dev.tuncrypt.tcpcrypt.Role;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Sessions cached for resumption, bounded in number and age, each usable once.
 *
 * <p>As in the reference ({@code session_cache}, {@code session_find_host},
 * {@code session_find}): role A finds its session by peer ({@code K}, e.g. the peer's IP
 * address; the reference matches the host only) and puts its resume identifier in the SYN; role B
 * finds a session by the 10-byte resume identifier the SYN carries. Entries of the two roles are
 * kept apart (the reference's {@code ts_dir}). Role A keeps one entry per peer, the newest.
 *
 * <p>Unlike the reference, which keeps an entry and marks it used, {@code take} removes it: a
 * secret that reached a SYN is never offered again, so two connections can never share traffic
 * keys and offsets (GCM nonce reuse). The reference has no size or age bound; this cache evicts
 * the oldest entry beyond {@code maxEntries} and drops entries older than {@code maxAge}.
 * Evicted, flushed and replaced entries are zeroed. Thread-safe.
 *
 * @param <K> how role A names a peer
 */
public final class SessionCache<K> {
    private final int maxEntries;
    private final Duration maxAge;
    private final InstantSource clock;
    private final LinkedHashMap<Object, Entry<K>> entries = new LinkedHashMap<>();

    private record PeerKey(Object peer) {}

    private record Entry<K>(K peer, CachedSession session, Instant created) {}

    /**
     * @param maxEntries most entries kept (both roles together)
     * @param maxAge entries older than this are discarded
     * @param clock the time source (injected for tests)
     */
    public SessionCache(int maxEntries, Duration maxAge, InstantSource clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive");
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive");
        }
        this.maxEntries = maxEntries;
        this.maxAge = maxAge;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Caches {@code session} (from the dialect's {@code SessionSecrets.toCacheEntry}) for {@code peer}; the cache
     * owns it from now on. A role-A entry replaces the previous one for the same peer.
     */
    public synchronized void put(K peer, CachedSession session) {
        Objects.requireNonNull(peer, "peer");
        if (session.isClosed()) {
            throw new IllegalArgumentException("session already used");
        }
        Instant now = clock.instant();
        evictExpired(now);
        Object key = session.role() == Role.A ? new PeerKey(peer) : ByteBuffer.wrap(session.resumeId());
        Entry<K> old = entries.remove(key);
        if (old != null) {
            old.session().close();
        }
        entries.put(key, new Entry<>(peer, session, now));
        Iterator<Entry<K>> it = entries.values().iterator();
        while (entries.size() > maxEntries && it.hasNext()) {
            it.next().session().close();
            it.remove();
        }
    }

    /** Role A: removes and returns the session cached for {@code peer}, or null. */
    public synchronized CachedSession takeForPeer(K peer) {
        evictExpired(clock.instant());
        Entry<K> e = entries.remove(new PeerKey(peer));
        return e == null ? null : e.session();
    }

    /** Role B: removes and returns the session whose resume identifier is {@code resumeId}, or null. */
    public synchronized CachedSession takeByResumeId(byte[] resumeId) {
        evictExpired(clock.instant());
        Entry<K> e = entries.remove(ByteBuffer.wrap(resumeId.clone()));
        return e == null ? null : e.session();
    }

    /** This cache as role B's lookup for the dialect's SYN negotiation. */
    public ResumeLookup resumeLookup() {
        return this::takeByResumeId;
    }

    /** Entries currently held (expired ones included until the next operation drops them). */
    public synchronized int size() {
        return entries.size();
    }

    /** Discards every entry (the reference's {@code -c} / flush). */
    public synchronized void flush() {
        for (Entry<K> e : entries.values()) {
            e.session().close();
        }
        entries.clear();
    }

    /** Discards every entry of {@code peer}, both roles. */
    public synchronized void flush(K peer) {
        Iterator<Entry<K>> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry<K> e = it.next();
            if (e.peer().equals(peer)) {
                e.session().close();
                it.remove();
            }
        }
    }

    /** Drops expired entries now; returns how many. */
    public synchronized int evictExpired() {
        return evictExpired(clock.instant());
    }

    private int evictExpired(Instant now) {
        int n = 0;
        Iterator<Map.Entry<Object, Entry<K>>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Entry<K> e = it.next().getValue();
            if (!now.isBefore(e.created().plus(maxAge))) {
                e.session().close();
                it.remove();
                n++;
            }
        }
        return n;
    }
}
