package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.FIN;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;

import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * RFC 9293 §3.6, figure 12: normal close sequence, from both ends. The closer goes FIN-WAIT-1 →
 * FIN-WAIT-2 → TIME-WAIT and deletes the TCB after 2 MSL (§3.10.7.4 eighth step, §3.4.2); the
 * other end goes CLOSE-WAIT → LAST-ACK → CLOSED. Once the TCB is gone, segments for it get a
 * reset (§3.10.7.1). A retransmitted FIN in TIME-WAIT is acknowledged and restarts the 2 MSL
 * timer (§3.10.7.4 eighth step, TIME-WAIT).
 */
class NormalCloseTest extends TcpRfcTest {
    private static final long TWO_MSL = CFG.timeWaitNanos();

    /** The stack is TCP A, closing first. */
    @Nested
    class WeCloseFirst {
        /** Lines 1-5; returns in TIME-WAIT. */
        private Peer closeToTimeWait() {
            Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
            p.conn.shutdownOutput(); // line 2: FIN-WAIT-1 --> <SEQ=100><ACK=300><CTL=FIN,ACK>
            TcpHeader fin = p.one(p.poll(), "RFC 9293 figure 12 line 2: <SEQ=100><ACK=300><CTL=FIN,ACK>");
            p.check(fin, "figure 12 line 2").flags(FIN | ACK).seq(p.stackIss + 1).ack(p.peerIss + 1).len(0);
            p.expectState(TcpState.FIN_WAIT_1, "figure 12 line 2");
            p.none(p.ack(), "figure 12 line 3: the ACK of our FIN needs no answer"); // line 3
            p.expectState(TcpState.FIN_WAIT_2, "figure 12 line 3");
            TcpHeader ack = p.one(p.fin(), "figure 12 line 5: TIME-WAIT --> <SEQ=101><ACK=301><CTL=ACK>"); // line 4
            p.check(ack, "figure 12 line 5").flags(ACK).seq(p.stackIss + 2).ack(p.peerIss + 2);
            p.expectState(TcpState.TIME_WAIT, "figure 12 line 4-5: the closer enters TIME-WAIT");
            return p;
        }

        @Test
        void closerPassesFinWait1AndFinWait2IntoTimeWait() {
            closeToTimeWait();
        }

        @Test
        void timeWaitLastsTwoMslThenTheTcbIsDeleted() {
            Peer p = closeToTimeWait();
            p.advance(TWO_MSL - MS);
            expect(p.tcbExists(), p, "RFC 9293 §3.10.7.4: the TCB stays in TIME-WAIT for 2 MSL ("
                    + TWO_MSL / MS + " ms); gone after " + (TWO_MSL / MS - 1) + " ms");
            p.advance(MS);
            expect(!p.tcbExists() && p.conn.state() == TcpState.CLOSED, p,
                    "figure 12 line 6: after 2 MSL the TCB is deleted (state " + p.conn.state() + ")");
        }

        @Test
        void segmentAfterTwoMslGetsAReset() {
            Peer p = closeToTimeWait();
            p.advance(TWO_MSL);
            Seg again = p.seg().seq(Peer.add(p.peerIss, 1)).flags(FIN | ACK);
            TcpHeader rst = p.one(p.send(again), "RFC 9293 §3.10.7.1: a FIN for the deleted connection");
            p.check(rst, "<SEQ=SEG.ACK><CTL=RST>").flags(RST).seq(p.stackIss + 2);
        }

        @Test
        void retransmittedFinInTimeWaitIsAckedAndRestartsTheTimer() {
            Peer p = closeToTimeWait();
            p.advance(TWO_MSL / 2);
            Seg finAgain = p.seg().seq(Peer.add(p.peerIss, 1)).flags(FIN | ACK);
            TcpHeader ack = p.one(p.send(finAgain), "RFC 9293 §3.10.7.4 eighth step, TIME-WAIT: acknowledge the "
                    + "retransmitted FIN");
            p.check(ack, "ACK of the retransmitted FIN").flags(ACK).seq(p.stackIss + 2).ack(p.peerIss + 2);
            p.advance(TWO_MSL - MS);
            expect(p.tcbExists(), p, "RFC 9293 §3.10.7.4 eighth step, TIME-WAIT: \"Restart the 2 MSL time-wait "
                    + "timeout\": the TCB must live 2 MSL after the retransmitted FIN, it was deleted "
                    + (TWO_MSL / 2 / MS) + " ms after it (2 MSL after the first FIN)");
            p.advance(MS);
            expect(!p.tcbExists(), p, "2 MSL after the retransmitted FIN the TCB is deleted");
        }

        @Test
        void finFollowsQueuedData() {
            Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
            p.appSend(3000);
            p.conn.shutdownOutput();
            List<TcpHeader> out = p.poll();
            p.advance(0);
            long finSeq = Peer.add(p.stackIss, 3001);
            expect(p.log.stream().anyMatch(s -> (s.flags() & FIN) != 0
                            && Peer.add(s.sequenceNumber(), s.payload().length) == finSeq), p, out,
                    "RFC 9293 §3.10.4: the FIN goes after all queued data (FIN at S+3001)");
        }
    }

    /** The stack is TCP B: the peer closes first. */
    @Nested
    class PeerClosesFirst {
        private Peer peerFinToCloseWait() {
            Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
            TcpHeader ack = p.one(p.fin(), "RFC 9293 figure 12 line 3: CLOSE-WAIT <-- <SEQ=300><ACK=101><CTL=ACK>");
            p.check(ack, "figure 12 line 3").flags(ACK).seq(p.stackIss + 1).ack(p.peerIss + 2);
            p.expectState(TcpState.CLOSE_WAIT, "figure 12 line 2: the FIN moves B to CLOSE-WAIT");
            expect(p.events.peerClosed, p, "the application is told the peer closed");
            expect(p.appRead() == null, p, "RFC 9293 §3.10.7.4 eighth step: reads reach end of stream");
            return p;
        }

        @Test
        void closeWaitThenLastAckThenClosedWithoutTimeWait() {
            Peer p = peerFinToCloseWait();
            p.conn.shutdownOutput(); // line 4
            TcpHeader fin = p.one(p.poll(), "figure 12 line 4: LAST-ACK <-- <SEQ=300><ACK=101><CTL=FIN,ACK>");
            p.check(fin, "figure 12 line 4").flags(FIN | ACK).seq(p.stackIss + 1).ack(p.peerIss + 2);
            p.expectState(TcpState.LAST_ACK, "figure 12 line 4");
            List<TcpHeader> out = p.ack(); // line 5
            p.none(out, "figure 12 line 5: the last ACK needs no answer");
            expect(p.conn.state() == TcpState.CLOSED && !p.tcbExists(), p, out,
                    "figure 12 line 5: the ACK of our FIN in LAST-ACK deletes the TCB (no TIME-WAIT on this side)");
            expect(p.events.closed && p.events.reason == null, p, "an orderly close: " + p.events);
        }

        @Test
        void segmentAfterLastAckGetsAReset() {
            Peer p = peerFinToCloseWait();
            p.conn.shutdownOutput();
            p.poll();
            p.ack();
            TcpHeader rst = p.one(p.ack(), "RFC 9293 §3.10.7.1: an ACK for the deleted connection");
            p.check(rst, "<SEQ=SEG.ACK><CTL=RST>").flags(RST).seq(p.stackIss + 2);
        }

        @Test
        void lastAckRetransmitsTheFinUntilAcknowledged() {
            Peer p = peerFinToCloseWait();
            p.conn.shutdownOutput();
            p.poll();
            Peer.Timed again = p.awaitOutput(5 * SECOND);
            TcpHeader fin = p.one(again.segments(), "RFC 6298 §5.4 / RFC 9293 §3.8.1: the FIN is retransmitted");
            p.check(fin, "retransmitted FIN").flags(FIN | ACK).seq(p.stackIss + 1);
            p.ack();
            expect(!p.tcbExists(), p, "closed after the ACK");
        }
    }
}
