package dev.tuncrypt.tcpstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * RACK-TLP (RFC 8985) state by state, with time passed in: ten segments of 1000 bytes,
 * segment k (1-based) covering [1 + 1000 (k-1), 1 + 1000 k), sent 1 ms apart from t = 0; the
 * round trip is 10 ms.
 */
class RackTlpTest {
    static final int SMSS = 1000;
    static final long MS = 1_000_000L;
    static final long RTT = 10 * MS;
    static final int SND_MAX = 10_001;

    final SackScoreboard sb = new SackScoreboard();
    final RackTlp rack;
    final CongestionControl cc = CongestionControls.create("newreno", SMSS).orElseThrow();

    RackTlpTest() {
        sb.reset(1, SMSS);
        rack = new RackTlp(sb, SMSS);
        for (int k = 1; k <= 10; k++) {
            rack.onSent(seg(k), SMSS, SMSS, (k - 1) * MS);
        }
        sb.onNewData(SND_MAX);
    }

    static int seg(int k) {
        return 1 + SMSS * (k - 1);
    }

    /** An ACK at {@code now} with SACK blocks as (left, right) pairs; returns RACK's verdict. */
    boolean ack(long now, int ack, int... edges) {
        long[] left = new long[edges.length / 2];
        long[] right = new long[edges.length / 2];
        for (int i = 0; i < left.length; i++) {
            left[i] = Integer.toUnsignedLong(edges[2 * i]);
            right[i] = Integer.toUnsignedLong(edges[2 * i + 1]);
        }
        boolean before = sb.inRecovery();
        sb.update(ack, SND_MAX, left, right, left.length);
        return rack.onAck(now, ack, SND_MAX, before && !sb.inRecovery(), RTT, cc);
    }

    @Test
    void reorderingIsDetectedWithoutSpuriousRetransmission() {
        // reordering as in RFC 8985 §3: segment 2 arrives before segment 1.
        assertThat(ack(RTT + MS, 1, seg(2), seg(3))).as("one SACKed segment: 1 is not lost yet").isFalse();
        assertThat(rack.deadline()).as("RFC 8985 §6.2 step 5: the reordering timer waits reo_wnd for segment 1")
                .isNotEqualTo(RackTlp.NONE);
        assertThat(sb.isLost(1)).isFalse();
        // Segment 1 arrives within reo_wnd (min_RTT / 4 = 2.5 ms): no loss, reordering recorded.
        assertThat(ack(RTT + 2 * MS, seg(3))).isFalse();
        assertThat(rack.rack.reorderingSeen()).as("RFC 8985 §6.2 step 3: RACK.reord").isTrue();
        assertThat(rack.rack.lostMarked()).as("nothing marked lost").isZero();
        assertThat(sb.isLost(seg(3))).isFalse();
        // Later reordering again, within reo_wnd: segment 4 before segment 3.
        assertThat(ack(RTT + 3 * MS, seg(3), seg(4), seg(5))).as("within reo_wnd").isFalse();
        assertThat(sb.isLost(seg(3))).isFalse();
        // reordering was seen: reo_wnd stays min_RTT / 4 even with DupThresh segments SACKed
        assertThat(rack.rack.reoWnd(false, 3, RTT)).isEqualTo(RTT / 4);
        assertThat(rack.rack.reoWnd(true, 3, RTT)).isEqualTo(RTT / 4);
    }

    @Test
    void withoutReorderingThreeSackedSegmentsMarkTheHoleLost() {
        // RFC 8985 §6.2 step 4: reord is false and DupThresh segments are SACKed: reo_wnd = 0.
        assertThat(ack(RTT + 3 * MS, 1, seg(2), seg(5))).isTrue();
        assertThat(sb.isLost(1)).isTrue();
        assertThat(sb.isLost(seg(5))).as("segment 5 was sent after the newest delivered").isFalse();
    }

    @Test
    void reoWndAdaptsOnDsack() {
        Rack r = new Rack();
        r.onDelivered(RTT, 1, 1001, 0, false, false);
        assertThat(r.reoWnd(false, 0, RTT)).isEqualTo(RTT / 4);
        assertThat(r.reoWnd(true, 0, RTT)).as("no reordering seen, in recovery: 0").isZero();
        // RFC 8985 §6.2 step 4: a D-SACK raises reo_wnd_mult once per round trip
        r.updateReoWnd(true, 1001, 5001, false);
        assertThat(r.reoWndMult()).isEqualTo(2);
        assertThat(r.reoWnd(true, 5, RTT)).as("D-SACK = reordering: 2 * min_RTT / 4").isEqualTo(RTT / 2);
        r.updateReoWnd(true, 3001, 7001, false);
        assertThat(r.reoWndMult()).as("same round trip (SND.UNA below the D-SACK round)").isEqualTo(2);
        r.updateReoWnd(true, 5001, 9001, false);
        assertThat(r.reoWndMult()).as("next round trip").isEqualTo(3);
        assertThat(r.reoWnd(false, 0, RTT / 2)).as("never more than SRTT").isEqualTo(RTT / 2);
        for (int i = 0; i < Rack.REO_WND_PERSIST - 1; i++) {
            r.updateReoWnd(false, 9001, 9001, true);
        }
        assertThat(r.reoWndMult()).as("still inflated after 15 recoveries").isEqualTo(3);
        r.updateReoWnd(false, 9001, 9001, true);
        assertThat(r.reoWndMult()).as("RFC 8985 §6.2 step 4: back to 1 after 16 recoveries").isEqualTo(1);
    }

    @Test
    void tailLossProbeOnTailLoss() {
        // The last segments are lost and no ACK comes: the probe fires after 2 * SRTT, before the RTO.
        long now = 9 * MS;
        rack.schedulePto(now, RTT, true, SND_MAX - 1, now + 200 * MS);
        assertThat(rack.deadline()).as("RFC 8985 §7.2: PTO = 2 * SRTT + 2 ms").isEqualTo(now + 2 * RTT + 2 * MS);
        assertThat(rack.onTimer(now + 2 * RTT + 2 * MS - 1, RTT)).isEqualTo(RackTlp.TimerAction.NONE);
        assertThat(rack.onTimer(now + 2 * RTT + 2 * MS, RTT)).isEqualTo(RackTlp.TimerAction.PROBE);
        assertThat(rack.lastSegmentStart(SND_MAX)).as("RFC 8985 §7.3: the newest segment").isEqualTo(seg(10));
        rack.onProbeSent(SND_MAX, true);
        rack.onSent(seg(10), SMSS, SMSS, now + 2 * RTT);
        rack.schedulePto(now + 2 * RTT, RTT, true, SND_MAX - 1, now + 200 * MS);
        assertThat(rack.deadline()).as("RFC 8985 §7.2: one probe per episode").isEqualTo(RackTlp.NONE);
        // The probe's ACK SACKs segment 10: RACK now marks the earlier, silent segments lost.
        int cwndBefore = cc.cwnd();
        assertThat(ack(now + 3 * RTT, 1, seg(10), SND_MAX)).as("RFC 8985 §7.4: the probe's ACK triggers RACK").isTrue();
        assertThat(sb.isLost(1)).isTrue();
        assertThat(cc.cwnd()).isEqualTo(cwndBefore);
        // One segment in flight: PTO adds the worst-case delayed ACK, capped by the RTO.
        assertThat(TailLossProbe.pto(RTT, true, true, 500 * MS)).isEqualTo(2 * RTT + TailLossProbe.WC_DEL_ACK_T);
        assertThat(TailLossProbe.pto(RTT, true, true, 50 * MS)).isEqualTo(50 * MS);
        assertThat(TailLossProbe.pto(0, false, false, 5_000 * MS)).isEqualTo(TailLossProbe.NO_SRTT_PTO);
    }

    @Test
    void probeThatRepairedALossReducesTheWindowOnce() {
        TailLossProbe tlp = new TailLossProbe();
        tlp.onProbeSent(SND_MAX, true);
        assertThat(tlp.onAck(SND_MAX - SMSS, false, false)).isFalse();
        assertThat(tlp.onAck(SND_MAX + 1, false, false)).as("RFC 8985 §7.4.2: ACK beyond the probe, no D-SACK").isTrue();
        tlp.onProbeSent(SND_MAX, true);
        assertThat(tlp.onAck(SND_MAX + 1, true, false)).as("the probe was D-SACKed: nothing lost").isFalse();
        assertThat(tlp.inEpisode()).isFalse();
    }

    @Test
    void spuriousRecoveryIsUndoneOnDsack() {
        int cwnd = cc.cwnd();
        int ssthresh = cc.ssthresh();
        // Segment 1 is late: three segments SACKed, RACK marks it lost, recovery starts.
        assertThat(ack(RTT + 3 * MS, 1, seg(2), seg(5))).isTrue();
        rack.onEnterRecovery(cc, 1);
        cc.onEnterRecovery(RTT + 3 * MS, SND_MAX - 1);
        sb.enterRecovery();
        assertThat(cc.cwnd()).isLessThan(cwnd);
        rack.onSent(seg(1), SMSS, 0, RTT + 3 * MS); // the fast retransmission
        sb.onRetransmitted(seg(1), SMSS);
        // The original arrives, then the retransmission: the receiver reports it with a D-SACK.
        ack(RTT + 4 * MS, seg(5));
        ack(RTT + 14 * MS, seg(5), seg(1), seg(2));
        assertThat(rack.undone()).as("RFC 3708: every retransmission was D-SACKed").isEqualTo(1);
        assertThat(cc.cwnd()).as("cwnd restored").isEqualTo(cwnd);
        assertThat(cc.ssthresh()).isEqualTo(ssthresh);
        assertThat(cc.state()).isNotEqualTo(CongestionState.RECOVERY);
        assertThat(rack.rack.reorderingSeen()).as("a D-SACK counts as reordering").isTrue();
    }

    @Test
    void dsackOfDataNotRetransmittedInTheRecoveryDoesNotUndo() {
        assertThat(ack(RTT + 3 * MS, 1, seg(2), seg(5))).isTrue();
        rack.onEnterRecovery(cc, 1);
        cc.onEnterRecovery(RTT + 3 * MS, SND_MAX - 1);
        int reduced = cc.cwnd();
        rack.onSent(seg(1), SMSS, 0, RTT + 3 * MS);
        // A D-SACK for segment 3 (a duplicate made by the network, never retransmitted)
        ack(RTT + 4 * MS, 1, seg(3), seg(4), seg(2), seg(5));
        assertThat(rack.undone()).isZero();
        assertThat(cc.cwnd()).isEqualTo(reduced);
    }

    /**
     * The scenario of docs/benchmarks.md §24: a bulk sender whose ACKs arrive in order, only
     * cumulative, no SACK block, no loss. RACK must mark nothing lost however many octets go by;
     * before the lost region followed SND.UNA, every ACK after the 2^31st octet started a
     * recovery (RFC 8985 §6.2 step 5 marks only segments sent before a delivered one).
     */
    @Test
    void inOrderCumulativeAcksNeverMarkLossPastTwoToThe31Octets() {
        SackScoreboard board = new SackScoreboard();
        int iss = 0x7000_0000;
        board.reset(iss + 1, SMSS);
        RackTlp r = new RackTlp(board, SMSS);
        int packet = 64 * SMSS; // super-packets of 64 segments, one in flight beyond the one ACKed
        int una = iss + 1;
        long now = 0;
        r.onSent(una, packet, SMSS, now);
        board.onNewData(una + packet);
        for (long acked = 0; acked < (1L << 31) + 8L * packet; acked += packet) {
            int max = una + 2 * packet;
            r.onSent(una + packet, packet, SMSS, now);
            board.onNewData(max);
            now += RTT / 4;
            board.update(una + packet, max, new long[0], new long[0], 0);
            una += packet;
            boolean lost = r.onAck(now, una, max, false, RTT, cc);
            if (lost || board.isLost(una)) {
                throw new AssertionError("RACK marked SND.UNA lost without a loss after " + (acked + packet) + " octets");
            }
        }
        assertThat(r.rack.lostMarked()).isZero();
    }
}
