package dev.tuncrypt.tcpstack.tcp;

/**
 * RACK, time-based loss detection (RFC 8985 §6): a segment is lost when a segment sent
 * sufficiently later (more than the reordering window after it) has been delivered. Time is
 * passed in; segments are read from a {@link SentSegments} record; delivery from the ACK's
 * cumulative field and a {@link SackScoreboard}.
 *
 * <p>The reordering window starts at a quarter of the minimum RTT once reordering was seen
 * (0 before, in recovery or with DupThresh segments SACKed), grows by that quarter per round
 * trip that brought a D-SACK and falls back after 16 recoveries without one (§6.2 step 4).
 */
final class Rack {
    /** RFC 8985 §6.2 step 4: the persistence of an inflated reo_wnd, in loss recoveries. */
    static final int REO_WND_PERSIST = 16;

    /** RACK.xmit_ts, RACK.end_seq: the most recently sent segment delivered. */
    private long xmitTs = Long.MIN_VALUE;
    private int endSeq;
    private boolean haveDelivered;
    /** RACK.rtt: the RTT of that segment. */
    private long rttNanos;
    /** RACK.min_RTT (kept over the connection's lifetime; RFC 8985 allows a windowed minimum). */
    private long minRttNanos = Long.MAX_VALUE;
    /** RACK.fack: the highest end sequence delivered. */
    private int fack;
    private boolean haveFack;
    /** RACK.reord: reordering was seen on this connection. */
    private boolean reord;
    /** RACK.reo_wnd_mult, RACK.reo_wnd_persist, RACK.dsack_round. */
    private int reoWndMult = 1;
    private int reoWndPersist;
    private boolean dsackRoundSet;
    private int dsackRound;

    private long reorderingSeen;
    private long lostMarked;

    /**
     * RFC 8985 §6.2 steps 1-3 for one segment newly delivered by this ACK.
     *
     * @param tsEcrBeforeXmit for a retransmitted segment: the ACK's echoed timestamp predates its
     *     retransmission, so the ACK is for the original (RFC 8985 §6.2 step 2)
     */
    void onDelivered(long now, int segStart, int segEnd, long segXmit, boolean retransmitted,
            boolean tsEcrBeforeXmit) {
        long rtt = now - segXmit;
        if (!retransmitted) {
            minRttNanos = Math.min(minRttNanos, rtt); // RFC 8985 §6.2 step 1: RACK.min_RTT from valid samples
        }
        // RFC 8985 §6.2 step 3: a never-retransmitted segment below RACK.fack was reordered
        if (!retransmitted && haveFack && SeqNum.lt(segEnd, fack)) {
            if (!reord) {
                reorderingSeen++;
            }
            reord = true;
        } else if (!haveFack || SeqNum.gt(segEnd, fack)) {
            fack = segEnd; // RFC 8985 §6.2 step 3: RACK.fack = max(RACK.fack, Segment.end_seq)
            haveFack = true;
        }
        // RFC 8985 §6.2 step 2: ignore a retransmitted segment whose ACK may be for the original
        if (retransmitted && (tsEcrBeforeXmit || (minRttNanos != Long.MAX_VALUE && rtt < minRttNanos))) {
            return;
        }
        rttNanos = rtt; // RFC 8985 §6.2 step 2: RACK.rtt = Now() - Segment.xmit_ts
        if (!haveDelivered || sentAfter(segXmit, segEnd, xmitTs, endSeq)) {
            xmitTs = segXmit; // RFC 8985 §6.2 step 2: RACK.xmit_ts, RACK.end_seq of the latest sent
            endSeq = segEnd;
            haveDelivered = true;
        }
    }

    /** RFC 8985 §6.2 step 2 RACK_sent_after(t1, seq1, t2, seq2). */
    static boolean sentAfter(long t1, int seq1, long t2, int seq2) {
        return t1 > t2 || (t1 == t2 && SeqNum.gt(seq1, seq2));
    }

    /**
     * RFC 8985 §6.2 step 4 for one ACK: adapts reo_wnd_mult to D-SACKs, once per round trip.
     *
     * @param dsack the ACK carried a D-SACK block
     * @param sndUna SND.UNA after the ACK
     * @param sndNxt SND.NXT (the end of the current round trip)
     * @param recoveryEnded this ACK ended a loss recovery
     */
    void updateReoWnd(boolean dsack, int sndUna, int sndNxt, boolean recoveryEnded) {
        if (dsack && !reord) {
            // A D-SACK proves a retransmission spurious: the original was reordered, not lost,
            // though step 3 cannot see it (the segment counts as retransmitted). As Linux does,
            // it counts as reordering seen, so reo_wnd stops being 0 (RFC 8985 §6.2 step 4).
            reord = true;
            reorderingSeen++;
        }
        if (dsackRoundSet && SeqNum.ge(sndUna, dsackRound)) {
            dsackRoundSet = false; // RFC 8985 §6.2 step 4: the D-SACK round trip is over
        }
        if (!dsackRoundSet && dsack) {
            dsackRoundSet = true; // RFC 8985 §6.2 step 4: at most one increase per round trip
            dsackRound = sndNxt;
            reoWndMult++;
            reoWndPersist = REO_WND_PERSIST;
        } else if (recoveryEnded) {
            reoWndPersist--; // RFC 8985 §6.2 step 4: 16 recoveries without D-SACK reset the multiplier
            if (reoWndPersist <= 0) {
                reoWndMult = 1;
            }
        }
    }

    /**
     * RFC 8985 §6.2 step 4 RACK_update_reo_wnd(): the reordering window in nanoseconds.
     *
     * @param inRecovery fast or timeout recovery is running
     * @param segsSacked segments SACKed above SND.UNA (compared with DupThresh)
     * @param srttNanos SRTT (the window never exceeds it)
     */
    long reoWnd(boolean inRecovery, int segsSacked, long srttNanos) {
        if (!reord) {
            if (inRecovery) {
                return 0; // RFC 8985 §6.2 step 4: no reordering seen, in recovery: be quick
            }
            if (segsSacked >= SackScoreboard.DUP_THRESH) {
                return 0; // RFC 8985 §6.2 step 4: DupThresh segments SACKed, as RFC 6675 would
            }
        }
        if (minRttNanos == Long.MAX_VALUE) {
            return 0;
        }
        // RFC 8985 §6.2 step 4: min(RACK.reo_wnd_mult * RACK.min_RTT / 4, SRTT)
        return Math.min(reoWndMult * minRttNanos / 4, srttNanos > 0 ? srttNanos : Long.MAX_VALUE);
    }

    /**
     * RFC 8985 §6.2 step 5 RACK_detect_loss(): marks lost every undelivered segment sent before
     * RACK.xmit_ts by more than RACK.rtt + reo_wnd.
     *
     * @return the time until the earliest undelivered segment would be lost (the reordering
     *     timer, §6.2 step 5), or 0 when none waits
     */
    long detectLoss(long now, SentSegments sent, long reoWnd) {
        if (!haveDelivered) {
            return 0;
        }
        long timeout = 0;
        for (int i = 0; i < sent.size(); i++) {
            if (sent.has(i, SentSegments.DELIVERED) || sent.has(i, SentSegments.LOST)) {
                continue;
            }
            long x = sent.xmitNanos(i);
            if (!sentAfter(xmitTs, endSeq, x, sent.end(i))) {
                if (!sent.has(i, SentSegments.RETRANSMITTED)) {
                    break; // every later entry went out later still (RFC 8985 §6.2 step 5 walks in time order)
                }
                continue; // RFC 8985 §6.2 step 5: only segments sent before RACK.xmit_ts
            }
            long remaining = x + rttNanos + reoWnd - now; // RFC 8985 §6.2 step 5
            if (remaining <= 0) {
                sent.set(i, SentSegments.LOST); // RFC 8985 §6.2 step 5: Segment.lost = TRUE
                lostMarked++;
            } else {
                timeout = Math.max(timeout, remaining);
            }
        }
        return timeout;
    }

    /** RACK.reord. */
    boolean reorderingSeen() {
        return reord;
    }

    /** RACK.reo_wnd_mult. */
    int reoWndMult() {
        return reoWndMult;
    }

    /** RACK.min_RTT, or Long.MAX_VALUE before the first sample. */
    long minRttNanos() {
        return minRttNanos;
    }

    /** RACK.rtt. */
    long rttNanos() {
        return rttNanos;
    }

    /** Segments RACK marked lost. */
    long lostMarked() {
        return lostMarked;
    }
}
