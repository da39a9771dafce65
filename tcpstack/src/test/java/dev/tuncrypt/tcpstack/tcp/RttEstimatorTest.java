package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tuncrypt.tcpstack.tcp.RttEstimator.SampleResult;
import org.junit.jupiter.api.Test;

/** RFC 6298 sequences computed by hand (values in milliseconds, passed as nanoseconds). */
class RttEstimatorTest {
    private static final long MS = 1_000_000L;

    @Test
    void initialRtoIsOneSecond() {
        RttEstimator rtt = new RttEstimator();
        assertEquals(1000 * MS, rtt.rto()); // RFC 6298 §2.1
        assertFalse(rtt.hasSample());
    }

    @Test
    void firstAndLaterSamplesFollowRfc6298() {
        RttEstimator rtt = new RttEstimator();

        // §2.2: SRTT = 100, RTTVAR = 50, RTO = 100 + max(1, 4*50) = 300
        assertEquals(SampleResult.ACCEPTED, rtt.onRttSample(100 * MS, false));
        assertEquals(100 * MS, rtt.srtt());
        assertEquals(50 * MS, rtt.rttvar());
        assertEquals(300 * MS, rtt.rto());

        // §2.3 with R' = 200: RTTVAR = 3/4*50 + 1/4*|100-200| = 62.5, SRTT = 7/8*100 + 1/8*200 = 112.5,
        // RTO = 112.5 + 4*62.5 = 362.5
        rtt.onRttSample(200 * MS, false);
        assertEquals(62_500_000L, rtt.rttvar());
        assertEquals(112_500_000L, rtt.srtt());
        assertEquals(362_500_000L, rtt.rto());

        // R' = 100: RTTVAR = 3/4*62.5 + 1/4*12.5 = 50, SRTT = 7/8*112.5 + 1/8*100 = 110.9375,
        // RTO = 110.9375 + 200 = 310.9375
        rtt.onRttSample(100 * MS, false);
        assertEquals(50 * MS, rtt.rttvar());
        assertEquals(110_937_500L, rtt.srtt());
        assertEquals(310_937_500L, rtt.rto());
        assertEquals(3, rtt.samplesAccepted());
    }

    @Test
    void backoffDoublesAndNextSampleCollapsesIt() {
        RttEstimator rtt = new RttEstimator();
        rtt.onRttSample(100 * MS, false); // RTO 300
        rtt.backoff();
        assertEquals(600 * MS, rtt.rto()); // §5.5
        rtt.backoff();
        assertEquals(1200 * MS, rtt.rto());
        assertEquals(2, rtt.backoffCount());

        // R' = 100: RTTVAR = 3/4*50 = 37.5, SRTT = 100, RTO = 100 + 150 = 250
        assertEquals(SampleResult.ACCEPTED, rtt.onRttSample(100 * MS, false));
        assertEquals(250 * MS, rtt.rto());
        assertEquals(0, rtt.backoffCount());
        assertEquals(2, rtt.totalBackoffs());
    }

    @Test
    void rtoIsClampedToMinimumAndMaximum() {
        RttEstimator rtt = new RttEstimator();
        rtt.onRttSample(1 * MS, false); // 1 + max(1, 2) = 3 ms, below the 200 ms floor
        assertEquals(RttEstimator.DEFAULT_MIN_RTO_NANOS, rtt.rto());

        RttEstimator fresh = new RttEstimator();
        long[] expected = {2, 4, 8, 16, 32, 64, 120, 120};
        for (long seconds : expected) {
            fresh.backoff();
            assertEquals(seconds * 1000 * MS, fresh.rto());
        }
    }

    @Test
    void granularityBoundsTheVarianceTerm() {
        RttEstimator rtt = new RttEstimator(10 * MS, 1 * MS, 60_000 * MS, 1000 * MS);
        rtt.onRttSample(0, false); // SRTT 0, RTTVAR 0: RTO = 0 + max(G, 0) = G
        assertEquals(10 * MS, rtt.rto());
        rtt.onRttSample(40 * MS, false); // RTTVAR = 10, SRTT = 5: RTO = 5 + max(10, 40) = 45
        assertEquals(45 * MS, rtt.rto());
    }

    @Test
    void karnsRuleDiscardsSamplesOfRetransmittedSegments() {
        RttEstimator rtt = new RttEstimator();
        rtt.onRttSample(100 * MS, false);
        rtt.backoff();
        assertEquals(SampleResult.AMBIGUOUS, rtt.onRttSample(5 * MS, true));
        assertEquals(600 * MS, rtt.rto()); // backoff kept
        assertEquals(100 * MS, rtt.srtt());
        assertEquals(1, rtt.samplesAmbiguous());
    }

    @Test
    void timestampSamplesNeedAnAdvancingAck() {
        RttEstimator rtt = new RttEstimator();
        assertEquals(SampleResult.NOT_ADVANCING, rtt.onTimestampSample(80 * MS, false));
        assertFalse(rtt.hasSample());
        assertEquals(1, rtt.samplesNotAdvancing());
        assertEquals(SampleResult.ACCEPTED, rtt.onTimestampSample(80 * MS, true));
        assertEquals(80 * MS, rtt.srtt());
        assertEquals(SampleResult.INVALID, rtt.onTimestampSample(-1, true));
        assertEquals(80 * MS, rtt.srtt());
    }

    @Test
    void synTimeoutRaisesRtoToThreeSeconds() {
        RttEstimator rtt = new RttEstimator();
        rtt.backoff(); // SYN retransmitted: 2 s
        rtt.restartAfterSynTimeout();
        assertEquals(3000 * MS, rtt.rto()); // §5.7
        assertEquals(0, rtt.backoffCount());

        RttEstimator measured = new RttEstimator();
        measured.onTimestampSample(100 * MS, true);
        measured.restartAfterSynTimeout();
        assertEquals(300 * MS, measured.rto());
    }

    @Test
    void resetForgetsSamples() {
        RttEstimator rtt = new RttEstimator();
        rtt.onRttSample(100 * MS, false);
        rtt.reset();
        assertFalse(rtt.hasSample());
        assertEquals(1000 * MS, rtt.rto());
        assertTrue(rtt.samplesAccepted() > 0);
    }
}
