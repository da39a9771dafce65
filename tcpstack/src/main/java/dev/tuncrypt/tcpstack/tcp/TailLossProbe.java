package dev.tuncrypt.tcpstack.tcp;

/**
 * Tail Loss Probe (RFC 8985 §7): when the ACKs stop while data is in flight, probe after about
 * two round trips instead of waiting for the retransmission timeout, so that a loss at the tail
 * is repaired by RACK or fast recovery. One probe per episode; time is passed in.
 */
final class TailLossProbe {
    /** RFC 8985 §7.2: WCDelAckT, the worst-case delayed-ACK time added with one segment in flight. */
    static final long WC_DEL_ACK_T = 200_000_000L;
    /** RFC 8985 §7.2: the PTO without an RTT sample. */
    static final long NO_SRTT_PTO = 1_000_000_000L;

    private boolean episode;
    private int endSeq;
    private boolean isRetrans;
    private long probes;
    private long repairs;

    /**
     * RFC 8985 §7.2 TLP_calc_PTO(): 2 * SRTT, plus WCDelAckT with one segment in flight (else 2 ms), and no
     * later than the retransmission timer.
     */
    static long pto(long srttNanos, boolean hasSrtt, boolean oneSegmentInFlight, long rtoRemainingNanos) {
        long pto;
        if (hasSrtt) {
            pto = 2 * srttNanos; // RFC 8985 §7.2: PTO = 2 * SRTT
            if (oneSegmentInFlight) {
                pto += WC_DEL_ACK_T; // RFC 8985 §7.2: FlightSize is one segment
            } else {
                pto += 2_000_000L; // RFC 8985 §7.2: else PTO += 2 ms
            }
        } else {
            pto = NO_SRTT_PTO; // RFC 8985 §7.2: no SRTT yet
        }
        return Math.min(pto, rtoRemainingNanos); // RFC 8985 §7.2: PTO = min(PTO, RTO)
    }

    /** RFC 8985 §7.2: a probe may be scheduled only when no probe is outstanding. */
    boolean mayArm() {
        return !episode;
    }

    /** RFC 8985 §7.3: a probe [.., endSeq) went out; retransmission or new data. */
    void onProbeSent(int probeEndSeq, boolean retransmission) {
        episode = true;
        endSeq = probeEndSeq; // RFC 8985 §7.3: TLP.end_seq = SND.NXT
        isRetrans = retransmission; // RFC 8985 §7.3: TLP.is_retrans
        probes++;
    }

    /**
     * RFC 8985 §7.4.2 TLP_process_ack(): decides whether the probe repaired a loss.
     *
     * @param ack SEG.ACK
     * @param dsackCoversProbe the ACK's D-SACK block covers the probe's end
     * @param dupAckWithoutSack the ACK is a duplicate that brings no SACK information
     * @return whether the probe repaired a real loss, so the congestion control must react
     */
    boolean onAck(int ack, boolean dsackCoversProbe, boolean dupAckWithoutSack) {
        if (!episode || SeqNum.lt(ack, endSeq)) {
            return false;
        }
        if (!isRetrans) {
            episode = false; // RFC 8985 §7.4.2: a probe of new data ends its episode when ACKed
            return false;
        }
        if (dsackCoversProbe) {
            episode = false; // RFC 8985 §7.4.2: the probe was a duplicate: nothing was lost
            return false;
        }
        if (SeqNum.gt(ack, endSeq)) {
            episode = false; // RFC 8985 §7.4.2: ACK beyond the probe without D-SACK: it repaired a loss
            repairs++;
            return true;
        }
        if (dupAckWithoutSack) {
            episode = false; // RFC 8985 §7.4.2: a plain duplicate ACK: the receiver has both copies
        }
        return false;
    }

    /** RFC 8985 §7.4 / §6.3: a timeout or a recovery ends the episode. */
    void cancel() {
        episode = false;
    }

    boolean inEpisode() {
        return episode;
    }

    long probes() {
        return probes;
    }

    long repairs() {
        return repairs;
    }
}
