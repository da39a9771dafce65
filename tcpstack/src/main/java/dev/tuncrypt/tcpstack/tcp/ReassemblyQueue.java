package dev.tuncrypt.tcpstack.tcp;

import java.nio.ByteBuffer;

/**
 * The receiver's reassembly of segment text: keeps RCV.NXT, stores octets that arrive above it
 * in the free part of a {@link ReceiveBuffer} at their final place, and makes them readable when
 * the gap before them fills. Produces the SACK blocks to advertise (RFC 2018 §4).
 *
 * <p>Memory is bounded twice: octets beyond the buffer's free space (the receive window) are
 * trimmed away, and out-of-order data is tracked as at most {@code maxRanges} ranges in
 * preallocated arrays; a segment that would need one more is dropped and counted. Where a
 * segment overlaps data already held, the first copy wins (RFC 9293 §3.10.7.4 lets the receiver
 * keep either). SYN and FIN are the caller's: only data octets go through here.
 */
public final class ReassemblyQueue {
    /** Out-of-order ranges kept by default. */
    public static final int DEFAULT_MAX_RANGES = 32;

    private final ReceiveBuffer buffer;
    private final int maxRanges;
    private final int[] starts;
    private final int[] ends;
    /** Per range, when a segment last arrived in it, for the order of SACK blocks. */
    private final long[] stamps;
    private int count;
    private long clock;
    private int rcvNxt;

    private long segmentsOutOfOrder;
    private long bytesDuplicate;
    private long bytesOutOfWindow;
    private long segmentsDropped;

    /** A queue over {@code buffer} with {@link #DEFAULT_MAX_RANGES} ranges; call {@link #reset} before use. */
    public ReassemblyQueue(ReceiveBuffer buffer) {
        this(buffer, DEFAULT_MAX_RANGES);
    }

    /** A queue over {@code buffer} keeping at most {@code maxRanges} out-of-order ranges. */
    public ReassemblyQueue(ReceiveBuffer buffer, int maxRanges) {
        if (maxRanges < 1) {
            throw new IllegalArgumentException("maxRanges must be positive: " + maxRanges);
        }
        this.buffer = buffer;
        this.maxRanges = maxRanges;
        this.starts = new int[maxRanges];
        this.ends = new int[maxRanges];
        this.stamps = new long[maxRanges];
    }

    /**
     * Forgets out-of-order data and sets RCV.NXT (IRS + 1 once the SYN is in). The buffer's
     * readable data is left alone. Counters are kept.
     */
    public void reset(int rcvNxt) {
        this.rcvNxt = rcvNxt;
        count = 0;
    }

    /**
     * Takes the text of a segment starting at sequence number {@code seq}: the octets from
     * {@code data}'s position to its limit ({@code data} itself is not changed). Octets before
     * RCV.NXT or already held are duplicates, octets beyond the window are trimmed; the rest is
     * stored. When the segment fills the gap at RCV.NXT, RCV.NXT advances over it and every
     * out-of-order range now contiguous with it, and those octets become readable.
     *
     * @return how far RCV.NXT advanced (0 for a segment stored out of order, duplicate or dropped)
     */
    public int insert(int seq, ByteBuffer data) {
        int length = data.remaining();
        if (length == 0) {
            return 0;
        }
        int offset = SeqNum.diff(seq, rcvNxt); // of data's first octet, relative to RCV.NXT
        long start = offset;
        long end = (long) offset + length;
        if (start < 0) {
            bytesDuplicate += Math.min(end, 0) - start; // already delivered
            start = 0;
        }
        int window = buffer.free();
        if (end > window) {
            bytesOutOfWindow += end - Math.max(start, window); // RFC 9293 §3.10.7.4: trim to the window
            end = window;
        }
        if (start >= end) {
            return 0;
        }
        int s = (int) start;
        int e = (int) end;

        int i = 0; // first range ending at or after s (touching ranges merge)
        while (i < count && relative(ends[i]) < s) {
            i++;
        }
        int j = i; // one past the last range starting at or before e
        while (j < count && relative(starts[j]) <= e) {
            j++;
        }
        if (s > 0 && i == j && count == maxRanges) {
            segmentsDropped++; // no range left to describe a new island
            return 0;
        }

        int mergedStart = s;
        int mergedEnd = e;
        int cursor = s;
        for (int k = i; k < j; k++) {
            int rs = relative(starts[k]);
            int re = relative(ends[k]);
            if (rs > cursor) {
                store(cursor, rs, data, offset);
            }
            bytesDuplicate += Math.max(0, Math.min(re, e) - Math.max(rs, s)); // first copy wins
            cursor = Math.max(cursor, re);
            mergedStart = Math.min(mergedStart, rs);
            mergedEnd = Math.max(mergedEnd, re);
        }
        if (cursor < e) {
            store(cursor, e, data, offset);
        }

        if (mergedStart == 0) {
            removeRanges(0, j);
            buffer.commit(mergedEnd);
            rcvNxt += mergedEnd; // RFC 9293 §3.10.7.4: advance RCV.NXT over the data accepted
            return mergedEnd;
        }
        segmentsOutOfOrder++;
        if (i == j) {
            System.arraycopy(starts, i, starts, i + 1, count - i);
            System.arraycopy(ends, i, ends, i + 1, count - i);
            System.arraycopy(stamps, i, stamps, i + 1, count - i);
            count++;
        } else {
            removeRanges(i + 1, j);
        }
        starts[i] = rcvNxt + mergedStart;
        ends[i] = rcvNxt + mergedEnd;
        stamps[i] = ++clock;
        return 0;
    }

    /** Copies the segment's octets at window offsets [from, to) into the buffer. */
    private void store(int from, int to, ByteBuffer data, int dataOffset) {
        buffer.writeAt(from, data, data.position() + (from - dataOffset), to - from);
    }

    private void removeRanges(int from, int to) {
        System.arraycopy(starts, to, starts, from, count - to);
        System.arraycopy(ends, to, ends, from, count - to);
        System.arraycopy(stamps, to, stamps, from, count - to);
        count -= to - from;
    }

    private int relative(int seq) {
        return SeqNum.diff(seq, rcvNxt);
    }

    /**
     * Fills in the SACK blocks to send (RFC 2018 §4): the range that received the latest segment
     * first, then the others from the most recently updated on, as unsigned 32-bit values in the
     * form the wire layer writes.
     *
     * @param maxBlocks blocks that fit in the option: 4, or 3 next to a timestamp option
     * @return blocks written (0 when nothing is out of order)
     */
    public int sackBlocks(long[] left, long[] right, int maxBlocks) {
        int n = Math.min(Math.min(maxBlocks, count), Math.min(left.length, right.length));
        long below = Long.MAX_VALUE;
        for (int b = 0; b < n; b++) {
            int newest = -1;
            for (int k = 0; k < count; k++) {
                if (stamps[k] < below && (newest < 0 || stamps[k] > stamps[newest])) {
                    newest = k;
                }
            }
            left[b] = SeqNum.toUnsigned(starts[newest]);
            right[b] = SeqNum.toUnsigned(ends[newest]);
            below = stamps[newest];
        }
        return n;
    }

    /** RCV.NXT: the next sequence number expected. */
    public int rcvNxt() {
        return rcvNxt;
    }

    /** Out-of-order ranges held. */
    public int rangeCount() {
        return count;
    }

    /** Out-of-order octets held. */
    public int outOfOrderBytes() {
        int total = 0;
        for (int k = 0; k < count; k++) {
            total += ends[k] - starts[k];
        }
        return total;
    }

    /** Segments stored above RCV.NXT. */
    public long segmentsOutOfOrder() {
        return segmentsOutOfOrder;
    }

    /** Octets received again: before RCV.NXT or inside data already held. */
    public long bytesDuplicate() {
        return bytesDuplicate;
    }

    /** Octets trimmed because they lay beyond the receive window. */
    public long bytesOutOfWindow() {
        return bytesOutOfWindow;
    }

    /** Segments dropped because every range was in use. */
    public long segmentsDropped() {
        return segmentsDropped;
    }
}
