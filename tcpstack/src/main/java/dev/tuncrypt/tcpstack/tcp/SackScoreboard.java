package dev.tuncrypt.tcpstack.tcp;

/**
 * The sender's SACK scoreboard and the routines of RFC 6675 §4 (IsLost, SetPipe, NextSeg),
 * with the recovery variables they need (RecoveryPoint, HighRxt, RescueRxt).
 *
 * <p>SACKed data above SND.UNA is kept as at most {@code maxRanges} sorted, disjoint sequence
 * ranges in preallocated arrays. When an ACK would need one range more, the highest range is
 * forgotten (counted in {@link #rangesDropped()}): forgetting SACK information only costs a
 * possibly needless retransmission.
 *
 * <p>Conventions: all bounds are exclusive ends, i.e. one past the RFC's inclusive values.
 * {@code sndUna} is HighACK + 1, {@code sndMax} is HighData + 1, {@link #highRxt()} is HighRxt + 1,
 * {@link #recoveryPoint()} is RecoveryPoint + 1 (SND.MAX when recovery began) and RescueRxt is
 * kept the same way. Each comparison with the RFC is annotated.
 *
 * <p>Timeouts (RFC 6675 §5.1): the scoreboard is kept, and until SND.UNA reaches the
 * RecoveryPoint recorded at the timeout every unSACKed octet below it counts as lost (as Linux
 * marks them), so {@link #nextSeg} walks the holes and skips SACKed data. RFC 2018 §8 reneging is
 * the caller's to detect; {@link #clear()} then forgets all SACK information.
 */
public final class SackScoreboard {
    /** DupThresh (RFC 6675 §2, RFC 5681 §3.2). */
    public static final int DUP_THRESH = 3;
    /** Ranges kept by default. */
    public static final int DEFAULT_MAX_RANGES = 32;

    /** Which NextSeg rule (RFC 6675 §4) chose the segment. */
    public enum NextSeg {
        /** Rule (1): retransmit a segment deemed lost. */
        LOST,
        /** Rule (2): send previously unsent data, starting at SND.MAX. */
        NEW_DATA,
        /** Rule (3): retransmit an unSACKed segment not (yet) deemed lost. */
        UNSACKED,
        /** Rule (4): the one rescue retransmission of this recovery. */
        RESCUE,
        /** Rule (5): nothing to send. */
        NONE
    }

    private final int maxRanges;
    private final int[] starts;
    private final int[] ends;
    private int count;
    private long sackedBytes;

    private int smss;
    private int sndUna;
    private int sndMax;

    private boolean inRecovery;
    private boolean afterTimeout;
    private int recoveryPoint;
    private int highRxt;
    private boolean rescueRxtSet;
    private int rescueRxt;

    private int nextSegSeq;
    private int nextSegLength;

    /** RACK-TLP (RFC 8985): the lost region comes from RACK, not from DupThresh. */
    private boolean rack;
    private int rackLostEnd;
    private boolean lastDsack;
    private int lastDsackLeft;
    private int lastDsackRight;

    private long blocksAccepted;
    private long dsackBlocks;
    private long ignoredBlocks;
    private long rangesDropped;
    private long recoveries;
    private long rescueRetransmits;

    /** A scoreboard with {@link #DEFAULT_MAX_RANGES} ranges; call {@link #reset} before use. */
    public SackScoreboard() {
        this(DEFAULT_MAX_RANGES);
    }

    /** A scoreboard keeping at most {@code maxRanges} SACKed ranges; call {@link #reset} before use. */
    public SackScoreboard(int maxRanges) {
        if (maxRanges < 1) {
            throw new IllegalArgumentException("maxRanges must be positive: " + maxRanges);
        }
        this.maxRanges = maxRanges;
        this.starts = new int[maxRanges];
        this.ends = new int[maxRanges];
        this.smss = 1;
    }

    /**
     * Empties the scoreboard for a connection whose first unacknowledged octet is {@code sndUna}
     * (ISS + 1 after the handshake). Counters are kept.
     */
    public void reset(int sndUna, int smss) {
        if (smss <= 0) {
            throw new IllegalArgumentException("SMSS must be positive: " + smss);
        }
        this.smss = smss;
        this.sndUna = sndUna;
        this.sndMax = sndUna;
        clear();
        inRecovery = false;
        afterTimeout = false;
        recoveryPoint = sndUna;
        highRxt = sndUna;
        rescueRxtSet = false;
        rackLostEnd = sndUna;
    }

    /**
     * With RACK-TLP (RFC 8985) the lost region is what {@link #rackLostEnd} reports, not the
     * DupThresh rule of RFC 6675 §4 IsLost; NextSeg rules (3) and (4) are off (RACK decides
     * what is lost; the tail loss probe replaces the rescue retransmission, RFC 8985 §7).
     */
    public void useRack(boolean on) {
        rack = on;
    }

    /** RACK-TLP: every unSACKed octet below {@code end} is lost (RFC 8985 §6.2 step 5). */
    public void rackLostEnd(int end) {
        if (SeqNum.gt(end, rackLostEnd)) {
            rackLostEnd = end;
        }
    }

    /** Whether the last {@link #update} carried a D-SACK block (RFC 2883 §4). */
    public boolean lastUpdateHadDsack() {
        return lastDsack;
    }

    /** The last D-SACK block's left edge. */
    public int lastDsackLeft() {
        return lastDsackLeft;
    }

    /** The last D-SACK block's right edge (exclusive). */
    public int lastDsackRight() {
        return lastDsackRight;
    }

    /** Forgets all SACK information, e.g. when the receiver reneged (RFC 2018 §8). */
    public void clear() {
        count = 0;
        sackedBytes = 0;
    }

    /**
     * Update() of RFC 6675 §4: records the cumulative ACK and the SACK blocks of one ACK.
     *
     * <p>A first block that reports duplicate data (RFC 2883 §4: it lies at or below this ACK's
     * own cumulative ACK field, or inside the second block) is ignored, as are blocks that are
     * empty, reach beyond {@code sndMax} or lie entirely at or below SND.UNA.
     *
     * @param ack the ACK's cumulative acknowledgment field; SND.UNA moves forward to it
     * @param sndMax SND.MAX, the highest sequence number sent plus one (HighData + 1)
     * @param sackLeft left edges, unsigned 32-bit values as the wire layer reads them
     * @param sackRight right edges (exclusive), likewise
     * @param blockCount blocks in the option (0 when it had none)
     * @return octets newly SACKed by this ACK (0 if it brought no new SACK information)
     */
    public int update(int ack, int sndMax, long[] sackLeft, long[] sackRight, int blockCount) {
        this.sndMax = sndMax;
        if (SeqNum.gt(ack, sndUna)) {
            sndUna = ack;
            trimBelow(ack);
            if (SeqNum.lt(rackLostEnd, ack)) {
                // RFC 8985 §6.2 step 5 marks lost only data above SND.UNA, so the mark follows
                // SND.UNA up. Left behind, it would stop comparing as below it once 2^31 octets
                // were acknowledged (RFC 9293 §3.4: sequence comparisons are modulo 2^32) and
                // make every outstanding octet "lost": a fast recovery on each ACK, no loss.
                rackLostEnd = ack;
            }
        }
        if ((inRecovery || afterTimeout) && SeqNum.ge(sndUna, recoveryPoint)) {
            inRecovery = false; // RFC 6675 §5 (A): cumulative ACK beyond RecoveryPoint ends recovery
            afterTimeout = false; // RFC 6675 §5.1: HighACK >= RecoveryPoint, new recoveries allowed
        }
        long added = 0;
        lastDsack = false;
        for (int i = 0; i < blockCount; i++) {
            int left = (int) sackLeft[i];
            int right = (int) sackRight[i];
            if (i == 0 && isDsack(left, right, ack, sackLeft, sackRight, blockCount)) {
                dsackBlocks++;
                lastDsack = true; // RFC 2883 §4: reported to RACK-TLP's undo and reo_wnd (RFC 8985 §6.2 step 4)
                lastDsackLeft = left;
                lastDsackRight = right;
                continue;
            }
            if (!SeqNum.lt(left, right) || SeqNum.gt(right, sndMax) || SeqNum.le(right, sndUna)) {
                ignoredBlocks++;
                continue;
            }
            blocksAccepted++;
            added += insert(SeqNum.max(left, sndUna), right);
        }
        return (int) added;
    }

    /** RFC 2883 §4: is the first SACK block a D-SACK? Compared with this ACK's own ACK field. */
    private static boolean isDsack(int left, int right, int ack, long[] sackLeft, long[] sackRight, int blockCount) {
        if (SeqNum.le(right, ack)) {
            return true; // RFC 2883 §4: first block below the cumulative ACK
        }
        if (blockCount > 1) {
            int left2 = (int) sackLeft[1];
            int right2 = (int) sackRight[1];
            // RFC 2883 §4: first block inside the second one: duplicate above the cumulative ACK
            return SeqNum.ge(left, left2) && SeqNum.le(right, right2) && SeqNum.lt(left2, right2);
        }
        return false;
    }

    /** Adds [left, right) to the ranges, merging; returns the octets not SACKed before. */
    private long insert(int left, int right) {
        int i = 0;
        while (i < count && SeqNum.lt(ends[i], left)) {
            i++;
        }
        int j = i;
        int mergedStart = left;
        int mergedEnd = right;
        long covered = 0;
        while (j < count && SeqNum.le(starts[j], right)) {
            covered += Math.max(0, SeqNum.min(ends[j], right) - SeqNum.max(starts[j], left));
            mergedStart = SeqNum.min(mergedStart, starts[j]);
            mergedEnd = SeqNum.max(mergedEnd, ends[j]);
            j++;
        }
        long added = (right - left) - covered;
        if (j == i) {
            if (count == maxRanges) {
                rangesDropped++;
                if (i == count) {
                    return 0; // the new range is the highest: forget it
                }
                count--; // forget the highest range to make room
                sackedBytes -= ends[count] - starts[count];
            }
            System.arraycopy(starts, i, starts, i + 1, count - i);
            System.arraycopy(ends, i, ends, i + 1, count - i);
            count++;
        } else if (j > i + 1) {
            System.arraycopy(starts, j, starts, i + 1, count - j);
            System.arraycopy(ends, j, ends, i + 1, count - j);
            count -= j - i - 1;
        }
        starts[i] = mergedStart;
        ends[i] = mergedEnd;
        sackedBytes += added;
        return added;
    }

    /** Drops SACK information at or below a new cumulative ACK. */
    private void trimBelow(int ack) {
        int drop = 0;
        while (drop < count && SeqNum.le(ends[drop], ack)) {
            sackedBytes -= ends[drop] - starts[drop];
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(starts, drop, starts, 0, count - drop);
            System.arraycopy(ends, drop, ends, 0, count - drop);
            count -= drop;
        }
        if (count > 0 && SeqNum.lt(starts[0], ack)) {
            sackedBytes -= ack - starts[0];
            starts[0] = ack;
        }
    }

    /** SND.MAX grew because new data was sent outside {@link #update} (RFC 6675 §5 (C.3)). */
    public void onNewData(int sndMax) {
        if (SeqNum.gt(sndMax, this.sndMax)) {
            this.sndMax = sndMax;
        }
    }

    /** Whether {@code seq} lies in a SACKed range. */
    public boolean isSacked(int seq) {
        for (int i = 0; i < count; i++) {
            if (SeqNum.lt(seq, starts[i])) {
                return false;
            }
            if (SeqNum.lt(seq, ends[i])) {
                return true;
            }
        }
        return false;
    }

    /**
     * IsLost(SeqNum) of RFC 6675 §4 for an unSACKed octet in [SND.UNA, SND.MAX): true when
     * DupThresh discontiguous SACKed ranges lie above it, or more than (DupThresh - 1) * SMSS
     * SACKed octets do. After a timeout, also every unSACKed octet below the RecoveryPoint it
     * recorded (see the class comment). False for SACKed octets and octets outside the window.
     */
    public boolean isLost(int seq) {
        if (SeqNum.lt(seq, sndUna) || SeqNum.ge(seq, sndMax) || isSacked(seq)) {
            return false;
        }
        return SeqNum.lt(seq, lostEnd());
    }

    /**
     * The end of the lost region: every unSACKed octet in [SND.UNA, lostEnd) is lost and none
     * above. IsLost is monotone (an octet below a lost one has at least as much SACKed data above
     * it), so the lost holes are the lowest ones.
     */
    private int lostEnd() {
        int end = sndUna;
        if (rack) {
            end = SeqNum.max(sndUna, SeqNum.min(rackLostEnd, sndMax)); // RFC 8985 §6.2 step 5
            if (afterTimeout) {
                end = SeqNum.max(end, SeqNum.min(recoveryPoint, sndMax)); // RFC 6675 §5.1 / RFC 8985 §6.3
            }
            return end;
        }
        long bytesAbove = 0;
        for (int i = count - 1; i >= 0; i--) {
            bytesAbove += ends[i] - starts[i];
            // RFC 6675 §4 IsLost: DupThresh discontiguous SACKed sequences above, or more
            // than (DupThresh - 1) * SMSS SACKed bytes above, the hole below range i.
            if (count - i >= DUP_THRESH || bytesAbove > (long) (DUP_THRESH - 1) * smss) {
                end = starts[i];
                break;
            }
        }
        if (afterTimeout) {
            end = SeqNum.max(end, SeqNum.min(recoveryPoint, sndMax)); // RFC 6675 §5.1, see class comment
        }
        return end;
    }

    /** HighRxt + 1 as used now: SND.UNA when no recovery is running (RFC 6675 §5 step 3.1). */
    private int effectiveHighRxt() {
        return inRecovery || afterTimeout ? SeqNum.max(highRxt, sndUna) : sndUna;
    }

    /**
     * SetPipe() of RFC 6675 §4: the octets between SND.UNA and SND.MAX that are not SACKed,
     * counting once those not deemed lost and once more those retransmitted (at or below
     * HighRxt).
     */
    public int pipe() {
        int lostEnd = lostEnd();
        int highRxtEnd = effectiveHighRxt();
        long pipe = 0;
        int holeStart = sndUna;
        for (int i = 0; i <= count; i++) {
            int holeEnd = i < count ? starts[i] : sndMax;
            if (SeqNum.lt(holeStart, holeEnd)) {
                // RFC 6675 §4 SetPipe (a): IsLost(S1) false -> pipe += 1 per octet
                int notLost = SeqNum.max(holeStart, lostEnd);
                if (SeqNum.lt(notLost, holeEnd)) {
                    pipe += holeEnd - notLost;
                }
                // RFC 6675 §4 SetPipe (b): S1 <= HighRxt -> pipe += 1 per octet
                int retransmittedEnd = SeqNum.min(holeEnd, highRxtEnd);
                if (SeqNum.lt(holeStart, retransmittedEnd)) {
                    pipe += retransmittedEnd - holeStart;
                }
            }
            if (i < count) {
                holeStart = ends[i];
            }
        }
        return (int) pipe;
    }

    /**
     * NextSeg() of RFC 6675 §4: chooses the next segment to send during recovery. The chosen
     * range is read with {@link #nextSegSeq()} and {@link #nextSegLength()}; retransmitted
     * segments never extend into SACKed data.
     *
     * @param sendableNewBytes previously unsent bytes that the send buffer holds and the peer's
     *     window allows beyond SND.MAX (rule (2)); 0 if none
     */
    public NextSeg nextSeg(int sendableNewBytes) {
        int lostEnd = lostEnd();
        int highestSacked = count > 0 ? ends[count - 1] : sndUna;
        int first = firstUnsackedFrom(SeqNum.max(effectiveHighRxt(), sndUna)); // RFC 6675 (1.a)/(3.a): S > HighRxt
        // RFC 6675 (1.b): S2 < highest octet covered by any SACK; after a timeout, below RecoveryPoint
        int lossLimit = afterTimeout ? SeqNum.max(highestSacked, SeqNum.min(recoveryPoint, sndMax)) : highestSacked;
        if (SeqNum.lt(first, lossLimit) && SeqNum.lt(first, lostEnd)) { // RFC 6675 (1.c): IsLost(S2)
            return choose(NextSeg.LOST, first, Math.min(smss, holeEnd(first) - first)); // rule (1)
        }
        if (sendableNewBytes > 0) {
            return choose(NextSeg.NEW_DATA, sndMax, Math.min(smss, sendableNewBytes)); // rule (2)
        }
        if (rack) {
            return choose(NextSeg.NONE, sndMax, 0); // RACK-TLP: no rules (3) and (4), see useRack
        }
        if (SeqNum.lt(first, highestSacked)) { // rule (3): (1.a) and (1.b) without (1.c)
            return choose(NextSeg.UNSACKED, first, Math.min(smss, holeEnd(first) - first));
        }
        // Rule (4): one rescue per recovery if HighACK > RescueRxt (or RescueRxt undefined).
        if (inRecovery && (!rescueRxtSet || SeqNum.gt(sndUna, rescueRxt))) {
            int holeStart = sndUna;
            int highestHoleStart = sndUna;
            int highestHoleEnd = sndUna;
            for (int i = 0; i <= count; i++) {
                int holeEnd = i < count ? starts[i] : sndMax;
                if (SeqNum.lt(holeStart, holeEnd)) {
                    highestHoleStart = holeStart;
                    highestHoleEnd = holeEnd;
                }
                if (i < count) {
                    holeStart = ends[i];
                }
            }
            if (SeqNum.lt(highestHoleStart, highestHoleEnd)) {
                // the segment MUST include the highest outstanding unSACKed octet
                int start = SeqNum.max(highestHoleStart, highestHoleEnd - smss);
                return choose(NextSeg.RESCUE, start, highestHoleEnd - start);
            }
        }
        return choose(NextSeg.NONE, sndMax, 0); // rule (5)
    }

    private NextSeg choose(NextSeg rule, int seq, int length) {
        nextSegSeq = seq;
        nextSegLength = length;
        return rule;
    }

    /** The first unSACKed octet at or after {@code seq}. */
    private int firstUnsackedFrom(int seq) {
        for (int i = 0; i < count; i++) {
            if (SeqNum.lt(seq, starts[i])) {
                return seq;
            }
            if (SeqNum.lt(seq, ends[i])) {
                seq = ends[i];
            }
        }
        return seq;
    }

    /** The end of the unSACKed hole containing {@code seq}: the next SACKed range, or SND.MAX. */
    private int holeEnd(int seq) {
        for (int i = 0; i < count; i++) {
            if (SeqNum.lt(seq, starts[i])) {
                return starts[i];
            }
        }
        return sndMax;
    }

    /**
     * Starts loss recovery (RFC 6675 §5 step 4): RecoveryPoint = HighData (4.1), HighRxt =
     * HighACK until the first retransmission. Returns false, changing nothing, when already in
     * recovery or when a timeout forbids it (RFC 6675 §5.1: not until HighACK >= RecoveryPoint).
     */
    public boolean enterRecovery() {
        if (inRecovery || afterTimeout) {
            return false;
        }
        inRecovery = true;
        recoveryPoint = sndMax; // RFC 6675 §5 (4.1): RecoveryPoint = HighData
        highRxt = sndUna;
        rescueRxtSet = false;
        recoveries++;
        return true;
    }

    /**
     * The sender retransmitted [seq, seq + length) (NextSeg rules (1) and (3), or the fast
     * retransmit of step 4.3): HighRxt moves to its end (RFC 6675 §5 (C.2)); the first
     * retransmission of a recovery also sets RescueRxt (RFC 6675 §5 (4.3)).
     */
    public void onRetransmitted(int seq, int length) {
        int end = seq + length;
        if (SeqNum.gt(end, highRxt)) {
            highRxt = end; // RFC 6675 §5 (C.2): HighRxt = highest retransmitted sequence number
        }
        if (inRecovery && !rescueRxtSet) {
            rescueRxt = end; // RFC 6675 §5 (4.3): RescueRxt too, against a premature rescue
            rescueRxtSet = true;
        }
    }

    /** The sender sent the rule (4) rescue segment: RescueRxt = RecoveryPoint, HighRxt unchanged. */
    public void onRescueRetransmitted() {
        rescueRxt = recoveryPoint; // RFC 6675 §4 NextSeg (4)
        rescueRxtSet = true;
        rescueRetransmits++;
    }

    /**
     * The retransmission timer expired (RFC 6675 §5.1): RecoveryPoint = HighData, recovery ends
     * and no new one may start until SND.UNA reaches it; SACK information is kept and unSACKed
     * data below RecoveryPoint is deemed lost.
     */
    public void onRetransmitTimeout() {
        inRecovery = false;
        recoveryPoint = sndMax; // RFC 6675 §5.1: RecoveryPoint MUST be set to HighData
        afterTimeout = SeqNum.lt(sndUna, sndMax);
        highRxt = sndUna;
        rescueRxtSet = false;
    }

    /** Whether a SACK-based loss recovery is running. */
    public boolean inRecovery() {
        return inRecovery;
    }

    /** Whether a timeout's recovery (RFC 6675 §5.1) is running. */
    public boolean afterTimeout() {
        return afterTimeout;
    }

    /** RecoveryPoint + 1: SND.MAX when the current or last recovery or timeout began. */
    public int recoveryPoint() {
        return recoveryPoint;
    }

    /** HighRxt + 1: one past the highest octet retransmitted in this recovery. */
    public int highRxt() {
        return highRxt;
    }

    /** SND.UNA as last seen (HighACK + 1). */
    public int sndUna() {
        return sndUna;
    }

    /** SND.MAX as last seen (HighData + 1). */
    public int sndMax() {
        return sndMax;
    }

    /** First octet of the segment chosen by the last {@link #nextSeg}. */
    public int nextSegSeq() {
        return nextSegSeq;
    }

    /** Length of the segment chosen by the last {@link #nextSeg}; 0 for {@link NextSeg#NONE}. */
    public int nextSegLength() {
        return nextSegLength;
    }

    /** Octets SACKed above SND.UNA. */
    public long sackedBytes() {
        return sackedBytes;
    }

    /** SACKed ranges held. */
    public int rangeCount() {
        return count;
    }

    /** Start of SACKed range {@code i} (ranges ascend from SND.UNA). */
    public int rangeStart(int i) {
        checkRange(i);
        return starts[i];
    }

    /** Exclusive end of SACKed range {@code i}. */
    public int rangeEnd(int i) {
        checkRange(i);
        return ends[i];
    }

    private void checkRange(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("range " + i + " of " + count);
        }
    }

    /** SACK blocks recorded. */
    public long blocksAccepted() {
        return blocksAccepted;
    }

    /** First blocks recognized as D-SACK (RFC 2883) and ignored. */
    public long dsackBlocks() {
        return dsackBlocks;
    }

    /** Blocks ignored as empty, beyond SND.MAX or already cumulatively acknowledged. */
    public long ignoredBlocks() {
        return ignoredBlocks;
    }

    /** Ranges forgotten because the scoreboard was full. */
    public long rangesDropped() {
        return rangesDropped;
    }

    /** Recoveries entered. */
    public long recoveries() {
        return recoveries;
    }

    /** Rescue retransmissions sent (NextSeg rule (4)). */
    public long rescueRetransmits() {
        return rescueRetransmits;
    }
}
