package dev.tuncrypt.daemon;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Whether an address belongs to this host (its network namespace): assigned to one of its
 * interfaces. Asked for every SYN to a served port, on the stack loop; reading the interfaces
 * ({@link NetworkInterface#getByInetAddress}) walks all of them with system calls, which cost a
 * sixth of the serving daemon's CPU time at a few hundred connections per second, so each answer
 * is kept for {@link #TTL} (an address added or removed is seen within that time).
 */
final class LocalAddresses {
    /** How long an answer is kept. */
    static final Duration TTL = Duration.ofSeconds(1);
    /** Addresses remembered at most; past it the cache starts over (a scan of many addresses). */
    static final int MAX_ENTRIES = 4096;
    private static final LocalAddresses SHARED = new LocalAddresses(LocalAddresses::readInterfaces, System::nanoTime);

    private record Answer(boolean local, long expiresNanos) {}

    private final Predicate<InetAddress> lookup;
    private final LongSupplier clock;
    private final Map<InetAddress, Answer> answers = new ConcurrentHashMap<>();

    LocalAddresses(Predicate<InetAddress> lookup, LongSupplier clock) {
        this.lookup = lookup;
        this.clock = clock;
    }

    /**
     * True when an interface of this namespace has {@code address}; false when none has or the
     * interfaces cannot be read (a SYN taken for steered is then connected onward as steered,
     * with tcpcrypt as configured: never less protected).
     */
    static boolean isLocal(InetAddress address) {
        return SHARED.test(address);
    }

    /** As {@link #isLocal}, answered from the cache while its answer is younger than {@link #TTL}. */
    boolean test(InetAddress address) {
        long now = clock.getAsLong();
        Answer a = answers.get(address);
        if (a != null && now - a.expiresNanos() < 0) {
            return a.local();
        }
        boolean local = lookup.test(address);
        if (answers.size() >= MAX_ENTRIES) {
            answers.clear();
        }
        answers.put(address, new Answer(local, now + TTL.toNanos()));
        return local;
    }

    private static boolean readInterfaces(InetAddress address) {
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
