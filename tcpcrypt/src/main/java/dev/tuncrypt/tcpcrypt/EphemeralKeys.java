package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.crypto.AgreementKeyPair;
import dev.tuncrypt.tcpcrypt.crypto.EcdhKeyPair;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The ephemeral key pairs handshakes use: one per TEP, replaced after a rotation period, so a
 * handshake costs one key agreement instead of a key generation and an agreement. A replaced
 * pair stays usable for one more period (handshakes in flight finish) and is then wiped. Keys
 * live in memory only: never written, never logged. Thread-safe.
 */
public final class EphemeralKeys implements AutoCloseable {
    private final SecureRandom random;
    private final LongSupplier clock;
    private final long periodNanos;
    private final Map<Tep, Entry> current = new EnumMap<>(Tep.class);
    private final ArrayDeque<Entry> retired = new ArrayDeque<>();

    private record Entry(AgreementKeyPair pair, long createdAt) {}

    public EphemeralKeys(SecureRandom random, long periodNanos, LongSupplier clockNanos) {
        this.random = random;
        this.periodNanos = periodNanos;
        this.clock = clockNanos;
    }

    /** The key pair to use now for {@code tep} (generated on first use, then on rotation). */
    public synchronized AgreementKeyPair current(Tep tep) {
        long now = clock.getAsLong();
        Entry e = current.get(tep);
        if (e == null || now - e.createdAt() >= periodNanos) {
            if (e != null) {
                retired.add(new Entry(e.pair(), now));
            }
            e = new Entry(AgreementKeyPair.generate(tep, random), now);
            current.put(tep, e);
        }
        while (!retired.isEmpty() && now - retired.peek().createdAt() >= periodNanos) {
            retired.poll().pair().close();
        }
        return e.pair();
    }

    /** {@link #current} for a NIST-curve TEP (the tcpcrypt-0.5 dialect's key exchange). */
    public EcdhKeyPair currentEc(Tep tep) {
        return (EcdhKeyPair) current(tep);
    }

    /** Wipes every key pair. */
    @Override
    public synchronized void close() {
        current.values().forEach(e -> e.pair().close());
        current.clear();
        retired.forEach(e -> e.pair().close());
        retired.clear();
    }
}
