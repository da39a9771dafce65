package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.PSH;

import dev.tuncrypt.tcpstack.tcp.LossRecovery;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No ACK loops between two ends that both timed out spuriously.
 *
 * <p>After a retransmission timeout SND.NXT goes back to SND.UNA (RFC 6298 §5.4, go-back-N), but
 * the peer may already hold everything up to SND.MAX. A pure ACK numbered with the rewound SND.NXT
 * is then below the peer's RCV.NXT, out of window (RFC 9293 §3.10.7.4), and draws an ACK; if the
 * peer's own SND.NXT went back too, that ACK is out of window here as well, and the two ends
 * exchange ACKs as fast as the path carries them (two stacks of this project did, 1.9 million
 * segments each way without progress). Two defences, both Linux's: a pure ACK carries SND.MAX
 * ({@code tcp_acceptable_seq}), and invalid segments without data are answered at most once per
 * 500 ms ({@code tcp_oow_rate_limited}).
 */
class AckLoopTest extends TcpRfcTest {
    private static final TcpConfig RTO_ONLY = Configs.defaults().lossRecovery(LossRecovery.RFC6675).build();

    @Test
    void aPureAckAfterATimeoutCarriesSndMaxNotTheRewoundSndNxt() {
        // without SACK the timeout is a go-back-N rewind of SND.NXT (RFC 5681 §3.1); with SACK the
        // same rewind follows a zero window opening again
        Peer p = Peer.activeOpen(h, RTO_ONLY, new PeerOptions(1460, 7, false, true));
        p.conn.setNoDelay(true);
        p.appSend(3000);
        long sndMax = Peer.add(p.stackIss, 3001);
        Peer.Timed t = p.awaitOutput(5 * SECOND);
        TcpHeader rtx = p.one(t.segments(), "the retransmission after the timeout");
        p.check(rtx, "RFC 6298 §5.4: go back to the earliest unacknowledged segment").seq(p.stackIss + 1);
        // The peer's data, acknowledging nothing new: the stack ACKs it, numbered SND.MAX.
        List<TcpHeader> out = p.send(p.seg().ack(p.stackIss + 1).flags(ACK | PSH).payload(100, 7));
        p.sndNxt = Peer.add(p.sndNxt, 100);
        out = out.isEmpty() ? p.advance(CFG.delayedAckNanos()) : out;
        TcpHeader ack = out.stream().filter(s -> s.payload().length == 0).findFirst().orElse(null);
        expect(ack != null, p, out, "the 100 bytes are acknowledged");
        p.check(ack, "a pure ACK numbered SND.MAX (the peer may hold all 3000 bytes)").flags(ACK).seq(sndMax)
                .ack(p.sndNxt);
    }

    @Test
    void pureAckOutOfWindowIsAnsweredAtMostOncePer500Milliseconds() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.data(100);
        p.advance(CFG.delayedAckNanos());
        Seg stale = p.seg().seq(p.sndNxt - 5000); // below RCV.NXT: out of window
        TcpHeader first = p.one(p.send(stale), "the first out-of-window pure ACK is answered");
        p.check(first, "RFC 9293 §3.10.7.4: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>").flags(ACK).ack(p.sndNxt);
        p.none(p.send(p.seg().seq(p.sndNxt - 5000)), "a second one within 500 ms is not (the loop breaker)");
        p.none(p.advance(400 * MS).stream().filter(s -> s.payload().length == 0).toList(), "nothing meanwhile");
        p.none(p.send(p.seg().seq(p.sndNxt - 5000)), "still within 500 ms of the first answer");
        p.advance(100 * MS);
        TcpHeader later = p.one(p.send(p.seg().seq(p.sndNxt - 5000)), "500 ms on, answered again");
        p.check(later, "an ACK").flags(ACK).ack(p.sndNxt);
        expect(p.conn.stats().invalidAcksSkipped() == 2 && p.conn.stats().outOfWindow() == 4, p,
                "two answers skipped, four out-of-window segments counted: " + p.conn.stats());
    }

    @Test
    void outOfWindowDataIsAlwaysAnswered() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.data(1000);
        p.data(1000);
        p.advance(CFG.delayedAckNanos());
        for (int i = 0; i < 3; i++) {
            TcpHeader a = p.one(p.send(p.seg().seq(p.sndNxt - 1000).flags(ACK | PSH).payload(500, i)),
                    "duplicate data #" + (i + 1));
            p.check(a, "RFC 2883: each duplicate is acknowledged (with its D-SACK)").flags(ACK).ack(p.sndNxt);
        }
    }

    @Test
    void theAckOfAWhollyDuplicateSegmentIsStillTaken() {
        Peer p = Peer.activeOpen(h, RTO_ONLY, PeerOptions.ALL);
        p.appSend(1000);
        long dup = p.sndNxt;
        p.send(p.seg().ack(p.stackIss + 1).flags(ACK | PSH).payload(100, 1)); // acknowledges none of the 1000 bytes
        p.sndNxt = Peer.add(p.sndNxt, 100);
        long base = p.conn.stats().bytesAcked(); // the SYN
        // The peer retransmits its 100 bytes (a spurious timeout), now acknowledging the 1000.
        List<TcpHeader> out = p.send(p.seg().seq(dup).ack(Peer.add(p.stackIss, 1001)).flags(ACK | PSH).payload(100, 1));
        expect(p.conn.stats().bytesAcked() == base + 1000, p, out, "RFC 9293 §3.10.7.4 (trim to the window): the ACK of a "
                + "segment wholly before RCV.NXT is taken; bytesAcked " + p.conn.stats().bytesAcked());
        TcpHeader a = p.one(out, "the duplicate is answered");
        p.check(a, "a pure ACK with the duplicate's D-SACK block").flags(ACK).seq(p.stackIss + 1001).ack(p.sndNxt)
                .len(0).sack(dup, p.sndNxt);
    }

    @Test
    void anAncientDuplicateOrAnAckOfUnsentDataIsNotTaken() {
        Peer p = Peer.activeOpen(h, RTO_ONLY, PeerOptions.ALL);
        p.appSend(1000);
        p.send(p.seg().ack(p.stackIss + 1).flags(ACK | PSH).payload(100, 1));
        p.sndNxt = Peer.add(p.sndNxt, 100);
        long base = p.conn.stats().bytesAcked(); // the SYN
        long farBehind = p.sndNxt - (2L << 20); // further back than any window this receiver gave
        p.send(p.seg().seq(farBehind).ack(Peer.add(p.stackIss, 1001)).flags(ACK | PSH).payload(100, 2));
        expect(p.conn.stats().bytesAcked() == base, p, "a segment 2 MiB behind RCV.NXT is no retransmission: its ACK is "
                + "ignored; bytesAcked " + p.conn.stats().bytesAcked());
        p.send(p.seg().seq(p.sndNxt - 100).ack(Peer.add(p.stackIss, 5001)).flags(ACK | PSH).payload(100, 3));
        expect(p.conn.stats().bytesAcked() == base, p, "RFC 5961 §5.2: an ACK of unsent data is ignored here too");
    }
}
