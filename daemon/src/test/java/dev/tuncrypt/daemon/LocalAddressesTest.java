package dev.tuncrypt.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalAddressesTest {
    private static InetAddress addr(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void interfacesAreReadOncePerAddressWithinTheTtl() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        AtomicLong now = new AtomicLong(1_000);
        Set<InetAddress> mine = Set.of(addr("198.18.0.2"));
        LocalAddresses l = new LocalAddresses(a -> {
            reads.incrementAndGet();
            return mine.contains(a);
        }, now::get);
        for (int i = 0; i < 100; i++) {
            assertTrue(l.test(addr("198.18.0.2")));
            assertFalse(l.test(addr("198.18.0.9")));
        }
        assertEquals(2, reads.get(), "one read per address, not per SYN");
    }

    @Test
    void anAnswerIsReadAgainOnceItsTtlHasPassed() throws Exception {
        AtomicLong now = new AtomicLong(0);
        boolean[] local = {false};
        LocalAddresses l = new LocalAddresses(a -> local[0], now::get);
        assertFalse(l.test(addr("198.18.0.2")));
        local[0] = true; // the address was added
        now.addAndGet(LocalAddresses.TTL.toNanos() - 1);
        assertFalse(l.test(addr("198.18.0.2")), "still the kept answer");
        now.addAndGet(1);
        assertTrue(l.test(addr("198.18.0.2")), "read again after the TTL");
    }

    @Test
    void theCacheStaysBounded() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        LocalAddresses l = new LocalAddresses(a -> {
            reads.incrementAndGet();
            return false;
        }, () -> 0);
        for (int i = 0; i < LocalAddresses.MAX_ENTRIES + 10; i++) {
            l.test(InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) (i >> 8), (byte) i}));
        }
        l.test(addr("198.18.0.0")); // dropped when the cache started over
        assertEquals(LocalAddresses.MAX_ENTRIES + 11, reads.get());
    }

    @Test
    void theSharedInstanceKnowsLoopback() throws Exception {
        assertTrue(LocalAddresses.isLocal(addr("127.0.0.1")));
        assertFalse(LocalAddresses.isLocal(addr("198.18.255.254")));
    }
}
