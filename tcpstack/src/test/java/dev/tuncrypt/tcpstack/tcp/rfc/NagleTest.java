package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;

import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Nagle algorithm, RFC 9293 §3.7.4 and RFC 1122 §4.2.3.4: while data is unacknowledged, new
 * data is held until a full-sized segment can be sent or everything is acknowledged; the
 * application can turn it off (TCP_NODELAY).
 */
class NagleTest extends TcpRfcTest {

    @Test
    void smallWritesAreCoalescedWhileDataIsInFlight() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        TcpHeader first = p.one(p.appSend(100), "the first small write goes at once (nothing in flight)");
        p.check(first, "first write").seq(p.stackIss + 1).len(100);
        p.none(p.appSend(100), "RFC 9293 §3.7.4: a small segment is held while data is unacknowledged");
        p.none(p.appSend(100), "RFC 9293 §3.7.4: still held");
        p.rcvNxt = Peer.add(p.stackIss, 101);
        TcpHeader coalesced = p.one(p.ack(), "the ACK releases the held data as one segment");
        p.check(coalesced, "the two held writes coalesced").seq(p.stackIss + 101).len(200);
    }

    @Test
    void fullSizedSegmentGoesDespiteDataInFlight() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.appSend(100);
        int smss = p.conn.stats().mss();
        List<TcpHeader> out = p.appSend(smss);
        TcpHeader full = p.one(out, "RFC 1122 §4.2.3.4: a full-sized segment is sent even with data in flight");
        p.check(full, "full-sized segment").seq(p.stackIss + 101).len(smss);
    }

    @Test
    void noDelaySendsSmallWritesAtOnce() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.conn.setNoDelay(true);
        for (int i = 0; i < 3; i++) {
            TcpHeader s = p.one(p.appSend(100), "TCP_NODELAY: write " + (i + 1) + " goes at once");
            p.check(s, "write " + (i + 1)).flags(ACK).seq(p.stackIss + 1 + 100L * i).len(100);
        }
    }
}
