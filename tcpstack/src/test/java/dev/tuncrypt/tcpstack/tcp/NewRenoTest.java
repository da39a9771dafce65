package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** cwnd trajectories of RFC 5681 / RFC 3465 for scripted ACK sequences. */
class NewRenoTest {
    private static final int SMSS = 1000;
    private static final long RTT = 100_000_000L;

    private long now;

    /** One RTT: the sender has a full window out and ACKs return for all of it. */
    private void ackRound(CongestionControl cc, int segmentsPerAck) {
        int segments = cc.cwnd() / SMSS;
        for (int left = segments; left > 0; left -= segmentsPerAck) {
            now += RTT * segmentsPerAck / segments;
            cc.onAck(now, Math.min(left, segmentsPerAck) * SMSS, RTT, cc.cwnd());
        }
    }

    @Test
    void initialWindowFollowsRfc6928() {
        assertEquals(14600, CongestionControl.initialWindow(1460));
        assertEquals(5360, CongestionControl.initialWindow(536));
        assertEquals(18000, CongestionControl.initialWindow(9000));
        assertEquals(10 * SMSS, new NewReno(SMSS).cwnd());
        assertEquals(Integer.MAX_VALUE, new NewReno(SMSS).ssthresh());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void slowStartDoublesPerRtt(int segmentsPerAck) {
        NewReno cc = new NewReno(SMSS);
        int expected = cc.cwnd();
        for (int round = 0; round < 5; round++) {
            ackRound(cc, segmentsPerAck);
            expected *= 2;
            assertEquals(expected, cc.cwnd(), "round " + round);
            assertEquals(CongestionState.SLOW_START, cc.state());
        }
    }

    @Test
    void congestionAvoidanceAddsOneSegmentPerRtt() {
        NewReno cc = new NewReno(SMSS);
        cc.onEnterRecovery(now, 20 * SMSS); // ssthresh = FlightSize / 2 = 10 segments
        cc.onExitRecovery(now, 20 * SMSS);
        assertEquals(10 * SMSS, cc.cwnd());
        assertEquals(CongestionState.CONGESTION_AVOIDANCE, cc.state());
        for (int round = 1; round <= 5; round++) {
            ackRound(cc, 1);
            assertEquals((10 + round) * SMSS, cc.cwnd(), "round " + round);
        }
        ackRound(cc, 2); // delayed ACKs: still one SMSS per window of bytes
        assertEquals(16 * SMSS, cc.cwnd());
    }

    @Test
    void lossHalvesFlightSize() {
        NewReno cc = new NewReno(SMSS);
        ackRound(cc, 1); // 20 segments
        cc.onEnterRecovery(now, 20 * SMSS);
        assertEquals(10 * SMSS, cc.ssthresh());
        assertEquals(10 * SMSS, cc.cwnd());
        assertEquals(CongestionState.RECOVERY, cc.state());
        cc.onAck(now, SMSS, RTT, 10 * SMSS);
        assertEquals(10 * SMSS, cc.cwnd(), "no growth during recovery");

        NewReno small = new NewReno(SMSS);
        small.onEnterRecovery(now, 3 * SMSS); // ssthresh is at least 2*SMSS
        assertEquals(2 * SMSS, small.ssthresh());
        assertEquals(1, small.recoveries());
    }

    @Test
    void retransmitTimeoutCollapsesToOneSegment() {
        NewReno cc = new NewReno(SMSS);
        ackRound(cc, 1);
        ackRound(cc, 1); // 40 segments
        cc.onRetransmitTimeout(now, 40 * SMSS);
        assertEquals(SMSS, cc.cwnd());
        assertEquals(20 * SMSS, cc.ssthresh());
        assertEquals(CongestionState.SLOW_START, cc.state());

        cc.onRetransmitTimeout(now, 40 * SMSS); // same segment timed out again: ssthresh kept
        assertEquals(20 * SMSS, cc.ssthresh());
        assertEquals(2, cc.timeouts());

        // Slow start after an RTO counts at most one SMSS per ACK (RFC 3465 §2.3).
        cc.onAck(now, 2 * SMSS, RTT, cc.cwnd());
        assertEquals(2 * SMSS, cc.cwnd());

        // A new timeout after new data was ACKed recomputes ssthresh from FlightSize.
        cc.onRetransmitTimeout(now, 8 * SMSS);
        assertEquals(4 * SMSS, cc.ssthresh());
    }

    @Test
    void applicationLimitedSenderDoesNotGrowCwnd() {
        NewReno cc = new NewReno(SMSS);
        cc.onAck(now, SMSS, RTT, 3 * SMSS); // 3 of 10 segments in flight
        assertEquals(10 * SMSS, cc.cwnd());
        cc.onAck(now, SMSS, RTT, 10 * SMSS);
        assertEquals(11 * SMSS, cc.cwnd());
    }

    @Test
    void registryCreatesByName() {
        assertEquals("cubic", CongestionControls.DEFAULT);
        assertEquals(java.util.Set.of("cubic", "newreno"), CongestionControls.names());
        assertEquals(Cubic.class, CongestionControls.create("cubic", SMSS).orElseThrow().getClass());
        assertEquals(NewReno.class, CongestionControls.create("newreno", SMSS).orElseThrow().getClass());
        assertEquals(Cubic.class, CongestionControls.createDefault(SMSS).getClass());
        assertEquals(java.util.Optional.empty(), CongestionControls.create("vegas", SMSS));
    }
}
