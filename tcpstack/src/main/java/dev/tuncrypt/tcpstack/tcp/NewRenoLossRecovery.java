package dev.tuncrypt.tcpstack.tcp;

/**
 * Loss recovery without SACK: fast retransmit and NewReno fast recovery (RFC 5681 §3.2,
 * RFC 6582) as {@link NewRenoRecovery} decides them, Limited Transmit (RFC 3042), and go-back-N
 * after a timeout (RFC 5681 §3.1).
 */
final class NewRenoLossRecovery implements LossRecoveryAlgorithm {
    private final TcpSender s;
    private final NewRenoRecovery recovery;

    NewRenoLossRecovery(TcpSender s, int iss) {
        this.s = s;
        this.recovery = new NewRenoRecovery(s.cc, iss);
    }

    @Override
    public boolean duplicateAck(InboundSegment seg, boolean rfc5681Duplicate) {
        return rfc5681Duplicate;
    }

    @Override
    public void onAckAdvanced(long now, int ack, int acked, int inFlightBefore) {
        // NewRenoRecovery drives the congestion control itself (growth, partial ACKs, exit).
        RecoveryAction action = recovery.onNewAck(now, ack, acked, s.srttOr(CongestionControl.NO_RTT), inFlightBefore);
        if (action == RecoveryAction.PARTIAL_ACK || action == RecoveryAction.PARTIAL_ACK_RESTART_TIMER) {
            s.retransmitFirst(now); // RFC 6582 §3.2 step 3
        }
    }

    @Override
    public void onDuplicateAck(long now) {
        switch (recovery.onDupAck(now, s.sndUna, s.sndMax, SeqNum.diff(s.sndMax, s.sndUna))) {
            case FAST_RETRANSMIT -> {
                s.stats().fastRetransmits++;
                s.retransmitFirst(now);
            }
            case LIMITED_TRANSMIT -> s.allowLimitedTransmit();
            default -> { }
        }
    }

    @Override
    public void afterAck(long now) {}

    @Override
    public void onRetransmitTimeout(long now) {
        // RFC 6582 §3.2 step 4; tells the congestion control too
        recovery.onRetransmitTimeout(now, s.sndMax, SeqNum.diff(s.sndMax, s.sndUna));
        s.goBackN(now);
    }

    @Override
    public boolean sendRepairs(long now) {
        return false;
    }

    @Override
    public void afterOutput(long now) {}

    @Override
    public void onSent(int seq, int len, int segment, int sndMax, long now) {}

    @Override
    public long deadline() {
        return Long.MAX_VALUE;
    }

    @Override
    public void onTimer(long now) {}

    @Override
    public void segmentSizeChanged(long now) {}

    @Override
    public boolean repairing() {
        return recovery.inRecovery();
    }
}
