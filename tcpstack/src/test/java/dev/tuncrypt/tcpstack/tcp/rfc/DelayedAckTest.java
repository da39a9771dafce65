package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;

import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Delayed ACKs: RFC 9293 §3.8.6.3 and RFC 1122 §4.2.3.2 (an ACK may be delayed, but less than
 * 0.5 s), RFC 5681 §4.2 ("an ACK SHOULD be generated for at least every second full-sized
 * segment, and MUST be generated within 500 ms of the arrival of the first unacknowledged
 * packet"). A quick-ACK start (ACK every segment at first, as Linux) is allowed; the tests leave
 * it first ({@link TcpRfcTest#leaveQuickAckMode}).
 */
class DelayedAckTest extends TcpRfcTest {

    @Test
    void singleFullSegmentIsAcknowledgedByTheDelayedAckTimer() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        leaveQuickAckMode(p);
        List<TcpHeader> out = p.data(p.conn.stats().mss());
        p.none(out, "one full-sized segment: the ACK may be delayed");
        Peer.Timed t = p.awaitOutput(600 * MS);
        TcpHeader ack = p.one(t.segments(), "RFC 5681 §4.2: the delayed ACK, within 500 ms");
        p.check(ack, "delayed ACK").flags(ACK).ack(p.sndNxt);
        expect(t.elapsedNanos() < 500 * MS, p, t.segments(), "RFC 9293 §3.8.6.3: the delay MUST be less than 0.5 s; "
                + "it was " + t.elapsedMillis() + " ms");
    }

    @Test
    void everySecondFullSegmentIsAcknowledgedAtOnce() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        leaveQuickAckMode(p);
        int full = p.conn.stats().mss();
        for (int round = 0; round < 3; round++) {
            p.none(p.data(full), "round " + round + ": first full-sized segment, ACK delayed");
            TcpHeader ack = p.one(p.data(full), "round " + round + ": RFC 5681 §4.2: ACK for every second full segment");
            p.check(ack, "ACK of both segments").flags(ACK).ack(p.sndNxt);
        }
    }

    @Test
    void smallSegmentIsAcknowledgedWithin500ms() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        leaveQuickAckMode(p);
        List<TcpHeader> out = p.data(100);
        if (out.isEmpty()) {
            Peer.Timed t = p.awaitOutput(600 * MS);
            out = t.segments();
            expect(t.elapsedNanos() < 500 * MS, p, out, "RFC 5681 §4.2: ACK within 500 ms; took " + t.elapsedMillis());
        }
        p.check(p.one(out, "ACK of the small segment"), "ACK").flags(ACK).ack(p.sndNxt);
    }
}
