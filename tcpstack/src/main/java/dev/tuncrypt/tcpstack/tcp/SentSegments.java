package dev.tuncrypt.tcpstack.tcp;

/**
 * The sender's per-segment transmission record that RACK needs (RFC 8985 §5.2 "per-segment
 * variables": Segment.xmit_ts, Segment.end_seq, Segment.retransmitted, Segment.lost), for the
 * segments between SND.UNA and SND.MAX, oldest first, in growable ring arrays.
 *
 * <p>New data is appended one entry per segment (a super-packet of k segments is k entries);
 * a retransmission updates the entries it overlaps (RFC 8985 §6.1: "upon transmitting").
 * Sequence numbers are the connection's; ends are exclusive.
 */
final class SentSegments {
    private int[] start = new int[64];
    private int[] end = new int[64];
    private long[] xmit = new long[64];
    /** Bit 0: retransmitted; bit 1: delivered (cumulatively ACKed or SACKed); bit 2: lost. */
    private byte[] flags = new byte[64];
    private int head;
    private int size;

    static final int RETRANSMITTED = 1;
    static final int DELIVERED = 2;
    static final int LOST = 4;

    int size() {
        return size;
    }

    /** Index {@code i} (0 = oldest) into the ring. */
    private int at(int i) {
        return (head + i) & (start.length - 1);
    }

    int start(int i) {
        return start[at(i)];
    }

    int end(int i) {
        return end[at(i)];
    }

    long xmitNanos(int i) {
        return xmit[at(i)];
    }

    boolean has(int i, int flag) {
        return (flags[at(i)] & flag) != 0;
    }

    void set(int i, int flag) {
        flags[at(i)] |= (byte) flag;
    }

    /** The end of the newest entry, or {@code fallback} when empty. */
    int highEnd(int fallback) {
        return size == 0 ? fallback : end(size - 1);
    }

    /**
     * [seq, seq + len) went out at {@code now}, cut in segments of {@code segment} bytes.
     *
     * @return whether it was (at least in part) a retransmission
     */
    boolean onSent(int seq, int len, int segment, long now) {
        int high = highEnd(seq);
        boolean retransmission = SeqNum.lt(seq, high);
        if (retransmission) {
            int stop = seq + len;
            for (int i = 0; i < size; i++) {
                if (SeqNum.le(stop, start(i))) {
                    break;
                }
                if (SeqNum.gt(end(i), seq) && !has(i, DELIVERED)) {
                    int k = at(i);
                    xmit[k] = now; // RFC 8985 §6.1: Segment.xmit_ts = Now() on every (re)transmission
                    flags[k] = (byte) ((flags[k] | RETRANSMITTED) & ~LOST); // Segment.retransmitted = TRUE
                }
            }
            seq = SeqNum.max(seq, high);
            len = SeqNum.diff(stop, seq);
        }
        while (len > 0) {
            int n = Math.min(len, segment);
            append(seq, seq + n, now);
            seq += n;
            len -= n;
        }
        return retransmission;
    }

    private void append(int s, int e, long now) {
        if (size == start.length) {
            grow();
        }
        int k = at(size);
        start[k] = s;
        end[k] = e;
        xmit[k] = now;
        flags[k] = 0;
        size++;
    }

    private void grow() {
        int n = start.length * 2;
        int[] s2 = new int[n];
        int[] e2 = new int[n];
        long[] x2 = new long[n];
        byte[] f2 = new byte[n];
        for (int i = 0; i < size; i++) {
            int k = at(i);
            s2[i] = start[k];
            e2[i] = end[k];
            x2[i] = xmit[k];
            f2[i] = flags[k];
        }
        start = s2;
        end = e2;
        xmit = x2;
        flags = f2;
        head = 0;
    }

    /** Forgets entries wholly at or below the cumulative ACK {@code sndUna}. */
    void trim(int sndUna) {
        while (size > 0 && SeqNum.le(end(0), sndUna)) {
            head = (head + 1) & (start.length - 1);
            size--;
        }
    }

    /** Forgets everything (connection reset of the record). */
    void clear() {
        head = 0;
        size = 0;
    }
}
