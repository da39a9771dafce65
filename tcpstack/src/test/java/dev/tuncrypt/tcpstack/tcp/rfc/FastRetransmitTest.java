package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;

import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fast retransmit and fast recovery without SACK: RFC 5681 §3.2 (the third duplicate ACK
 * retransmits the segment at SND.UNA; Limited Transmit, RFC 3042, sends one new segment on each
 * of the first two duplicate ACKs) and RFC 6582 (NewReno: a partial ACK during recovery
 * retransmits the next unacknowledged segment at once; a full ACK ends recovery). Ten segments
 * are sent; segments 1 and 4 (0-based) are lost. No time passes, so no timer can help.
 */
class FastRetransmitTest extends TcpRfcTest {
    private static final TcpConfig NO_SACK = Configs.defaults().options(true, true, false).congestionControl("newreno").build();

    private Peer tenSegmentsOut(int extraSegments) {
        Peer p = Peer.activeOpen(h, NO_SACK, PeerOptions.ALL);
        expect(!p.conn.stats().sack(), p, "setup: no SACK");
        int smss = p.conn.stats().mss();
        List<TcpHeader> out = p.appSend((10 + extraSegments) * smss);
        expect(out.size() == 10 && out.stream().allMatch(s -> s.payload().length == smss), p, out,
                "setup: the initial window (RFC 6928: 10 segments) sends ten full segments");
        return p;
    }

    private static long start(Peer p, int segment) {
        return Peer.add(p.stackIss, 1 + (long) segment * p.conn.stats().mss());
    }

    private List<TcpHeader> ackOf(Peer p, long ack) {
        return p.send(p.seg().ack(ack));
    }

    @Test
    void thirdDuplicateAckRetransmitsAndPartialAckRetransmitsTheNextHole() {
        Peer p = tenSegmentsOut(0);
        int smss = p.conn.stats().mss();
        p.none(ackOf(p, start(p, 1)), "ACK of segment 0: nothing left to send");
        p.none(ackOf(p, start(p, 1)), "duplicate ACK 1 (segment 2 arrived)");
        p.none(ackOf(p, start(p, 1)), "duplicate ACK 2 (segment 3 arrived)");
        TcpHeader fr = p.one(ackOf(p, start(p, 1)), "RFC 5681 §3.2 step 2: the third duplicate ACK triggers fast retransmit");
        p.check(fr, "fast retransmit of segment 1 (at SND.UNA)").seq(start(p, 1)).len(smss);
        for (int d = 4; d <= 7; d++) {
            p.none(ackOf(p, start(p, 1)), "duplicate ACK " + d + ": nothing new to send");
        }
        TcpHeader partial = p.one(ackOf(p, start(p, 4)), "RFC 6582 §3.2 step 3: a partial ACK retransmits the "
                + "first unacknowledged segment at once");
        p.check(partial, "retransmission of segment 4 after the partial ACK").seq(start(p, 4)).len(smss);
        p.none(ackOf(p, start(p, 10)), "full ACK: recovery ends, nothing to send");
        expect(p.conn.stats().fastRetransmits() == 1 && p.conn.stats().timeouts() == 0, p,
                "one fast retransmit, no timeout: " + p.conn.stats());
    }

    @Test
    void limitedTransmitSendsNewDataOnTheFirstTwoDuplicateAcks() {
        Peer p = tenSegmentsOut(4);
        int smss = p.conn.stats().mss();
        p.advance(0);
        List<TcpHeader> afterAck = ackOf(p, start(p, 1)); // cwnd grows by slow start: more may go
        long next = afterAck.isEmpty() ? start(p, 10)
                : Peer.add(afterAck.getLast().sequenceNumber(), afterAck.getLast().payload().length);
        for (int d = 1; d <= 2; d++) {
            TcpHeader lt = p.one(ackOf(p, start(p, 1)), "RFC 3042 / RFC 5681 §3.2 step 1: duplicate ACK " + d
                    + " lets one previously unsent segment go");
            p.check(lt, "limited transmit " + d).seq(next).len(smss);
            next = Peer.add(next, smss);
        }
    }

    @Test
    void windowUpdatesAtSndUnaAreNotDuplicateAcks() {
        Peer p = tenSegmentsOut(0);
        p.none(ackOf(p, start(p, 1)), "ACK of segment 0: nothing left to send");
        for (int u = 1; u <= 3; u++) {
            // RFC 5681 §2: a duplicate ACK leaves the advertised window unchanged; the receiver's
            // application read, its window grew: a window update, not a sign of loss
            p.none(p.send(p.seg().ack(start(p, 1)).window(p.window - 8 * u)),
                    "window update " + u + " at SND.UNA: no fast retransmit");
        }
        int last = p.window - 24;
        p.none(p.send(p.seg().ack(start(p, 1)).window(last)), "duplicate ACK 1 (same window as the last update)");
        p.none(p.send(p.seg().ack(start(p, 1)).window(last)), "duplicate ACK 2");
        TcpHeader fr = p.one(p.send(p.seg().ack(start(p, 1)).window(last)),
                "RFC 5681 §3.2: only the third true duplicate triggers fast retransmit");
        p.check(fr, "fast retransmit of segment 1").seq(start(p, 1)).len(p.conn.stats().mss());
    }
}
