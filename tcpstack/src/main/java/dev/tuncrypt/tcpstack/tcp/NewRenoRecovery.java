package dev.tuncrypt.tcpstack.tcp;

/**
 * Fast retransmit and NewReno fast recovery for connections without SACK (RFC 5681 §3.2,
 * RFC 6582): counts duplicate ACKs, keeps "recover", tells partial from full ACKs and drives a
 * {@link CongestionControl} through the window changes.
 *
 * <p>The caller classifies each ACK: a duplicate ACK per RFC 5681 §2 (no data, no SYN/FIN,
 * window unchanged, outstanding data, SEG.ACK == SND.UNA) goes to {@link #onDupAck}; an ACK that
 * advances SND.UNA goes to {@link #onNewAck}; a timeout goes to {@link #onRetransmitTimeout}.
 * The returned {@link RecoveryAction} says what to retransmit. On a connection that uses this
 * class, it is the only caller of the controller's ACK and timeout callbacks: the caller must not
 * also call {@link CongestionControl#onAck} or {@link CongestionControl#onRetransmitTimeout}.
 *
 * <p>{@code recover} is kept one past the RFC's value, as FreeBSD's {@code snd_recover}: it is
 * SND.MAX when recovery (or a timeout) began, and ISS initially, so that a loss of the very first
 * data segment can still be repaired by fast retransmit.
 */
public final class NewRenoRecovery {
    /** Duplicate ACKs that trigger fast retransmit (RFC 5681 §3.2). */
    public static final int DUP_THRESH = 3;

    private final CongestionControl cc;

    private int recover;
    private boolean inRecovery;
    private boolean partialAckSeen;
    private int dupAcks;

    private long fastRetransmits;
    private long partialAcks;
    private long suppressedFastRetransmits;

    /** Recovery state for a connection whose initial send sequence number is {@code iss}. */
    public NewRenoRecovery(CongestionControl cc, int iss) {
        this.cc = cc;
        reset(iss);
    }

    /** Back to the state of a new connection (RFC 6582 §3.2 step 1: recover = ISS). */
    public void reset(int iss) {
        recover = iss; // RFC 6582 §3.2 step 1
        inRecovery = false;
        partialAckSeen = false;
        dupAcks = 0;
    }

    /**
     * A duplicate ACK (RFC 5681 §2 definition).
     *
     * @param ack SEG.ACK (equal to SND.UNA)
     * @param sndMax the highest sequence number sent plus one (SND.NXT, or SND.MAX after a
     *     go-back-N rewind)
     * @param inFlight FlightSize
     */
    public RecoveryAction onDupAck(long nowNanos, int ack, int sndMax, int inFlight) {
        dupAcks++;
        if (inRecovery) {
            cc.onDupAcks(1); // RFC 5681 §3.2 step 4: inflate by one SMSS
            return RecoveryAction.NONE;
        }
        if (dupAcks < DUP_THRESH) {
            return RecoveryAction.LIMITED_TRANSMIT; // RFC 5681 §3.2 step 1, RFC 3042
        }
        if (dupAcks > DUP_THRESH) {
            return RecoveryAction.NONE;
        }
        if (!SeqNum.gt(ack, recover)) {
            // RFC 6582 §3.2 step 2: the ACK does not cover more than recover, so this loss
            // belongs to a window already repaired: no fast retransmit, ssthresh unchanged.
            suppressedFastRetransmits++;
            return RecoveryAction.NONE;
        }
        recover = sndMax; // RFC 6582 §3.2 step 2: recover = highest sequence number sent
        inRecovery = true;
        partialAckSeen = false;
        cc.onEnterRecovery(nowNanos, inFlight); // RFC 5681 §3.2 step 2: ssthresh, cwnd = ssthresh
        cc.onDupAcks(DUP_THRESH); // RFC 5681 §3.2 step 3: cwnd = ssthresh + 3*SMSS
        fastRetransmits++;
        return RecoveryAction.FAST_RETRANSMIT;
    }

    /**
     * An ACK that advanced SND.UNA. Outside recovery it is passed on to
     * {@link CongestionControl#onAck}; in recovery it is a partial or a full ACK.
     *
     * @param ack SEG.ACK, the new SND.UNA
     * @param bytesAcked bytes newly acknowledged
     * @param srttNanos the smoothed RTT, or {@link CongestionControl#NO_RTT}
     * @param inFlight FlightSize before this ACK was applied
     */
    public RecoveryAction onNewAck(long nowNanos, int ack, int bytesAcked, long srttNanos, int inFlight) {
        dupAcks = 0; // a cumulative ACK resets DupAcks (as RFC 6675 §5 says for SACK)
        if (!inRecovery) {
            if (SeqNum.gt(ack, recover + 1)) {
                // RFC 6582 §3.2 step 2 asks whether an ACK covers more than recover; once SND.UNA
                // passed it, the answer stays yes, and recover follows one below SND.UNA so that it
                // stays comparable: left behind 2^31 octets, it would compare as ahead (RFC 9293
                // §3.4, modulo 2^32) and suppress every fast retransmit.
                recover = ack - 1;
            }
            cc.onAck(nowNanos, bytesAcked, srttNanos, inFlight);
            return RecoveryAction.NONE;
        }
        if (SeqNum.ge(ack, recover)) {
            // RFC 6582 §3.2 step 3, full acknowledgment: everything up to recover is ACKed
            inRecovery = false;
            cc.onExitRecovery(nowNanos, inFlight - bytesAcked);
            return RecoveryAction.RECOVERY_EXIT;
        }
        // RFC 6582 §3.2 step 3, partial acknowledgment: retransmit the first unacknowledged
        // segment, deflate cwnd, stay in fast recovery; restart the timer on the first one.
        cc.onPartialAck(bytesAcked);
        partialAcks++;
        if (partialAckSeen) {
            return RecoveryAction.PARTIAL_ACK;
        }
        partialAckSeen = true;
        return RecoveryAction.PARTIAL_ACK_RESTART_TIMER;
    }

    /**
     * The retransmission timer expired: recover = the highest sequence number sent, recovery
     * ends (RFC 6582 §3.2 step 4) and the controller takes the timeout (RFC 5681 §3.1).
     *
     * @param sndMax the highest sequence number sent plus one
     * @param inFlight FlightSize when the timer expired
     */
    public void onRetransmitTimeout(long nowNanos, int sndMax, int inFlight) {
        recover = sndMax; // RFC 6582 §3.2 step 4
        inRecovery = false;
        dupAcks = 0;
        cc.onRetransmitTimeout(nowNanos, inFlight);
    }

    /** Whether fast recovery is in progress. */
    public boolean inRecovery() {
        return inRecovery;
    }

    /** "recover" plus one: SND.MAX when the current or last recovery or timeout began. */
    public int recover() {
        return recover;
    }

    /** Consecutive duplicate ACKs seen. */
    public int dupAcks() {
        return dupAcks;
    }

    /** Fast retransmits done. */
    public long fastRetransmits() {
        return fastRetransmits;
    }

    /** Partial ACKs seen during recovery. */
    public long partialAcks() {
        return partialAcks;
    }

    /** Third duplicate ACKs that did not start a recovery because they did not pass recover. */
    public long suppressedFastRetransmits() {
        return suppressedFastRetransmits;
    }
}
