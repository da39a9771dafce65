package dev.tuncrypt.tcpstack.tcp;

import java.util.random.RandomGenerator;

/**
 * A secret keyed hash of a connection's 4-tuple (SipHash-2-4 with a 128-bit key drawn once from
 * an injected random source), shared by {@link IsnGenerator} and {@link SynCookies}.
 *
 * <p>Addresses are passed as two longs, the high and low 64 bits of an IPv6 address; an IPv4
 * address as its IPv4-mapped form {@code ::ffff:a.b.c.d} (high 0, low
 * {@code 0xffff00000000L | addr}), as {@link FlowKey} holds it. Immutable and allocation-free:
 * safe to share between loops.
 */
public final class TupleHash {
    private final long k0;
    private final long k1;

    /** A hash with a fresh key from {@code random} (a {@link java.security.SecureRandom} in production). */
    public TupleHash(RandomGenerator random) {
        this(random.nextLong(), random.nextLong());
    }

    TupleHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /**
     * The keyed hash of the 4-tuple and a 32-bit {@code extra} word (0, or a counter that must
     * be bound into the hash).
     */
    public long hash(long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort, int extra) {
        long ports = ((long) (localPort & 0xffff) << 48) | ((long) (remotePort & 0xffff) << 32) | (extra & 0xffffffffL);
        return SipHash.hash24(k0, k1, localHi, localLo, remoteHi, remoteLo, ports);
    }
}
