package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TsoDeferralTest {
    private static final int MSS = 1448;
    private static final int MAX = 44;
    private static final long SRTT = 400_000; // 400 µs: the bound is SRTT/2 = 200 µs
    private static final long T0 = 1_000_000_000L;
    /** A cwnd of 100 segments: the target is min(44, 100/8) = 12.5 segments. */
    private static final long WINDOW = 100L * MSS;
    private static final long LOTS = 1L << 30;

    private TsoDeferral d;

    @BeforeEach
    void setUp() {
        d = new TsoDeferral();
        d.sent(T0); // data went out just now
    }

    private boolean defer(long now, long sendable) {
        return d.shouldDefer(now, sendable, LOTS, WINDOW, WINDOW - sendable, MSS, MAX, SRTT, TsoDeferral.NONE);
    }

    @Test
    void twoSegmentsFreedByAnAckWaitForMore() {
        assertTrue(defer(T0 + 10_000, 2L * MSS));
        assertEquals(T0 + 10_000 + SRTT / 2, d.deadline(), "bound: SRTT/2 from the deferral's start");
        assertEquals(1, d.deferrals());
    }

    @Test
    void targetIsAnEighthOfTheWindowOrAFullSuperPacket() {
        assertEquals(12L * MSS + MSS / 2, TsoDeferral.target(WINDOW, MSS, MAX));
        assertEquals(44L * MSS, TsoDeferral.target(1000L * MSS, MSS, MAX));
        assertEquals(2L * MSS, TsoDeferral.target(3L * MSS, MSS, MAX), "never less than two segments");
        assertTrue(defer(T0, 12L * MSS));
        assertFalse(defer(T0, 13L * MSS), "an eighth of the window goes at once");
        assertFalse(d.shouldDefer(T0, 44L * MSS, LOTS, 1000L * MSS, 900L * MSS, MSS, MAX, SRTT, TsoDeferral.NONE),
                "a full super-packet goes at once");
        assertEquals(TsoDeferral.NONE, d.deadline());
    }

    @Test
    void lessThanOneSegmentSendableIsNoDeferral() {
        assertFalse(defer(T0, MSS - 1), "nothing could go anyway: no timer");
        assertEquals(TsoDeferral.NONE, d.deadline());
        assertTrue(defer(T0, MSS), "one full segment waits");
    }

    @Test
    void theTailOfTheApplicationsDataGoesAtOnce() {
        assertFalse(d.shouldDefer(T0, 4L * MSS, 4L * MSS, WINDOW, 96L * MSS, MSS, MAX, SRTT, TsoDeferral.NONE), "all of it fits");
        assertFalse(d.shouldDefer(T0, 4L * MSS, 3L * MSS, WINDOW, 96L * MSS, MSS, MAX, SRTT, TsoDeferral.NONE), "less than fits");
        assertTrue(d.shouldDefer(T0, 4L * MSS, 4L * MSS + 1, WINDOW, 96L * MSS, MSS, MAX, SRTT, TsoDeferral.NONE));
    }

    @Test
    void nothingInFlightNoAckClockNoDeferral() {
        assertFalse(d.shouldDefer(T0, 2L * MSS, LOTS, WINDOW, 0, MSS, MAX, SRTT, TsoDeferral.NONE));
    }

    @Test
    void noRttSampleNoDeferral() {
        assertFalse(d.shouldDefer(T0, 2L * MSS, LOTS, WINDOW, 98L * MSS, MSS, MAX, -1, TsoDeferral.NONE));
    }

    @Test
    void onlyRightAfterASend() {
        TsoDeferral fresh = new TsoDeferral();
        assertFalse(fresh.shouldDefer(T0, 2L * MSS, LOTS, WINDOW, 98L * MSS, MSS, MAX, SRTT, TsoDeferral.NONE), "nothing sent yet");
        assertTrue(defer(T0 + TsoDeferral.MAX_DEFER_NANOS, 2L * MSS), "1 ms after the last send: still");
        d.sent(T0);
        assertFalse(defer(T0 + TsoDeferral.MAX_DEFER_NANOS + 1, 2L * MSS), "more than 1 ms after: send");
    }

    @Test
    void aDeferralEndsAtHalfTheSrtt() {
        assertTrue(defer(T0, 2L * MSS));
        assertTrue(defer(T0 + SRTT / 2 - 1, 4L * MSS), "a later ACK does not restart the bound");
        assertEquals(T0 + SRTT / 2, d.deadline());
        assertFalse(defer(T0 + SRTT / 2, 4L * MSS), "the bound passed");
        assertEquals(TsoDeferral.NONE, d.deadline(), "no timer left behind");
        assertFalse(defer(T0 + SRTT / 2 + 1, 2L * MSS), "no new deferral before data goes out");
        d.sent(T0 + SRTT);
        assertTrue(defer(T0 + SRTT + 1, 2L * MSS));
    }

    @Test
    void onlyWhenTheOldestSegmentsAckIsDueWithinTheBound() {
        long now = T0 + 1000;
        // sent SRTT/2 ago: its ACK is due in SRTT/2, just within the bound
        assertTrue(d.shouldDefer(now, 2L * MSS, LOTS, WINDOW, 98L * MSS, MSS, MAX, SRTT, now - SRTT / 2));
        d.sent(now);
        // sent just now: its ACK is a whole SRTT away
        assertFalse(d.shouldDefer(now, 2L * MSS, LOTS, WINDOW, 98L * MSS, MSS, MAX, SRTT, now));
        // a long RTT: the ACK must be due within 1 ms, not SRTT/2
        long longRtt = 100_000_000;
        assertFalse(d.shouldDefer(now, 2L * MSS, LOTS, WINDOW, 98L * MSS, MSS, MAX, longRtt,
                now - longRtt + TsoDeferral.MAX_DEFER_NANOS + 1));
        assertTrue(d.shouldDefer(now, 2L * MSS, LOTS, WINDOW, 98L * MSS, MSS, MAX, longRtt,
                now - longRtt + TsoDeferral.MAX_DEFER_NANOS));
    }

    @Test
    void anExpiredDeferralStartsNoNewOneUntilASend() {
        assertTrue(defer(T0, 2L * MSS));
        d.expire(); // the sender's timer took it, or recovery began
        assertEquals(TsoDeferral.NONE, d.deadline());
        assertFalse(defer(T0 + 1, 2L * MSS), "no chain of deferrals without a send");
        assertEquals(TsoDeferral.NONE, d.deadline());
        d.sent(T0 + 2);
        assertTrue(defer(T0 + 3, 2L * MSS));
    }

    @Test
    void aDeferralNeverOutlastsOneMillisecond() {
        long longRtt = 100_000_000; // 100 ms: SRTT/2 would be 50 ms
        assertTrue(d.shouldDefer(T0, 2L * MSS, LOTS, WINDOW, 98L * MSS, MSS, MAX, longRtt, TsoDeferral.NONE));
        assertEquals(T0 + TsoDeferral.MAX_DEFER_NANOS, d.deadline());
        assertFalse(d.shouldDefer(T0 + TsoDeferral.MAX_DEFER_NANOS, 2L * MSS, LOTS, WINDOW, 98L * MSS, MSS, MAX,
                longRtt, TsoDeferral.NONE));
    }

    @Test
    void aSendEndsTheDeferral() {
        assertTrue(defer(T0 + 1000, 2L * MSS));
        d.sent(T0 + 2000);
        assertEquals(TsoDeferral.NONE, d.deadline());
        assertTrue(defer(T0 + 3000, 2L * MSS), "a new deferral");
        assertEquals(T0 + 3000 + SRTT / 2, d.deadline(), "with its own bound");
        assertEquals(2, d.deferrals());
    }
}
