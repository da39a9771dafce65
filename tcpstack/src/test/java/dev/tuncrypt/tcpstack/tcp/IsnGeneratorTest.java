package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class IsnGeneratorTest {
    private static final long LOCAL_LO = 0xffff_c612_0702L; // ::ffff:198.18.7.2
    private static final long REMOTE_LO = 0xffff_c612_0701L;

    private final IsnGenerator isns = new IsnGenerator(new Random(42));

    private int isn(IsnGenerator g, long now, int remotePort) {
        return g.isn(now, 0, LOCAL_LO, 443, 0, REMOTE_LO, remotePort);
    }

    @Property
    void advancesWithTheFourMicrosecondClock(@ForAll long start, @ForAll @IntRange(min = 0, max = 1_000_000_000) int ticks) {
        long from = Math.floorDiv(start, 2) ; // keep start + ticks * 4 us in range
        int first = isn(isns, from, 50_000);
        int later = isn(isns, from + ticks * IsnGenerator.TICK_NANOS, 50_000);
        assertEquals(ticks, SeqNum.diff(later, first));
    }

    @Test
    void sameTupleSameTimeSameIsn() {
        assertEquals(isn(isns, 123_456_789L, 50_000), isn(isns, 123_456_789L, 50_000));
        assertEquals(isn(isns, 0, 50_000) + 1, isn(isns, 4_000, 50_000));
        assertEquals(isn(isns, 0, 50_000), isn(isns, 3_999, 50_000));
    }

    @Test
    void differsPerTuple() {
        Set<Integer> seen = new HashSet<>();
        for (int port = 1024; port < 11_024; port++) {
            seen.add(isn(isns, 1_000_000_000L, port));
        }
        assertEquals(10_000, seen.size(), "no collisions expected among 10,000 ports");
        assertNotEquals(isns.isn(0, 0, LOCAL_LO, 443, 0, REMOTE_LO, 50_000),
                isns.isn(0, 0, REMOTE_LO, 443, 0, LOCAL_LO, 50_000));
        assertNotEquals(isns.isn(0, 0, LOCAL_LO, 443, 0, REMOTE_LO, 50_000),
                isns.isn(0, 1, LOCAL_LO, 443, 0, REMOTE_LO, 50_000));
    }

    @Test
    void differsPerSecret() {
        IsnGenerator other = new IsnGenerator(new Random(43));
        assertNotEquals(isn(isns, 0, 50_000), isn(other, 0, 50_000));
        assertEquals(isn(isns, 0, 50_000), isn(new IsnGenerator(new Random(42)), 0, 50_000), "deterministic from the seed");
    }
}
