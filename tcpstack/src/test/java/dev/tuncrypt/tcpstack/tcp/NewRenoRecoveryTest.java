package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * RFC 6582 fast recovery: ten segments of 1000 bytes [1, 10001) are out (ISS 0), cwnd 10
 * segments. Segments 2 (at 1001) and 5 (at 4001) are lost.
 */
class NewRenoRecoveryTest {
    private static final int SMSS = 1000;
    private static final int SND_MAX = 10_001;

    private final NewReno cc = new NewReno(SMSS);
    private final NewRenoRecovery recovery = new NewRenoRecovery(cc, 0);

    private RecoveryAction dupAck(int ack) {
        return recovery.onDupAck(0, ack, SND_MAX, SND_MAX - ack);
    }

    @Test
    void threeDuplicateAcksStartFastRetransmit() {
        assertEquals(RecoveryAction.NONE, recovery.onNewAck(0, 1001, 1000, CongestionControl.NO_RTT, 10 * SMSS));
        assertEquals(11 * SMSS, cc.cwnd()); // slow start growth before the loss

        assertEquals(RecoveryAction.LIMITED_TRANSMIT, dupAck(1001));
        assertEquals(RecoveryAction.LIMITED_TRANSMIT, dupAck(1001));
        assertEquals(RecoveryAction.FAST_RETRANSMIT, dupAck(1001));
        assertTrue(recovery.inRecovery());
        assertEquals(SND_MAX, recovery.recover());
        // ssthresh = FlightSize / 2 = 4500, cwnd = ssthresh + 3*SMSS
        assertEquals(4500, cc.ssthresh());
        assertEquals(7500, cc.cwnd());

        assertEquals(RecoveryAction.NONE, dupAck(1001)); // each further dup ACK inflates by SMSS
        assertEquals(8500, cc.cwnd());
        assertEquals(1, recovery.fastRetransmits());
    }

    @Test
    void partialAcksDeflateAndFullAckExits() {
        recovery.onNewAck(0, 1001, 1000, CongestionControl.NO_RTT, 10 * SMSS);
        for (int i = 0; i < 5; i++) {
            dupAck(1001); // 3 to enter, 2 more inflate: cwnd = 4500 + 5000
        }
        assertEquals(9500, cc.cwnd());

        // Retransmitted segment 2 arrives; 3 and 4 were there: ACK 4001 is partial (5 lost too).
        assertEquals(RecoveryAction.PARTIAL_ACK_RESTART_TIMER,
                recovery.onNewAck(0, 4001, 3000, CongestionControl.NO_RTT, 9000));
        assertEquals(9500 - 3000 + SMSS, cc.cwnd());
        assertTrue(recovery.inRecovery());

        assertEquals(RecoveryAction.NONE, dupAck(4001));
        assertEquals(8500, cc.cwnd());

        // A second partial ACK of less than SMSS: deflate without adding back.
        assertEquals(RecoveryAction.PARTIAL_ACK, recovery.onNewAck(0, 4501, 500, CongestionControl.NO_RTT, 6000));
        assertEquals(8000, cc.cwnd());

        // Full ACK: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) with 1000 bytes left.
        assertEquals(RecoveryAction.RECOVERY_EXIT, recovery.onNewAck(0, SND_MAX, 5500, CongestionControl.NO_RTT, 6500));
        assertFalse(recovery.inRecovery());
        assertEquals(2000, cc.cwnd());
        assertEquals(4500, cc.ssthresh());
        assertEquals(2, recovery.partialAcks());
    }

    @Test
    void noSecondFastRetransmitForTheSameWindow() {
        recovery.onNewAck(0, 1001, 1000, CongestionControl.NO_RTT, 10 * SMSS);
        dupAck(1001);
        dupAck(1001);
        dupAck(1001);
        recovery.onNewAck(0, SND_MAX, 9000, CongestionControl.NO_RTT, 9000);
        int ssthresh = cc.ssthresh();

        // Duplicate ACKs for data of the window just repaired (ACK not beyond recover).
        assertEquals(RecoveryAction.LIMITED_TRANSMIT, recovery.onDupAck(0, SND_MAX, 12_001, 2000));
        assertEquals(RecoveryAction.LIMITED_TRANSMIT, recovery.onDupAck(0, SND_MAX, 12_001, 2000));
        assertEquals(RecoveryAction.NONE, recovery.onDupAck(0, SND_MAX, 12_001, 2000));
        assertFalse(recovery.inRecovery());
        assertEquals(ssthresh, cc.ssthresh());
        assertEquals(1, recovery.suppressedFastRetransmits());
    }

    @Test
    void timeoutEndsRecoveryAndRecordsRecover() {
        recovery.onNewAck(0, 1001, 1000, CongestionControl.NO_RTT, 10 * SMSS);
        dupAck(1001);
        dupAck(1001);
        dupAck(1001);
        recovery.onRetransmitTimeout(0, 12_001, 11_000);
        assertFalse(recovery.inRecovery());
        assertEquals(12_001, recovery.recover());
        assertEquals(0, recovery.dupAcks());
        assertEquals(SMSS, cc.cwnd());
        assertEquals(CongestionState.SLOW_START, cc.state());
    }

    @Test
    void lossOfTheFirstSegmentCanBeFastRetransmitted() {
        NewRenoRecovery fresh = new NewRenoRecovery(new NewReno(SMSS), 0);
        fresh.onDupAck(0, 1, SND_MAX, 10 * SMSS);
        fresh.onDupAck(0, 1, SND_MAX, 10 * SMSS);
        assertEquals(RecoveryAction.FAST_RETRANSMIT, fresh.onDupAck(0, 1, SND_MAX, 10 * SMSS));
    }

    /**
     * RFC 6582 §3.2 step 2 after more than 2^31 octets acknowledged without a recovery: the ACK
     * still covers more than recover (ISS), though ISS now compares as ahead of it modulo 2^32
     * (RFC 9293 §3.4) unless recover followed SND.UNA.
     */
    @Test
    void fastRetransmitStillStartsPastTwoToThe31OctetsWithoutLoss() {
        NewRenoRecovery fresh = new NewRenoRecovery(new NewReno(SMSS), 0);
        int step = 1 << 20;
        int una = 1;
        for (long acked = 0; acked < (1L << 31) + 4L * step; acked += step) {
            fresh.onNewAck(0, una + step, step, CongestionControl.NO_RTT, 2 * step);
            una += step;
        }
        fresh.onDupAck(0, una, una + step, step);
        fresh.onDupAck(0, una, una + step, step);
        assertEquals(RecoveryAction.FAST_RETRANSMIT, fresh.onDupAck(0, una, una + step, step));
        assertEquals(0, fresh.suppressedFastRetransmits());
    }

    /** After a recovery that ended, the same holds 2^31 octets later (recover = SND.MAX then). */
    @Test
    void fastRetransmitStartsPastTwoToThe31OctetsAfterAnEarlierRecovery() {
        recovery.onNewAck(0, 1001, 1000, CongestionControl.NO_RTT, 10 * SMSS);
        dupAck(1001);
        dupAck(1001);
        assertEquals(RecoveryAction.FAST_RETRANSMIT, dupAck(1001));
        assertEquals(RecoveryAction.RECOVERY_EXIT, recovery.onNewAck(0, SND_MAX, 9000, CongestionControl.NO_RTT, 9000));
        int step = 1 << 20;
        int una = SND_MAX;
        for (long acked = 0; acked < (1L << 31) + 4L * step; acked += step) {
            recovery.onNewAck(0, una + step, step, CongestionControl.NO_RTT, 2 * step);
            una += step;
        }
        recovery.onDupAck(0, una, una + step, step);
        recovery.onDupAck(0, una, una + step, step);
        assertEquals(RecoveryAction.FAST_RETRANSMIT, recovery.onDupAck(0, una, una + step, step));
    }
}
