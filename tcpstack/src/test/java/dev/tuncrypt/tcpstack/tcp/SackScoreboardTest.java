package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tuncrypt.tcpstack.tcp.SackScoreboard.NextSeg;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * RFC 6675 scenarios: ten segments of 1000 bytes are out, segment k (1-based) covering
 * [1 + 1000 (k-1), 1 + 1000 k); SND.UNA = 1, SND.MAX = 10001.
 */
class SackScoreboardTest {
    private static final int SMSS = 1000;
    private static final int SND_MAX = 10_001;

    private final SackScoreboard sb = new SackScoreboard();

    SackScoreboardTest() {
        sb.reset(1, SMSS);
    }

    private static int seg(int k) {
        return 1 + SMSS * (k - 1);
    }

    /** An ACK with the given SACK blocks, as (left, right) pairs. */
    private int ack(SackScoreboard board, int ack, int sndMax, int... edges) {
        long[] left = new long[edges.length / 2];
        long[] right = new long[edges.length / 2];
        for (int i = 0; i < left.length; i++) {
            left[i] = Integer.toUnsignedLong(edges[2 * i]);
            right[i] = Integer.toUnsignedLong(edges[2 * i + 1]);
        }
        return board.update(ack, sndMax, left, right, left.length);
    }

    private int ack(int ack, int... edges) {
        return ack(sb, ack, SND_MAX, edges);
    }

    @Test
    void firstSegmentLostAfterThreeSegmentsAboveAreSacked() {
        assertEquals(1000, ack(1, seg(2), seg(3)));
        assertFalse(sb.isLost(1)); // one range, 1000 bytes
        assertEquals(1000, ack(1, seg(2), seg(4)));
        assertFalse(sb.isLost(1)); // 2000 bytes is not more than (DupThresh - 1) * SMSS
        assertEquals(1000, ack(1, seg(2), seg(5)));
        assertTrue(sb.isLost(1)); // 3000 bytes above
        assertFalse(sb.isLost(seg(2)), "SACKed octets are not lost");
        assertFalse(sb.isLost(seg(5)), "nothing is SACKed above segment 5");
        assertEquals(3000, sb.sackedBytes());

        assertTrue(sb.enterRecovery());
        assertEquals(SND_MAX, sb.recoveryPoint());
        // pipe: segment 1 lost (0), segments 5..10 in flight (6000)
        assertEquals(6000, sb.pipe());

        assertEquals(NextSeg.LOST, sb.nextSeg(0)); // rule (1)
        assertEquals(1, sb.nextSegSeq());
        assertEquals(SMSS, sb.nextSegLength());
        sb.onRetransmitted(1, SMSS);
        assertEquals(seg(2), sb.highRxt());
        assertEquals(7000, sb.pipe()); // the retransmission is in flight

        assertEquals(NextSeg.NEW_DATA, sb.nextSeg(5000)); // rule (2)
        assertEquals(SND_MAX, sb.nextSegSeq());
        assertEquals(SMSS, sb.nextSegLength());
        assertEquals(NextSeg.NONE, sb.nextSeg(0)); // rule (3) has nothing below the highest SACK
    }

    @Test
    void severalLossesAreRetransmittedInOrderSkippingSackedData() {
        // Segments 1, 3 and 4 lost; 2 and 5..8 SACKed.
        ack(1, seg(2), seg(3), seg(5), seg(9));
        assertTrue(sb.isLost(1));
        assertTrue(sb.isLost(seg(3)));
        assertTrue(sb.isLost(seg(4)));
        assertFalse(sb.isLost(seg(9)));
        assertTrue(sb.enterRecovery());
        // holes: [1,1001) lost, [2001,4001) lost, [8001,10001) in flight
        assertEquals(2000, sb.pipe());

        assertEquals(NextSeg.LOST, sb.nextSeg(0));
        assertEquals(1, sb.nextSegSeq());
        assertEquals(SMSS, sb.nextSegLength(), "stops at the SACKed segment 2");
        sb.onRetransmitted(1, SMSS);
        assertEquals(NextSeg.LOST, sb.nextSeg(0));
        assertEquals(seg(3), sb.nextSegSeq());
        sb.onRetransmitted(seg(3), SMSS);
        assertEquals(NextSeg.LOST, sb.nextSeg(0));
        assertEquals(seg(4), sb.nextSegSeq());
        sb.onRetransmitted(seg(4), SMSS);
        assertEquals(5000, sb.pipe()); // 2000 in flight + 3000 retransmitted
        assertEquals(NextSeg.NONE, sb.nextSeg(0));
    }

    @Test
    void ruleThreeRetransmitsUnsackedDataNotYetLost() {
        // Segment 1 missing, only segment 2 SACKed: not lost, but below the highest SACK.
        ack(1, seg(2), seg(3));
        assertTrue(sb.enterRecovery()); // e.g. three duplicate ACKs (RFC 6675 §5 step 1)
        assertEquals(NextSeg.UNSACKED, sb.nextSeg(0));
        assertEquals(1, sb.nextSegSeq());
        sb.onRetransmitted(1, SMSS);
        assertEquals(1000 + 8000 + 1000, sb.pipe()); // counted twice, plus segments 3..10
    }

    @Test
    void rescueRetransmissionOncePerRecovery() {
        ack(1, seg(2), seg(9)); // segments 2..8 SACKed, 1, 9 and 10 missing
        assertTrue(sb.enterRecovery());
        assertEquals(NextSeg.LOST, sb.nextSeg(0));
        sb.onRetransmitted(1, SMSS); // step 4.3: HighRxt = RescueRxt = 1001

        // The retransmission arrives: partial ACK up to segment 9; the tail may be lost too.
        ack(seg(9));
        assertTrue(sb.inRecovery());
        assertEquals(0, sb.rangeCount());
        assertEquals(NextSeg.RESCUE, sb.nextSeg(0)); // rule (4)
        assertEquals(seg(10), sb.nextSegSeq(), "includes the highest unSACKed octet");
        assertEquals(SMSS, sb.nextSegLength());
        sb.onRescueRetransmitted();
        assertEquals(NextSeg.NONE, sb.nextSeg(0));
        assertEquals(seg(2), sb.highRxt(), "HighRxt is not moved by the rescue");
        assertEquals(1, sb.rescueRetransmits());

        ack(SND_MAX);
        assertFalse(sb.inRecovery()); // (A): cumulative ACK past RecoveryPoint
    }

    @Test
    void manySmallSackedSegmentsCountAsDiscontiguousSequences() {
        sb.reset(1, 1460);
        ack(sb, 1, 2001, 101, 201, 301, 401);
        assertFalse(sb.isLost(1)); // two ranges, 200 bytes
        ack(sb, 1, 2001, 501, 601);
        assertTrue(sb.isLost(1)); // three discontiguous ranges above, though only 300 bytes
        assertFalse(sb.isLost(201)); // two above
        ack(sb, 1, 2001, 701, 801);
        assertTrue(sb.isLost(201));
        assertFalse(sb.isLost(401));
    }

    @Test
    void dsackBlocksAreIgnored() {
        ack(seg(3), seg(1), seg(2)); // first block below the ACK field: D-SACK (RFC 2883 §4)
        assertEquals(1, sb.dsackBlocks());
        assertEquals(0, sb.rangeCount());

        ack(seg(3), seg(5), seg(6), seg(5), seg(8)); // first block inside the second: D-SACK
        assertEquals(2, sb.dsackBlocks());
        assertEquals(1, sb.rangeCount());
        assertEquals(seg(5), sb.rangeStart(0));
        assertEquals(seg(8), sb.rangeEnd(0));

        ack(seg(3), seg(9), 20_001); // beyond SND.MAX
        ack(seg(3), seg(9), seg(9)); // empty
        assertEquals(2, sb.ignoredBlocks());
    }

    @Test
    void cumulativeAckTrimsRanges() {
        ack(1, seg(2), seg(4), seg(5), seg(7), seg(8), seg(9));
        assertEquals(3, sb.rangeCount());
        ack(seg(6));
        assertEquals(2, sb.rangeCount());
        assertEquals(seg(6), sb.rangeStart(0), "partly covered range is cut at SND.UNA");
        assertEquals(2000, sb.sackedBytes());
        assertEquals(0, ack(seg(6), seg(6), seg(7)), "nothing new");
        assertEquals(seg(6), sb.sndUna());
    }

    @Test
    void fullScoreboardForgetsTheHighestRange() {
        SackScoreboard small = new SackScoreboard(2);
        small.reset(1, SMSS);
        ack(small, 1, SND_MAX, seg(3), seg(4), seg(7), seg(8));
        assertEquals(0, ack(small, 1, SND_MAX, seg(9), seg(10)), "new highest range dropped");
        assertEquals(1, small.rangesDropped());
        assertEquals(1000, ack(small, 1, SND_MAX, seg(5), seg(6)));
        assertEquals(2, small.rangeCount());
        assertEquals(seg(6), small.rangeEnd(1), "range at segment 7 was forgotten");
        assertEquals(2, small.rangesDropped());
        assertEquals(2000, small.sackedBytes());
    }

    @Test
    void timeoutKeepsSackInformationAndBlocksNewRecovery() {
        ack(1, seg(2), seg(3), seg(5), seg(6));
        assertTrue(sb.enterRecovery());
        sb.onRetransmitTimeout(); // RFC 6675 §5.1
        assertFalse(sb.inRecovery());
        assertTrue(sb.afterTimeout());
        assertEquals(2, sb.rangeCount());
        assertTrue(sb.isLost(seg(10)), "unSACKed data below RecoveryPoint is lost after a timeout");
        assertFalse(sb.enterRecovery());

        int[] expected = {seg(1), seg(3), seg(4), seg(6), seg(7), seg(8), seg(9), seg(10)};
        for (int seq : expected) {
            assertEquals(NextSeg.LOST, sb.nextSeg(0));
            assertEquals(seq, sb.nextSegSeq());
            sb.onRetransmitted(seq, SMSS);
        }
        assertEquals(NextSeg.NONE, sb.nextSeg(0));
        assertEquals(8000, sb.pipe());

        ack(SND_MAX);
        assertFalse(sb.afterTimeout());
        sb.onNewData(SND_MAX + 5000);
        assertTrue(sb.enterRecovery());
    }

    /** SACK information of random ACKs against a per-octet model of the RFC 6675 definitions. */
    @Property(tries = 300)
    void matchesPerOctetModel(@ForAll long seed) {
        Random random = new Random(seed);
        int smss = 50 + random.nextInt(100);
        int base = random.nextBoolean() ? -1500 : random.nextInt(); // often across the wrap
        int size = 2000;
        SackScoreboard board = new SackScoreboard(1000);
        board.reset(base, smss);
        boolean[] sacked = new boolean[size];
        int una = 0;
        for (int step = 0; step < 12; step++) {
            if (random.nextInt(4) == 0) {
                una = Math.min(size, una + random.nextInt(300));
            }
            int blocks = random.nextInt(5);
            long[] left = new long[blocks];
            long[] right = new long[blocks];
            for (int b = 0; b < blocks; b++) {
                int l = random.nextInt(size);
                int r = l + random.nextInt(size - l + 1);
                left[b] = Integer.toUnsignedLong(base + l);
                right[b] = Integer.toUnsignedLong(base + r);
            }
            int newly = board.update(base + una, base + size, left, right, blocks);
            int before = count(sacked, una);
            for (int i = 0; i < una; i++) {
                sacked[i] = false;
            }
            for (int b = 0; b < blocks; b++) {
                int l = (int) left[b] - base;
                int r = (int) right[b] - base;
                boolean dsack = b == 0 && (r <= una
                        || blocks > 1 && l >= (int) left[1] - base && r <= (int) right[1] - base
                                && (int) left[1] - base < (int) right[1] - base);
                if (dsack || l >= r || r <= una) {
                    continue;
                }
                for (int i = Math.max(l, una); i < r; i++) {
                    sacked[i] = true;
                }
            }
            assertEquals(count(sacked, una) - before, newly, "newly SACKed");
            assertEquals(count(sacked, una), board.sackedBytes());
            long pipe = 0;
            for (int s = una; s < size; s++) {
                assertEquals(sacked[s], board.isSacked(base + s), "isSacked " + s);
                boolean lost = !sacked[s] && modelIsLost(sacked, s, smss);
                assertEquals(lost, board.isLost(base + s), "isLost " + s);
                if (!sacked[s] && !lost) {
                    pipe++;
                }
            }
            assertEquals(pipe, board.pipe(), "pipe");
        }
    }

    private static int count(boolean[] sacked, int from) {
        int n = 0;
        for (int i = from; i < sacked.length; i++) {
            n += sacked[i] ? 1 : 0;
        }
        return n;
    }

    /** RFC 6675 §4 IsLost, octet by octet. */
    private static boolean modelIsLost(boolean[] sacked, int s, int smss) {
        int runs = 0;
        int bytes = 0;
        for (int i = s + 1; i < sacked.length; i++) {
            if (sacked[i]) {
                bytes++;
                if (!sacked[i - 1]) {
                    runs++;
                }
            }
        }
        return runs >= SackScoreboard.DUP_THRESH || bytes > (SackScoreboard.DUP_THRESH - 1) * smss;
    }

    /**
     * RACK-TLP's lost region after more than 2^31 octets acknowledged without a loss: its mark
     * (SND.UNA at the start) must follow SND.UNA, or modulo-2^32 comparison (RFC 9293 §3.4) turns
     * it from "behind SND.UNA" into "ahead of SND.MAX" and every outstanding octet is lost.
     */
    @Test
    void rackLostRegionStaysEmptyPastTwoToThe31OctetsWithoutLoss() {
        SackScoreboard board = new SackScoreboard();
        board.reset(1, SMSS);
        board.useRack(true);
        int step = 1 << 20;
        int una = 1;
        for (long acked = 0; acked < (1L << 31) + 4L * step; acked += step) {
            int max = una + 2 * step; // a megabyte acknowledged, two outstanding
            board.onNewData(max);
            ack(board, una + step, max);
            una += step;
            assertFalse(board.isLost(una), "no loss, yet SND.UNA is lost after " + (acked + step) + " octets");
            assertEquals(NextSeg.NEW_DATA, board.nextSeg(SMSS), "nothing to retransmit after " + (acked + step) + " octets");
        }
    }

    /** A RACK loss mark is forgotten once SND.UNA passed it, and stays so beyond 2^31 octets. */
    @Test
    void rackLossMarkBelowSndUnaIsForgottenPastTwoToThe31Octets() {
        SackScoreboard board = new SackScoreboard();
        board.reset(1, SMSS);
        board.useRack(true);
        board.onNewData(SND_MAX);
        board.rackLostEnd(seg(2)); // RFC 8985 §6.2 step 5 marked segment 1 lost
        assertTrue(board.isLost(1));
        ack(board, seg(3), SND_MAX); // repaired and acknowledged
        int step = 1 << 20;
        int una = seg(3);
        for (long acked = 0; acked < (1L << 31) + 4L * step; acked += step) {
            int max = una + 2 * step;
            board.onNewData(max);
            ack(board, una + step, max);
            una += step;
            assertFalse(board.isLost(una), "a repaired loss marks SND.UNA lost after " + (acked + step) + " octets");
        }
    }
}
