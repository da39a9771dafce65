package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.PSH;

import dev.tuncrypt.tcpstack.TestPackets;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Receiving text: RFC 9293 §3.10.7.4 seventh step (in-order text is delivered and RCV.NXT
 * advances); RFC 5681 §4.2 ("A TCP receiver SHOULD send an immediate duplicate ACK when an
 * out-of-order segment arrives" and "an immediate ACK when the incoming segment fills in all or
 * part of a gap"); RFC 2018 §4 (the SACK option reports the received blocks, the first block
 * holding the segment that triggered the ACK, then the most recently reported ones); RFC 9293
 * §3.10.7.4 first step (an old duplicate is acknowledged at once).
 */
class DataReceiveTest extends TcpRfcTest {

    @Test
    void inOrderDataIsDeliveredAndAcknowledged() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        byte[] data = TestPackets.bytes(1000, 17);
        List<TcpHeader> out = p.data(data);
        if (out.isEmpty()) {
            out = p.awaitOutput(500 * MS).segments();
        }
        TcpHeader ack = p.one(out, "the ACK of 1000 in-order bytes (at once or within 500 ms)");
        p.check(ack, "ACK = RCV.NXT after the text").flags(ACK).ack(p.sndNxt);
        byte[] got = p.appRead();
        expect(Arrays.equals(got, data), p, "the application reads exactly the bytes sent");
    }

    @Test
    void outOfOrderSegmentsGetImmediateDuplicateAcksWithSackBlocksAndHoleFillsAreAckedAtOnce() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        leaveQuickAckMode(p);
        byte[] warm = p.appRead();
        long base = p.sndNxt;
        byte[] data = TestPackets.bytes(4000, 5);
        Seg[] segs = new Seg[4];
        for (int i = 0; i < 4; i++) {
            segs[i] = p.seg().seq(base + 1000L * i).flags(ACK | PSH).payload(Arrays.copyOfRange(data, 1000 * i, 1000 * (i + 1)));
        }
        TcpHeader a = p.one(p.send(segs[1]), "RFC 5681 §4.2: immediate duplicate ACK for out-of-order data [+1000, +2000)");
        p.check(a, "dup ACK 1: ACK = RCV.NXT, SACK [+1000, +2000)").flags(ACK).ack(base).sack(base + 1000, base + 2000);
        a = p.one(p.send(segs[3]), "RFC 5681 §4.2: immediate duplicate ACK for out-of-order data [+3000, +4000)");
        p.check(a, "dup ACK 2: RFC 2018 §4: the newest block first").flags(ACK).ack(base)
                .sack(base + 3000, base + 4000, base + 1000, base + 2000);
        a = p.one(p.send(segs[0]), "RFC 5681 §4.2: immediate ACK for a segment filling the first gap");
        p.check(a, "ACK after the first gap filled").flags(ACK).ack(base + 2000).sack(base + 3000, base + 4000);
        a = p.one(p.send(segs[2]), "RFC 5681 §4.2: immediate ACK for the segment filling the last gap");
        p.check(a, "cumulative ACK, no SACK left").flags(ACK).ack(base + 4000).noSack();
        p.sndNxt = base + 4000;
        byte[] got = p.appRead();
        expect(got != null && got.length == 4000 && Arrays.equals(got, data), p,
                "the 4000 bytes are delivered in order once the holes are filled (warm-up read " + warm.length + ")");
    }

    @Test
    void oldDuplicateSegmentIsAcknowledgedAtOnce() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        leaveQuickAckMode(p);
        Seg dup = p.seg().seq(p.sndNxt - 1000).flags(ACK | PSH).payload(1000, 9);
        TcpHeader a = p.one(p.send(dup), "RFC 9293 §3.10.7.4 first step: an old duplicate gets an ACK at once");
        p.check(a, "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>").flags(ACK).ack(p.sndNxt);
    }

    @Test
    void noSackBlocksUnlessThePeerPermittedSack() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL.withSack(false));
        Seg ooo = p.seg().seq(p.sndNxt + 1000).flags(ACK | PSH).payload(1000, 3);
        TcpHeader a = p.one(p.send(ooo), "immediate duplicate ACK");
        p.check(a, "RFC 2018 §2: no SACK option without SACK-permitted").flags(ACK).ack(p.sndNxt).noSack();
    }
}
