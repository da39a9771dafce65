package dev.tuncrypt.tcpstack.tcp;

import java.util.random.RandomGenerator;

/**
 * SYN cookies as Linux makes them (net/ipv4/syncookies.c): under a SYN flood the listener
 * answers with a SYN-ACK whose ISN encodes what it must remember, keeps no state, and rebuilds
 * the connection from the ACK that returns the cookie.
 *
 * <pre>
 * cookie = H1(4-tuple) + client ISN + (count &lt;&lt; 24) + ((H2(4-tuple, count) + mssIndex) mod 2^24)
 * </pre>
 * {@code count} is a counter of {@code periodNanos} periods taken from {@code nowNanos}; H1 and
 * H2 are {@link TupleHash}es under two independent secret keys. A cookie is accepted while its
 * counter is less than {@link #MAX_AGE} periods old and its low 24 bits decode to an index of
 * the MSS table; a forged cookie passes with probability about 2/256 * 8/2^24.
 *
 * <p>When the SYN carried timestamps, the options that do not fit in the cookie (the client's
 * window scale, SACK-permitted, ECN) go into the low 6 bits of our TSval and come back in the
 * ACK's TSecr ({@link #encodeTimestamp}, {@link #timestampWscale}, {@link #timestampSackOk},
 * {@link #timestampEcnOk}). Without timestamps those options are lost, as in Linux.
 */
public final class SynCookies {
    /** Counter period: one minute, as Linux. */
    public static final long DEFAULT_PERIOD_NANOS = 60_000_000_000L;
    /** A cookie is valid for this many counter periods. */
    public static final int MAX_AGE = 2;
    /** {@link #validate} result for a cookie that is not valid. */
    public static final int INVALID = 0;

    private static final int COOKIE_BITS = 24;
    private static final int COOKIE_MASK = (1 << COOKIE_BITS) - 1;
    private static final int COUNT_MASK = 0xff; // the 32 - COOKIE_BITS bits left for the counter
    /** MSS values a cookie can carry: Linux's IPv4 and IPv6 tables merged, ascending. */
    private static final int[] MSS_TABLE = {536, 1220, 1300, 1420, 1440, 1460, 8940, 8960};

    private static final int TS_BITS = 6;
    private static final int TS_WSCALE_MASK = 0xf;
    private static final int TS_SACK = 1 << 4;
    private static final int TS_ECN = 1 << 5;
    private static final int MAX_WSCALE = 14; // RFC 7323 §2.3

    private final TupleHash h1;
    private final TupleHash h2;
    private final long periodNanos;

    private long issued;
    private long accepted;
    private long rejectedAge;
    private long rejectedHash;

    /** Cookies with secrets from {@code random} and the {@link #DEFAULT_PERIOD_NANOS} counter period. */
    public SynCookies(RandomGenerator random) {
        this(random, DEFAULT_PERIOD_NANOS);
    }

    /** Cookies with secrets from {@code random} and the given counter period. */
    public SynCookies(RandomGenerator random, long periodNanos) {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("period must be positive: " + periodNanos);
        }
        this.h1 = new TupleHash(random);
        this.h2 = new TupleHash(random);
        this.periodNanos = periodNanos;
    }

    /** The MSS a cookie will carry for a peer that offered {@code mss}: the largest table value not above it. */
    public static int encodableMss(int mss) {
        return MSS_TABLE[mssIndex(mss)];
    }

    private static int mssIndex(int mss) {
        int index = 0;
        while (index + 1 < MSS_TABLE.length && MSS_TABLE[index + 1] <= mss) {
            index++;
        }
        return index;
    }

    /**
     * The cookie to use as the SYN-ACK's ISN.
     *
     * @param clientIsn the SYN's sequence number
     * @param mss the MSS the client offered (536 if none, RFC 9293 §3.7.1)
     */
    public int encode(long nowNanos, long localHi, long localLo, int localPort,
                      long remoteHi, long remoteLo, int remotePort, int clientIsn, int mss) {
        int count = counter(nowNanos);
        int first = (int) h1.hash(localHi, localLo, localPort, remoteHi, remoteLo, remotePort, 0);
        int second = (int) h2.hash(localHi, localLo, localPort, remoteHi, remoteLo, remotePort, count);
        issued++;
        return first + clientIsn + (count << COOKIE_BITS) + ((second + mssIndex(mss)) & COOKIE_MASK);
    }

    /**
     * Checks the cookie returned by an ACK that matches no connection.
     *
     * @param clientIsn SEG.SEQ - 1 of the ACK (the client's ISN)
     * @param cookie SEG.ACK - 1 of the ACK (our ISN, if this is a cookie)
     * @return the MSS the cookie carries, or {@link #INVALID}
     */
    public int validate(long nowNanos, long localHi, long localLo, int localPort,
                        long remoteHi, long remoteLo, int remotePort, int clientIsn, int cookie) {
        int count = counter(nowNanos);
        int value = cookie - (int) h1.hash(localHi, localLo, localPort, remoteHi, remoteLo, remotePort, 0) - clientIsn;
        int age = (count - (value >>> COOKIE_BITS)) & COUNT_MASK;
        if (age >= MAX_AGE) {
            rejectedAge++;
            return INVALID;
        }
        int second = (int) h2.hash(localHi, localLo, localPort, remoteHi, remoteLo, remotePort, count - age);
        int index = (value - second) & COOKIE_MASK;
        if (index >= MSS_TABLE.length) {
            rejectedHash++;
            return INVALID;
        }
        accepted++;
        return MSS_TABLE[index];
    }

    private int counter(long nowNanos) {
        return (int) Math.floorDiv(nowNanos, periodNanos);
    }

    /**
     * Our TSval for a cookie SYN-ACK: {@code tsNow} with its low 6 bits replaced by the
     * client's window scale (or 15 for none), SACK-permitted and ECN flags, moved back by 64 if
     * that would put it ahead of {@code tsNow} (as Linux's cookie_init_timestamp).
     *
     * @param wscale the window scale the client sent, or -1 when it sent none
     */
    public static int encodeTimestamp(int tsNow, int wscale, boolean sackOk, boolean ecnOk) {
        int options = wscale >= 0 ? Math.min(wscale, MAX_WSCALE) : TS_WSCALE_MASK;
        if (sackOk) {
            options |= TS_SACK;
        }
        if (ecnOk) {
            options |= TS_ECN;
        }
        int ts = (tsNow & -(1 << TS_BITS)) | options;
        return SeqNum.gt(ts, tsNow) ? ts - (1 << TS_BITS) : ts;
    }

    /** The client's window scale from the ACK's TSecr, or -1 if it sent none. */
    public static int timestampWscale(int tsEcr) {
        int wscale = tsEcr & TS_WSCALE_MASK;
        return wscale == TS_WSCALE_MASK ? -1 : wscale;
    }

    /** Whether the client sent SACK-permitted, from the ACK's TSecr. */
    public static boolean timestampSackOk(int tsEcr) {
        return (tsEcr & TS_SACK) != 0;
    }

    /** Whether the client asked for ECN, from the ACK's TSecr. */
    public static boolean timestampEcnOk(int tsEcr) {
        return (tsEcr & TS_ECN) != 0;
    }

    /** Cookies encoded. */
    public long issued() {
        return issued;
    }

    /** Cookies validated. */
    public long accepted() {
        return accepted;
    }

    /** Cookies rejected because their counter is {@link #MAX_AGE} or more periods old (stale, or forged). */
    public long rejectedAge() {
        return rejectedAge;
    }

    /** Cookies rejected because their hash did not decode to an MSS index (forged, or another tuple's). */
    public long rejectedHash() {
        return rejectedHash;
    }
}
