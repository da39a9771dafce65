package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** CUBIC (RFC 9438) cwnd trajectories for scripted ACK sequences. */
class CubicTest {
    private static final int SMSS = 1000;

    private long now;

    /** One RTT: a full window out, an ACK per segment, spread evenly over the RTT. */
    private void ackRound(CongestionControl cc, long rttNanos) {
        int acks = cc.cwnd() / SMSS;
        for (int i = 0; i < acks; i++) {
            now += rttNanos / acks;
            cc.onAck(now, SMSS, rttNanos, cc.cwnd());
        }
    }

    /** Slow start to {@code segments}, then a loss repaired by fast recovery. */
    private Cubic afterLossAt(int segments, boolean fastConvergence, long rttNanos) {
        Cubic cc = new Cubic(SMSS, fastConvergence);
        while (cc.cwnd() < segments * SMSS) {
            ackRound(cc, rttNanos);
        }
        assertEquals(segments * SMSS, cc.cwnd());
        cc.onEnterRecovery(now, cc.cwnd());
        cc.onExitRecovery(now, cc.cwnd());
        return cc;
    }

    private static double wCubic(double t, double k, double wMax) {
        return Cubic.C * Math.pow(t - k, 3) + wMax;
    }

    @Test
    void lossReducesToBetaAndRemembersWmax() {
        Cubic cc = afterLossAt(640, true, 100_000_000L);
        assertEquals(448_000, cc.ssthresh()); // 0.7 * 640 segments
        assertEquals(448_000, cc.cwnd());
        assertEquals(640.0, cc.wMax());
        assertEquals(CongestionState.CONGESTION_AVOIDANCE, cc.state());
    }

    @Test
    void fastConvergenceLowersWmaxWhenLossComesEarly() {
        Cubic cc = afterLossAt(640, true, 100_000_000L);
        ackRound(cc, 100_000_000L);
        int cwnd = cc.cwnd();
        cc.onEnterRecovery(now, cwnd); // below W_max = 640: W_max = cwnd * (1 + 0.7) / 2
        assertEquals(cwnd / (double) SMSS * 0.85, cc.wMax(), 1e-9);

        Cubic plain = afterLossAt(640, false, 100_000_000L);
        ackRound(plain, 100_000_000L);
        int plainCwnd = plain.cwnd();
        plain.onEnterRecovery(now, plainCwnd);
        assertEquals(plainCwnd / (double) SMSS, plain.wMax(), 1e-9);
    }

    @Test
    void congestionAvoidanceFollowsTheCubicCurve() {
        long rtt = 100_000_000L;
        Cubic cc = afterLossAt(640, true, rtt);
        double k = Math.cbrt((640 - 448) / Cubic.C); // RFC 9438 equation (2): about 7.83 s
        long epochStart = now + rtt / 448; // the first ACK in congestion avoidance
        ackRound(cc, rtt);
        assertEquals(k, cc.k(), 1e-9);
        double minSeen = Double.MAX_VALUE;
        while (now - epochStart < 15_000_000_000L) {
            ackRound(cc, rtt);
            double t = (now - epochStart) / 1e9;
            double expected = wCubic(t, k, 640);
            double actual = cc.cwnd() / (double) SMSS;
            assertEquals(expected, actual, 0.5, "t=" + t); // cwnd reaches W_cubic(t + RTT) one RTT later
            minSeen = Math.min(minSeen, Math.abs(actual - 640));
        }
        assertTrue(minSeen < 2, "the window plateaus at W_max around t = K");
        assertTrue(cc.cwnd() > 780 * SMSS, "convex growth past W_max");
    }

    @Test
    void renoFriendlyRegionWinsOnShortRtts() {
        long rtt = 1_000_000L; // 1 ms: the cubic curve barely moves in 50 RTTs
        Cubic cc = afterLossAt(160, true, rtt);
        for (int round = 0; round < 50; round++) {
            ackRound(cc, rtt);
        }
        // W_est = 112 + alpha_cubic * 50 RTTs, alpha_cubic = 3 * 0.3 / 1.7
        double expected = 112 + Cubic.ALPHA * 50;
        assertEquals(expected, cc.cwnd() / (double) SMSS, 1.0);
        double t = 0.05;
        assertTrue(wCubic(t, Math.cbrt(48 / Cubic.C), 160) < expected - 20);

        while (cc.cwnd() < 160 * SMSS) {
            ackRound(cc, rtt);
        }
        int atPrior = cc.cwnd() / SMSS;
        for (int round = 0; round < 20; round++) {
            ackRound(cc, rtt);
        }
        // Once W_est reaches cwnd_prior, alpha_cubic = 1: one segment per RTT, like Reno.
        assertEquals(atPrior + 20, cc.cwnd() / (double) SMSS, 1.0);
    }

    @Test
    void timeoutRestartsWithSlowStartThenZeroK() {
        long rtt = 100_000_000L;
        Cubic cc = afterLossAt(320, true, rtt);
        ackRound(cc, rtt);
        int before = cc.cwnd();
        cc.onRetransmitTimeout(now, before);
        assertEquals(SMSS, cc.cwnd());
        assertEquals((int) (before * Cubic.BETA), cc.ssthresh());
        assertEquals(CongestionState.SLOW_START, cc.state());
        while (cc.state() == CongestionState.SLOW_START) {
            now += rtt / 10;
            cc.onAck(now, 2 * SMSS, rtt, cc.cwnd());
            assertTrue(cc.cwnd() <= cc.ssthresh() + SMSS, "one SMSS per ACK after an RTO (RFC 3465)");
        }
        int epochCwnd = cc.cwnd();
        cc.onAck(now + 1, SMSS, rtt, epochCwnd); // first ACK of the congestion avoidance stage
        assertEquals(0.0, cc.k()); // RFC 9438 §4.8
        assertEquals(epochCwnd / (double) SMSS, cc.wMax(), 1e-9);
    }

    @Test
    void applicationLimitedTimeDoesNotCount() {
        long rtt = 100_000_000L;
        Cubic busy = afterLossAt(640, true, rtt);
        for (int round = 0; round < 10; round++) {
            ackRound(busy, rtt);
        }

        Cubic limited = afterLossAt(640, true, rtt);
        ackRound(limited, rtt);
        int beforeIdle = limited.cwnd();
        for (int i = 0; i < 50; i++) { // 5 s with only a trickle in flight
            now += rtt;
            limited.onAck(now, SMSS, rtt, 10 * SMSS);
        }
        assertEquals(beforeIdle, limited.cwnd(), "no growth while application-limited");
        for (int round = 1; round < 10; round++) {
            ackRound(limited, rtt);
        }
        // Had the 5 s counted, W_cubic would be about 100 segments higher.
        assertEquals(busy.cwnd(), limited.cwnd(), 2 * SMSS);
    }
}
