package dev.tuncrypt.tcpstack.tcp;

import java.util.random.RandomGenerator;

/**
 * Initial sequence numbers per RFC 6528 §3: ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), where M is a timer ticking every 4 microseconds, taken from the
 * {@code nowNanos} passed in, and F is a {@link TupleHash} under a secret key drawn once at
 * construction. Successive connections of one 4-tuple get increasing ISNs (RFC 9293 §3.4.1);
 * different 4-tuples get unrelated ones. Immutable: safe to share between loops.
 */
public final class IsnGenerator {
    /** Period of the timer M (RFC 6528 §3: 4 microseconds). */
    public static final long TICK_NANOS = 4_000L;

    private final TupleHash f;

    /** A generator whose secret key comes from {@code random} (RFC 6528 §3: a random secret). */
    public IsnGenerator(RandomGenerator random) {
        this.f = new TupleHash(random);
    }

    /** The ISN for a new connection of this 4-tuple at time {@code nowNanos}. */
    public int isn(long nowNanos, long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort) {
        int m = (int) Math.floorDiv(nowNanos, TICK_NANOS); // RFC 6528 §3: M, a 4 µs timer
        int fValue = (int) f.hash(localHi, localLo, localPort, remoteHi, remoteLo, remotePort, 0);
        return m + fValue; // RFC 6528 §3: ISN = M + F(...)
    }
}
