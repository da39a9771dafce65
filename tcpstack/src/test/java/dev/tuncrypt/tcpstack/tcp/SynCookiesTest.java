package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SynCookiesTest {
    private static final long PERIOD = SynCookies.DEFAULT_PERIOD_NANOS;
    private static final long LOCAL = 0xffff_c612_0702L;
    private static final long REMOTE = 0xffff_c612_0701L;

    private final SynCookies cookies = new SynCookies(new Random(7));

    private int encode(long now, int remotePort, int clientIsn, int mss) {
        return cookies.encode(now, 0, LOCAL, 80, 0, REMOTE, remotePort, clientIsn, mss);
    }

    private int validate(long now, int remotePort, int clientIsn, int cookie) {
        return cookies.validate(now, 0, LOCAL, 80, 0, REMOTE, remotePort, clientIsn, cookie);
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 536, 1000, 1220, 1300, 1400, 1420, 1440, 1460, 1500, 8940, 8960, 65_000})
    void roundTripsTheMssWithinTwoPeriods(int mss) {
        long now = 10 * PERIOD + PERIOD / 3;
        int cookie = encode(now, 40_000, 0x1234_5678, mss);
        int expected = SynCookies.encodableMss(mss);
        assertTrue(expected <= Math.max(mss, 536));
        assertEquals(expected, validate(now, 40_000, 0x1234_5678, cookie));
        assertEquals(expected, validate(now + PERIOD, 40_000, 0x1234_5678, cookie)); // next counter
        assertEquals(2, cookies.accepted());
    }

    @Test
    void rejectsStaleCookies() {
        long now = 5 * PERIOD;
        int cookie = encode(now, 40_000, 99, 1460);
        assertEquals(1460, validate(now + 2 * PERIOD - 1, 40_000, 99, cookie));
        assertEquals(SynCookies.INVALID, validate(now + 2 * PERIOD, 40_000, 99, cookie));
        assertEquals(SynCookies.INVALID, validate(now + 100 * PERIOD, 40_000, 99, cookie));
        assertEquals(2, cookies.rejectedAge());
        assertEquals(SynCookies.INVALID, validate(now - PERIOD, 40_000, 99, cookie), "from the future");
    }

    @Test
    void rejectsForgedCookies() {
        Random random = new Random(1);
        long now = 3 * PERIOD;
        int accepted = 0;
        for (int i = 0; i < 100_000; i++) {
            if (validate(now, 40_000, random.nextInt(), random.nextInt()) != SynCookies.INVALID) {
                accepted++;
            }
        }
        assertEquals(0, accepted);
        assertEquals(100_000, cookies.rejectedAge() + cookies.rejectedHash());
        assertTrue(cookies.rejectedHash() > 0);
    }

    @Test
    void rejectsCookiesOfAnotherConnection() {
        Random random = new Random(2);
        long now = 3 * PERIOD;
        for (int i = 0; i < 1000; i++) {
            int clientIsn = random.nextInt();
            int cookie = encode(now, 40_000, clientIsn, 1460);
            assertEquals(SynCookies.INVALID, validate(now, 40_001, clientIsn, cookie), "other port");
            assertEquals(SynCookies.INVALID, validate(now, 40_000, clientIsn ^ 0x5a5a_0000 ^ random.nextInt(), cookie),
                    "other client ISN");
            assertEquals(SynCookies.INVALID,
                    new SynCookies(new Random(8)).validate(now, 0, LOCAL, 80, 0, REMOTE, 40_000, clientIsn, cookie),
                    "other secret");
        }
    }

    @Property
    void timestampCarriesTheOptions(@ForAll int tsNow, @ForAll @IntRange(min = -1, max = 14) int wscale,
                                    @ForAll boolean sack, @ForAll boolean ecn) {
        int ts = SynCookies.encodeTimestamp(tsNow, wscale, sack, ecn);
        assertTrue(SeqNum.le(ts, tsNow), "never ahead of the clock");
        assertTrue(SeqNum.diff(tsNow, ts) < 64);
        assertEquals(wscale, SynCookies.timestampWscale(ts));
        assertEquals(sack, SynCookies.timestampSackOk(ts));
        assertEquals(ecn, SynCookies.timestampEcnOk(ts));
    }
}
