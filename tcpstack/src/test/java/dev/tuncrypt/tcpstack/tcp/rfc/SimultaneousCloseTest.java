package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.FIN;

import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9293 §3.6, figure 13: simultaneous close. Both FINs cross: FIN-WAIT-1 → CLOSING on the
 * peer's FIN (which does not acknowledge ours), CLOSING → TIME-WAIT on the ACK of our FIN, and
 * the TCB is deleted after 2 MSL.
 */
class SimultaneousCloseTest extends TcpRfcTest {

    @Test
    void finsCrossClosingThenTimeWaitThenClosed() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.conn.shutdownOutput(); // line 2: FIN-WAIT-1 --> <SEQ=100><ACK=300><CTL=FIN,ACK>
        TcpHeader fin = p.one(p.poll(), "RFC 9293 figure 13 line 2: our FIN");
        p.check(fin, "figure 13 line 2").flags(FIN | ACK).seq(p.stackIss + 1).ack(p.peerIss + 1);
        // line 2: <-- <SEQ=300><ACK=100><CTL=FIN,ACK> (does not acknowledge our FIN)
        Seg peerFin = p.seg().ack(p.stackIss + 1).flags(FIN | ACK);
        p.sndNxt = Peer.add(p.sndNxt, 1);
        TcpHeader ack = p.one(p.send(peerFin), "figure 13 line 3: CLOSING --> <SEQ=101><ACK=301><CTL=ACK>");
        p.check(ack, "figure 13 line 3").flags(ACK).seq(p.stackIss + 2).ack(p.peerIss + 2);
        p.expectState(TcpState.CLOSING, "figure 13 line 3");
        // line 3: <-- <SEQ=301><ACK=101><CTL=ACK>
        List<TcpHeader> out = p.send(p.seg().ack(p.stackIss + 2));
        p.none(out, "figure 13 line 3: the ACK of our FIN needs no answer");
        p.expectState(TcpState.TIME_WAIT, "figure 13 line 4: CLOSING → TIME-WAIT");
        p.advance(CFG.timeWaitNanos());
        expect(!p.tcbExists(), p, "figure 13 line 4: (2 MSL) CLOSED");
    }

    /** The peer's FIN,ACK acknowledges our FIN too: FIN-WAIT-1 → TIME-WAIT directly. */
    @Test
    void finAckingOurFinGoesStraightToTimeWait() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.conn.shutdownOutput();
        p.poll();
        TcpHeader ack = p.one(p.fin(), "RFC 9293 §3.10.7.4 eighth step, FIN-WAIT-1: ACK the FIN");
        p.check(ack, "ACK of the peer's FIN").flags(ACK).seq(p.stackIss + 2).ack(p.peerIss + 2);
        p.expectState(TcpState.TIME_WAIT, "FIN-WAIT-1 with our FIN acknowledged → TIME-WAIT");
    }
}
