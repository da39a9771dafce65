package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.PSH;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;

import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9293 §3.5.1, half-open connections and other anomalies: figure 10 (the side that crashed
 * reopens; the survivor's ACK is reset, the survivor dies on the reset), figure 11 (a segment for
 * a connection that does not exist is answered with a reset, §3.10.7.1), and a reset in SYN-SENT
 * that acknowledges our SYN: "connection refused" (§3.10.7.3).
 */
class HalfOpenDiscoveryTest extends TcpRfcTest {

    /** Figure 10 with the stack as TCP A, which crashed and opens again. */
    @Test
    void figure10_staleAckInSynSentIsResetAndTheSynIsRetried() {
        Peer p = Peer.connect(h, CFG); // line 3: SYN-SENT --> <SEQ=400><CTL=SYN>
        long staleAck = Peer.add(p.stackIss, -300_000);
        // line 4: <-- <SEQ=300><ACK=100><CTL=ACK> from B, still ESTABLISHED in the old incarnation
        TcpHeader rst = p.one(p.send(p.raw().seq(p.peerIss).ack(staleAck).flags(ACK)),
                "RFC 9293 figure 10 line 5: SYN-SENT --> <SEQ=100><CTL=RST>");
        p.check(rst, "RFC 9293 §3.10.7.3: unacceptable ACK in SYN-SENT → <SEQ=SEG.ACK><CTL=RST>").flags(RST).seq(staleAck);
        p.expectState(TcpState.SYN_SENT, "figure 10 line 6: A stays in SYN-SENT");
        Peer.Timed again = p.awaitOutput(5 * SECOND); // line 7: SYN-SENT --> <SEQ=400><CTL=SYN>
        TcpHeader syn = p.one(again.segments(), "figure 10 line 7: the SYN is sent again");
        p.check(syn, "figure 10 line 7").flags(SYN).seq(p.stackIss);
    }

    /** Figure 10 with the stack as TCP B, the survivor. */
    @Test
    void figure10_survivorAcksTheNewSynAndDiesOnTheReset() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.data(100);
        long rcvNxt = p.sndNxt;
        // line 3: the crashed peer opens anew with another ISN (not in the window here)
        Seg syn = p.raw().seq(Peer.add(p.peerIss, 0x4000_0000L)).flags(SYN);
        PeerOptions.ALL.addTo(syn, p.tsVal(), 0);
        TcpHeader ack = p.one(p.send(syn), "figure 10 line 4: <-- <SEQ=300><ACK=100><CTL=ACK>");
        p.check(ack, "figure 10 line 4: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>").flags(ACK).seq(p.stackIss + 1).ack(rcvNxt);
        // line 5: the peer answers with <SEQ=100><CTL=RST>, SEQ taken from the ACK field
        List<TcpHeader> out = p.send(p.raw().seq(ack.acknowledgmentNumber()).flags(RST));
        p.none(out, "a reset is never answered");
        expect(p.conn.state() == TcpState.CLOSED && !p.tcbExists(), p, out,
                "figure 10 line 6: B aborts on the reset (SEQ = RCV.NXT)");
        expect(p.events.reason == TcpError.RESET, p, "the application hears 'connection reset'; got " + p.events);
    }

    /** Figure 11: data for a connection that does not exist. */
    @Test
    void figure11_dataForNoConnectionIsReset() {
        Peer p = Peer.listen(h, CFG, 16); // a listener on another port must not matter
        p.stackPort = 8080;
        long segAck = 0x1234_5678L;
        TcpHeader rst = p.one(p.send(p.raw().seq(300).ack(segAck).flags(ACK | PSH).payload(10, 1)),
                "RFC 9293 figure 11 line 4: <-- <SEQ=???><CTL=RST>");
        p.check(rst, "RFC 9293 §3.10.7.1: ACK on → <SEQ=SEG.ACK><CTL=RST>").flags(RST).seq(segAck);
    }

    /** RFC 9293 §3.10.7.2: an ACK for a listening port that matches no connection is reset as well. */
    @Test
    void figure11_ackToAListenerWithoutConnectionIsReset() {
        Peer p = Peer.listen(h, CFG, 16);
        long segAck = 0x0BAD_0ACCL;
        TcpHeader rst = p.one(p.send(p.raw().seq(300).ack(segAck).flags(ACK).payload(10, 1)),
                "RFC 9293 §3.10.7.2: 'Any acknowledgment is bad if it arrives on a connection still in LISTEN'");
        p.check(rst, "<SEQ=SEG.ACK><CTL=RST>").flags(RST).seq(segAck);
        expect(p.acceptor.accepted == 0, p, "no connection");
    }

    /** Figure 11 after our own ABORT: the TCB is gone, the peer's next segment is reset. */
    @Test
    void figure11_segmentAfterAbortIsReset() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.conn.abort();
        TcpHeader rst = p.one(p.poll(), "RFC 9293 §3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>");
        p.check(rst, "ABORT").flags(RST).seq(p.stackIss + 1);
        expect(!p.tcbExists(), p, "the TCB is deleted");
        long ack = Peer.add(p.stackIss, 1);
        TcpHeader rst2 = p.one(p.data(10), "RFC 9293 §3.10.7.1: data for the deleted connection");
        p.check(rst2, "<SEQ=SEG.ACK><CTL=RST>").flags(RST).seq(ack);
    }

    /**
     * RFC 9293 §3.10.7.4 fifth step, SYN-RECEIVED: "If the segment acknowledgment is not
     * acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST> and send it" (an ACK from an old
     * incarnation reaching a half-open connection; Linux resets it too).
     */
    @Test
    void unacceptableAckInSynReceivedIsReset() {
        Peer p = Peer.listen(h, CFG, 16);
        p.one(p.syn(PeerOptions.ALL), "the stack's SYN-ACK");
        long bogus = Peer.add(p.stackIss, 1 + 50_000);
        TcpHeader rst = p.one(p.send(p.seg().ack(bogus)), "RFC 9293 §3.10.7.4 fifth step, SYN-RECEIVED: an ACK of "
                + "something never sent");
        p.check(rst, "<SEQ=SEG.ACK><CTL=RST>").flags(RST).seq(bogus);
        expect(p.acceptor.accepted == 0, p, "no connection is accepted");
    }

    @Test
    void resetAcknowledgingOurSynMeansConnectionRefused() {
        Peer p = Peer.connect(h, CFG);
        List<TcpHeader> out = p.send(p.raw().seq(0).ack(p.stackIss + 1).flags(RST | ACK));
        p.none(out, "a reset is never answered");
        expect(p.conn.state() == TcpState.CLOSED && !p.tcbExists(), p, out,
                "RFC 9293 §3.10.7.3: RST with an acceptable ACK in SYN-SENT → CLOSED");
        expect(p.events.reason == TcpError.REFUSED, p, "'connection refused'; got " + p.events);
    }
}
