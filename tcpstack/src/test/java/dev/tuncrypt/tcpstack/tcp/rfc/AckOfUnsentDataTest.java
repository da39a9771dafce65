package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.PSH;

import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 5961 §5.2 (and RFC 9293 §3.10.7.4 fifth step, ESTABLISHED): an ACK is acceptable only if
 * SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT. A segment acknowledging data never sent, or data
 * too far in the past, is discarded (its text too) and answered with an ACK.
 */
class AckOfUnsentDataTest extends TcpRfcTest {

    @Test
    void ackOfDataNeverSentGetsAChallengeAckAndTheSegmentIsDropped() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.appSend(100);
        long sndNxt = Peer.add(p.stackIss, 101);
        long challengesBefore = p.conn.stats().challengeAcks();
        Seg bogus = p.seg().ack(sndNxt + 5000).flags(ACK | PSH).payload(50, 3);
        TcpHeader ack = p.one(p.send(bogus), "RFC 5961 §5.2: SEG.ACK > SND.NXT → challenge ACK");
        p.check(ack, "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (the 50 bytes are not acknowledged)").flags(ACK).seq(sndNxt)
                .ack(p.sndNxt).len(0);
        byte[] got = p.appRead();
        expect(got == null || got.length == 0, p, "RFC 5961 §5.2: the segment is discarded, text included; "
                + (got == null ? 0 : got.length) + " bytes were delivered");
        expect(p.conn.stats().challengeAcks() > challengesBefore, p, "counted as a challenge ACK");
        p.expectState(TcpState.ESTABLISHED, "the connection survives");
        List<TcpHeader> out = p.ack(); // the real ACK of the 100 bytes is still fine
        expect(p.conn.stats().bytesAcked() >= 100, p, out, "SND.UNA moves on the genuine ACK");
    }

    @Test
    void ackTooFarInThePastIsDropped() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.appSend(100);
        p.ack();
        long maxSndWnd = p.conn.stats().sendWindow();
        Seg ancient = p.seg().ack(Peer.add(p.stackIss, 101) - maxSndWnd - 10_000).flags(ACK | PSH).payload(50, 4);
        TcpHeader ack = p.one(p.send(ancient), "RFC 5961 §5.2: SEG.ACK < SND.UNA - MAX.SND.WND → ACK and drop");
        p.check(ack, "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>").flags(ACK).seq(p.stackIss + 101).ack(p.sndNxt);
        byte[] got = p.appRead();
        expect(got == null || got.length == 0, p, "the segment's text is discarded");
    }

    @Test
    void oldButAcceptableAckStillDeliversItsData() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.appSend(100);
        p.ack();
        Seg old = p.seg().ack(p.stackIss + 1).flags(ACK | PSH).payload(50, 5); // SND.UNA - 100: within MAX.SND.WND
        p.sndNxt = Peer.add(p.sndNxt, 50);
        List<TcpHeader> out = p.send(old);
        expect(out.stream().anyMatch(s -> s.acknowledgmentNumber() == p.sndNxt), p, out,
                "RFC 5961 §5.2: SND.UNA - MAX.SND.WND =< SEG.ACK: the text is processed and acknowledged");
    }
}
