package dev.tuncrypt.tcpstack.tcp;

/**
 * RACK-TLP loss recovery (RFC 8985) on the RFC 6675 machinery of a {@link SackLossRecovery}:
 * {@link RackTlp} marks segments lost by time (no DupThresh), its reordering timer and probe
 * timeout run beside the retransmission timer, a silent tail gets a probe (§7.3), and D-SACKs
 * undo a spurious recovery (RFC 3708).
 */
final class RackTlpLossRecovery implements LossRecoveryAlgorithm {
    private final TcpSender s;
    private final SackLossRecovery sack;
    private final RackTlp rackTlp;

    RackTlpLossRecovery(TcpSender s, TcpConnection c) {
        this.s = s;
        this.sack = new SackLossRecovery(s, c);
        this.rackTlp = new RackTlp(sack.scoreboard, c.smss);
    }

    @Override
    public boolean duplicateAck(InboundSegment seg, boolean rfc5681Duplicate) {
        return sack.duplicateAck(seg, rfc5681Duplicate);
    }

    @Override
    public void onAckAdvanced(long now, int ack, int acked, int inFlightBefore) {
        sack.onAckAdvanced(now, ack, acked, inFlightBefore);
    }

    @Override
    public void onDuplicateAck(long now) {
        if (sack.countDuplicate()) {
            if (sack.scoreboard.isLost(s.sndUna)) { // RACK, not DupThresh, says what is lost
                enterRecovery(now);
            } else {
                s.allowLimitedTransmit(); // RFC 3042 / RFC 6675 §5 step 2
            }
        }
    }

    private void enterRecovery(long now) {
        rackTlp.onEnterRecovery(s.cc, s.sndUna); // the window to restore if D-SACKs prove it spurious
        sack.enterRecovery(now);
    }

    /** RFC 8985 §6.2 steps 1-5 and §7.4 after the ACK; RACK's losses start recovery (RFC 8985 §6.2 step 5). */
    @Override
    public void afterAck(long now) {
        boolean ended = sack.recoveryEndedByAck();
        long srtt = s.srttOr(0);
        if (rackTlp.onAck(now, s.sndUna, s.sndNxt, ended, srtt, s.cc) && !sack.repairing()) {
            enterRecovery(now);
        }
        rackTlp.schedulePto(now, srtt, s.rtt.hasSample(), SeqNum.diff(s.sndMax, s.sndUna), s.rto.at);
    }

    @Override
    public void onRetransmitTimeout(long now) {
        sack.timeoutMarks(now);
        rackTlp.onRetransmitTimeout(); // RFC 8985 §6.3
        sack.timeoutResend(now);
    }

    @Override
    public boolean sendRepairs(long now) {
        return sack.sendRepairs(now);
    }

    @Override
    public void afterOutput(long now) {
        // RFC 8985 §7.2: after new data goes out
        rackTlp.schedulePto(now, s.srttOr(0), s.rtt.hasSample(), SeqNum.diff(s.sndMax, s.sndUna), s.rto.at);
    }

    @Override
    public void onSent(int seq, int len, int segment, int sndMax, long now) {
        if (len > 0) {
            rackTlp.onSent(seq, len, segment, now); // RFC 8985 §6.1: per-segment send times
        }
        sack.onSent(seq, len, segment, sndMax, now);
    }

    @Override
    public long deadline() {
        return rackTlp.deadline(); // RFC 8985 §8: reordering timer, probe timeout
    }

    /** RACK's reordering timer or TLP's probe timeout (RFC 8985 §8). */
    @Override
    public void onTimer(long now) {
        switch (rackTlp.onTimer(now, s.srttOr(0))) {
            case LOSS_DETECTED -> {
                if (!sack.repairing()) {
                    enterRecovery(now); // RFC 8985 §6.2 step 5: the reordering timer found losses
                }
                s.output(now);
            }
            case PROBE -> sendTailLossProbe(now);
            case NONE -> { }
        }
    }

    /**
     * RFC 8985 §7.3: new data if the windows let one segment go (it may exceed cwnd by one
     * segment), else the newest segment again; then the retransmission timer is re-armed.
     */
    private void sendTailLossProbe(long now) {
        if (SeqNum.ge(s.sndUna, s.sndMax)) {
            return;
        }
        if (s.sendProbeOfNewData(now)) {
            rackTlp.onProbeSent(s.sndMax, false);
        } else {
            int seq = SeqNum.max(s.sndUna, rackTlp.lastSegmentStart(s.sndMax));
            if (!s.retransmit(seq, SeqNum.diff(s.sndMax, seq), now)) { // RFC 8985 §7.3: the last segment again
                return;
            }
            rackTlp.onProbeSent(s.sndMax, true);
        }
        s.stats().tailLossProbes++;
        s.rto.restart(now); // RFC 8985 §7.3: arm the RTO after the probe
    }

    @Override
    public void segmentSizeChanged(long now) {
        sack.segmentSizeChanged(now);
    }

    @Override
    public boolean repairing() {
        return sack.repairing();
    }

    @Override
    public long oldestSentNanos() {
        return rackTlp.sent.size() > 0 ? rackTlp.sent.xmitNanos(0) : Long.MAX_VALUE; // RFC 8985 §6.1's record
    }
}
