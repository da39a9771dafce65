package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;

import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * RFC 9293 §3.5, figure 9: recovery from an old duplicate SYN, from both ends; RFC 9293
 * §3.10.7.4 (fourth step) and RFC 5961 §4.2: a SYN on a synchronized connection is answered
 * with a challenge ACK and the connection survives; a SYN in a passively opened SYN-RECEIVED
 * returns the TCB to LISTEN.
 */
class OldDuplicateSynTest extends TcpRfcTest {

    /** The stack is TCP A (SYN-SENT); an old duplicate of some earlier SYN reached B. */
    @Nested
    class ActiveSide {
        @Test
        void synAckForAnOldSynIsResetAndTheHandshakeContinues() {
            Peer p = Peer.connect(h, CFG); // line 2: <SEQ=100><CTL=SYN>
            long oldAck = Peer.add(p.stackIss, -9); // line 4: <SEQ=300><ACK=91><CTL=SYN,ACK>
            Seg stale = p.raw().seq(p.peerIss).ack(oldAck).flags(SYN | ACK);
            PeerOptions.ALL.addTo(stale, p.tsVal(), 0);
            TcpHeader rst = p.one(p.send(stale), "RFC 9293 figure 9 line 5: SYN-SENT --> <SEQ=91><CTL=RST>");
            p.check(rst, "RFC 9293 §3.10.7.3: SEG.ACK =< ISS: <SEQ=SEG.ACK><CTL=RST>").flags(RST).seq(oldAck);
            p.expectState(TcpState.SYN_SENT, "figure 9 line 5: A stays in SYN-SENT");
            expect(!p.events.closed, p, "the connection attempt must not fail");
            p.peerIss = Peer.add(Peer.PEER_ISS, 100); // line 7: <SEQ=400><ACK=101><CTL=SYN,ACK>
            TcpHeader ack = p.one(p.synAck(PeerOptions.ALL), "figure 9 line 8: <SEQ=101><ACK=401><CTL=ACK>");
            p.check(ack, "figure 9 line 8").flags(ACK).seq(p.stackIss + 1).ack(p.peerIss + 1);
            p.expectState(TcpState.ESTABLISHED, "figure 9 line 8");
        }
    }

    /** The stack is TCP B (LISTEN). */
    @Nested
    class PassiveSide {
        @Test
        void oldDuplicateSynIsResetByThePeerAndTheListenerStaysOpen() {
            Peer p = Peer.listen(h, CFG, 16);
            long oldIss = Peer.add(Peer.PEER_ISS, -10);
            p.peerIss = oldIss; // line 3: ... <SEQ=90><CTL=SYN> --> SYN-RECEIVED
            TcpHeader synAck = p.one(p.syn(PeerOptions.ALL), "figure 9 line 4: <SEQ=300><ACK=91><CTL=SYN,ACK>");
            p.check(synAck, "figure 9 line 4").flags(SYN | ACK).ack(oldIss + 1);
            // line 5: A resets it: <SEQ=91><CTL=RST>
            List<TcpHeader> out = p.send(p.raw().seq(oldIss + 1).flags(RST));
            p.none(out, "figure 9 line 5: a reset is never answered");
            expect(!p.tcbExists() && p.listener.halfOpen() == 0, p,
                    "RFC 9293 §3.10.7.4 second step, SYN-RECEIVED from LISTEN: the TCB returns to LISTEN (no "
                            + "half-open connection left); halfOpen=" + p.listener.halfOpen());
            p.peerIss = Peer.PEER_ISS; // line 6: <SEQ=100><CTL=SYN> --> SYN-RECEIVED
            TcpHeader synAck2 = p.one(p.syn(PeerOptions.ALL), "figure 9 line 7: <SEQ=400><ACK=101><CTL=SYN,ACK>");
            p.check(synAck2, "figure 9 line 7").flags(SYN | ACK).ack(Peer.PEER_ISS + 1);
            p.completePassive(); // line 8
            expect(p.acceptor.accepted == 1, p, "exactly one connection was accepted");
        }

        @Test
        void oldSynOutsideTheWindowInSynReceivedIsAckedAndDropped() {
            Peer p = Peer.listen(h, CFG, 16);
            p.one(p.syn(PeerOptions.ALL), "the stack's SYN-ACK");
            Seg old = p.raw().seq(p.peerIss - 100_000).flags(SYN);
            PeerOptions.ALL.addTo(old, p.tsVal(), 0);
            TcpHeader ack = p.one(p.send(old), "RFC 9293 §3.10.7.4 first step: an unacceptable segment gets "
                    + "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>");
            p.check(ack, "ACK for the old SYN").flags(ACK).seq(p.stackIss + 1).ack(p.peerIss + 1);
            // before the handshake completes no connection was handed out: look for the TCB itself
            org.junit.jupiter.api.Assertions.assertTrue(p.tcbExists(), "the half-open connection survives");
            p.completePassive();
        }

        /**
         * The client's SYN is retransmitted (our SYN-ACK was lost or slow). RFC 9293 §3.10.7.4
         * first step: the duplicate SYN (SEQ = IRS, below RCV.NXT) is not acceptable and is
         * answered with an ACK (Linux retransmits the SYN-ACK instead); either way the half-open
         * connection survives and the handshake completes.
         */
        @Test
        void retransmittedSynInSynReceivedIsAnsweredAndTheHandshakeCompletes() {
            Peer p = Peer.listen(h, CFG, 16);
            p.one(p.syn(PeerOptions.ALL), "the stack's SYN-ACK");
            Seg again = p.raw().seq(p.peerIss).flags(SYN);
            PeerOptions.ALL.addTo(again, p.tsVal(), 0);
            TcpHeader answer = p.one(p.send(again), "the answer to the retransmitted SYN (an ACK or the SYN-ACK again)");
            p.check(answer, "RFC 9293 §3.10.7.4 first step").has(ACK).lacks(RST).ack(p.peerIss + 1);
            p.completePassive();
        }

        /**
         * RFC 9293 §3.10.7.4, fourth step, SYN-RECEIVED: "If the connection was initiated with a
         * passive OPEN, then return this connection to the LISTEN state and return." (Linux: the
         * request is dropped and a reset sent.) The SYN here is in the window but carries
         * another ISN.
         */
        @Test
        void inWindowSynInPassiveSynReceivedReturnsToListen() {
            Peer p = Peer.listen(h, CFG, 16);
            p.one(p.syn(PeerOptions.ALL), "the stack's SYN-ACK");
            Seg other = p.raw().seq(p.peerIss + 1000).flags(SYN);
            PeerOptions.ALL.addTo(other, p.tsVal(), 0);
            List<TcpHeader> out = p.send(other);
            expect(!p.tcbExists() && p.listener.halfOpen() == 0, p, out,
                    "RFC 9293 §3.10.7.4 fourth step: a SYN in passively opened SYN-RECEIVED returns the connection "
                            + "to LISTEN; the TCB still exists (halfOpen=" + p.listener.halfOpen() + ")");
        }
    }

    /** RFC 5961 §4.2 on a synchronized connection. */
    @Nested
    class Established {
        private void synGetsChallengeAck(long seqOffsetFromRcvNxt, String what) {
            Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
            p.data(100);
            long rcvNxt = p.sndNxt;
            Seg syn = p.raw().seq(rcvNxt + seqOffsetFromRcvNxt).flags(SYN);
            PeerOptions.ALL.addTo(syn, p.tsVal(), 0);
            long challengesBefore = p.conn.stats().challengeAcks();
            TcpHeader ack = p.one(p.send(syn), what + ": RFC 5961 §4.2 challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>");
            p.check(ack, what).flags(ACK).seq(p.stackIss + 1).ack(rcvNxt);
            p.expectState(TcpState.ESTABLISHED, what + ": the connection survives");
            expect(!p.events.closed, p, "no close event");
            List<TcpHeader> out = p.data(50);
            expect(out.stream().anyMatch(s -> s.acknowledgmentNumber() == Peer.add(rcvNxt, 50)), p, out,
                    "data still flows after the SYN");
            expect(p.conn.stats().challengeAcks() >= challengesBefore, p, "challenge ACKs counted");
        }

        @Test
        void synInTheWindowGetsChallengeAck() {
            synGetsChallengeAck(1000, "SYN with SEQ = RCV.NXT + 1000");
        }

        @Test
        void synAtRcvNxtGetsChallengeAck() {
            synGetsChallengeAck(0, "SYN with SEQ = RCV.NXT");
        }

        @Test
        void oldDuplicateOfTheOriginalSynGetsAnAck() {
            synGetsChallengeAck(-101, "the original SYN again (SEQ = IRS)");
        }
    }
}
