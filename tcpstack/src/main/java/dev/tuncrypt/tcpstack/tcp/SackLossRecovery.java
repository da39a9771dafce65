package dev.tuncrypt.tcpstack.tcp;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.FIN;

/**
 * SACK-based loss recovery (RFC 6675) on a {@link SackScoreboard}: DupAcks counted from ACKs
 * with new SACK information, recovery entered on DupThresh or IsLost(HighACK + 1), NextSeg()
 * picking what to send while cwnd - pipe allows, and the scoreboard kept across a timeout
 * (§5.1). {@link RackTlpLossRecovery} runs the same machinery with RACK deciding what is lost.
 */
final class SackLossRecovery implements LossRecoveryAlgorithm {
    private final TcpSender s;
    private final TcpConnection c;
    final SackScoreboard scoreboard = new SackScoreboard();
    private int dupAcks;
    private boolean recoveringBeforeAck;

    SackLossRecovery(TcpSender s, TcpConnection c) {
        this.s = s;
        this.c = c;
        scoreboard.reset(c.iss + 1, c.smss);
    }

    @Override
    public boolean duplicateAck(InboundSegment seg, boolean rfc5681Duplicate) {
        recoveringBeforeAck = scoreboard.inRecovery();
        long[] left = c.layer.sackLeft;
        long[] right = c.layer.sackRight;
        int n = seg.options.sackBlockCount();
        for (int i = 0; i < n; i++) {
            left[i] = seg.options.sackLeft(i);
            right[i] = seg.options.sackRight(i);
        }
        int newlySacked = scoreboard.update(seg.ack, s.sndMax, left, right, n);
        // RFC 6675 §2: with SACK, a DupAck is an ACK at SND.UNA carrying new SACK information
        // (so ACKs of duplicated segments do not trigger recovery).
        return seg.ack == s.sndUna && newlySacked > 0 && SeqNum.gt(s.sndMax, s.sndUna) && s.sndWnd > 0;
    }

    @Override
    public void onAckAdvanced(long now, int ack, int acked, int inFlightBefore) {
        dupAcks = 0;
        if (recoveringBeforeAck) {
            if (!scoreboard.inRecovery()) {
                // RFC 6675 §5: recovery ends at RecoveryPoint
                s.cc.onExitRecovery(now, SeqNum.diff(s.sndMax, s.sndUna));
            }
        } else {
            s.cc.onAck(now, acked, s.srttOr(CongestionControl.NO_RTT), inFlightBefore);
        }
    }

    @Override
    public void onDuplicateAck(long now) {
        // RFC 6675 §5 steps 1-4: count duplicates; enter loss recovery on DupThresh or IsLost(HighACK + 1).
        if (countDuplicate()) {
            if (dupAcks >= SackScoreboard.DUP_THRESH || scoreboard.isLost(s.sndUna)) {
                enterRecovery(now);
            } else {
                s.allowLimitedTransmit(); // RFC 3042 / RFC 6675 §5 step 2
            }
        }
    }

    /** Counts a duplicate ACK; whether it may start recovery (none is under way, no timeout is being repaired). */
    boolean countDuplicate() {
        dupAcks++;
        return !repairing(); // in recovery the transmission loop in output() uses the new SACK information
    }

    /** Whether a recovery or the repair after a timeout is under way. */
    @Override
    public boolean repairing() {
        return scoreboard.inRecovery() || scoreboard.afterTimeout();
    }

    /** Whether recovery was under way when the current ACK came, and ended with it. */
    boolean recoveryEndedByAck() {
        return recoveringBeforeAck && !scoreboard.inRecovery();
    }

    /** RFC 6675 §5 step 4: loss recovery starts. */
    void enterRecovery(long now) {
        int inFlight = SeqNum.diff(s.sndMax, s.sndUna);
        s.cc.onEnterRecovery(now, inFlight); // (4.2) ssthresh = cwnd = f(FlightSize)
        scoreboard.enterRecovery(); // (4.1) RecoveryPoint = HighData
        s.stats().fastRetransmits++;
        // (4.3) retransmit the first segment deemed lost, whatever pipe says
        SackScoreboard.NextSeg rule = scoreboard.nextSeg(0);
        if (rule != SackScoreboard.NextSeg.NONE && rule != SackScoreboard.NextSeg.NEW_DATA) {
            sendRecoverySegment(rule, now);
        }
    }

    @Override
    public void afterAck(long now) {}

    @Override
    public void onRetransmitTimeout(long now) {
        timeoutMarks(now);
        timeoutResend(now);
    }

    /** RFC 6675 §5.1: the congestion control takes the timeout; the scoreboard is kept. */
    void timeoutMarks(long now) {
        s.cc.onRetransmitTimeout(now, SeqNum.diff(s.sndMax, s.sndUna));
        scoreboard.onRetransmitTimeout();
        dupAcks = 0;
    }

    /** RFC 6675 §5.1: resend the first hole now, the rest by NextSeg. */
    void timeoutResend(long now) {
        s.rto.stop();
        SackScoreboard.NextSeg rule = scoreboard.nextSeg(0);
        if (rule != SackScoreboard.NextSeg.NONE && rule != SackScoreboard.NextSeg.NEW_DATA) {
            sendRecoverySegment(rule, now);
        } else if (s.finSent && s.sendBuffer.bytesFrom(s.sndUna) == 0) {
            c.layer.writer.data(c, s.sndUna, 0, ACK | FIN, now); // only the FIN is outstanding
            s.stats().retransmits++;
        }
        s.rto.arm(now);
    }

    /**
     * RFC 6675 §5 (C): while cwnd - pipe >= 1 SMSS, send what NextSeg() picks. Also runs after a
     * timeout (§5.1) so that SACKed data is not sent again.
     */
    @Override
    public boolean sendRepairs(long now) {
        if (!repairing()) {
            return false;
        }
        long before = s.stats().segmentsOut;
        while (s.cc.cwnd() - scoreboard.pipe() >= c.smss) {
            long room = (long) SeqNum.diff(s.sndUna, s.sndMax) + s.sndWnd;
            int sendableNew = (int) Math.max(0, Math.min(s.sendBuffer.bytesFrom(s.sndMax), room));
            if (c.stream != null && sendableNew > 0) {
                int frame = c.stream.frameRemainder(s.sndMax);
                if (frame != Integer.MAX_VALUE && frame > 0) {
                    sendableNew = sendableNew >= frame ? frame : 0; // a whole frame or nothing
                }
            }
            SackScoreboard.NextSeg rule = scoreboard.nextSeg(sendableNew);
            if (rule == SackScoreboard.NextSeg.NONE) {
                break;
            }
            if (!sendRecoverySegment(rule, now)) {
                break; // the peer's window has no room: the persist or retransmission timer goes on
            }
        }
        return s.stats().segmentsOut != before;
    }

    /** @return whether a segment went out */
    private boolean sendRecoverySegment(SackScoreboard.NextSeg rule, long now) {
        int seq = scoreboard.nextSegSeq();
        int len = scoreboard.nextSegLength();
        if (rule == SackScoreboard.NextSeg.NEW_DATA) {
            s.sendNewData(len, now);
        } else {
            len = s.windowed(seq, s.alignedLength(seq, len));
            if (len == 0) {
                return false;
            }
            int data = Math.min(len, s.sendBuffer.bytesFrom(seq));
            boolean fin = s.finSent && seq + data == s.sendBuffer.end() && len > data;
            s.resend(seq, data, fin, now);
            if (rule == SackScoreboard.NextSeg.RESCUE) {
                scoreboard.onRescueRetransmitted();
            } else {
                scoreboard.onRetransmitted(seq, Math.max(len, 1));
            }
        }
        s.rto.arm(now);
        return true;
    }

    @Override
    public void afterOutput(long now) {}

    @Override
    public void onSent(int seq, int len, int segment, int sndMax, long now) {
        scoreboard.onNewData(sndMax); // RFC 6675 §5 (C.3): HighData
    }

    @Override
    public long deadline() {
        return Long.MAX_VALUE;
    }

    @Override
    public void onTimer(long now) {}

    @Override
    public void segmentSizeChanged(long now) {
        scoreboard.reset(s.sndUna, c.smss); // ranges were in the old segment size's terms
        scoreboard.onNewData(s.sndMax);
    }
}
