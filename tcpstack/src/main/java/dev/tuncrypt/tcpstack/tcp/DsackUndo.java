package dev.tuncrypt.tcpstack.tcp;

/**
 * Undo of a spurious fast recovery by D-SACK (RFC 3708, as Linux undoes): the
 * window before the recovery is kept, each retransmission of the recovery is counted, each
 * D-SACK of a retransmitted segment counts one off; when every retransmission came back as a
 * duplicate, nothing was lost and the window is restored.
 */
final class DsackUndo {
    private boolean armed;
    private int priorCwnd;
    private int priorSsthresh;
    private int retransmissions;
    private int episodeStart;
    private int rxtHigh;
    private long undone;

    /** A fast recovery begins: remember the window (RFC 3708 §3: the state before the response). */
    void onEnterRecovery(int cwnd, int ssthresh, int sndUna) {
        armed = true;
        episodeStart = sndUna;
        rxtHigh = sndUna;
        priorCwnd = cwnd;
        priorSsthresh = ssthresh;
        retransmissions = 0;
    }

    /** A retransmission went out during the episode (RFC 3708 §3: counted). */
    void onRetransmission(int seq, int end) {
        if (armed) {
            retransmissions++;
            if (SeqNum.gt(end, rxtHigh)) {
                rxtHigh = end;
            }
        }
    }

    /**
     * A D-SACK of retransmitted data arrived (RFC 3708 §3: one duplicate per retransmission).
     *
     * @param left the D-SACK block's left edge
     * @param right its right edge (exclusive)
     * @return whether every retransmission of the episode was a duplicate: undo now
     */
    boolean onDsack(int left, int right) {
        if (!armed || retransmissions == 0) {
            return false;
        }
        if (SeqNum.lt(left, episodeStart) || SeqNum.gt(right, rxtHigh)) {
            return false; // RFC 3708 §3: only duplicates of this episode's retransmissions count
        }
        retransmissions--;
        if (retransmissions == 0) {
            armed = false; // RFC 3708 §3: all retransmissions were spurious: restore the window
            undone++;
            return true;
        }
        return false;
    }

    /**
     * SND.UNA is now {@code sndUna}: an episode left more than {@link #FORGET_DISTANCE} octets
     * behind is over. Its D-SACKs came long ago (a receiver reports a duplicate with the ACK it
     * sends at once, RFC 2883 §4), and its edges would, 2^32 octets on, compare equal to new
     * sequence numbers (RFC 9293 §3.4) and undo an unrelated recovery with an old window.
     */
    void onAck(int sndUna) {
        if (armed && SeqNum.diff(sndUna, rxtHigh) > FORGET_DISTANCE) {
            armed = false;
        }
    }

    /** How far behind SND.UNA an episode's retransmissions may lie and still be undone. */
    static final int FORGET_DISTANCE = 1 << 30;

    /** A timeout: its retransmissions are not undone here (go-back-N duplicates are expected). */
    void cancel() {
        armed = false;
    }

    int priorCwnd() {
        return priorCwnd;
    }

    int priorSsthresh() {
        return priorSsthresh;
    }

    long undone() {
        return undone;
    }
}
