package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.PSH;

import dev.tuncrypt.tcpstack.wire.TcpHeader;
import org.junit.jupiter.api.Test;

/**
 * The receiver reports duplicates (RFC 2883 §4): the ACK answering a duplicate segment carries
 * a D-SACK block for it as the first SACK block, followed by the usual SACK blocks, and only
 * once. This is what lets a sender see that a retransmission was spurious (RACK-TLP's reo_wnd
 * and undo, RFC 8985 §6.2 step 4, RFC 3708).
 */
class DsackReceiverTest extends TcpRfcTest {

    @Test
    void duplicateBelowRcvNxtIsReportedAsTheFirstSackBlockOnce() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        leaveQuickAckMode(p);
        long dupStart = p.sndNxt - 1000;
        TcpHeader a = p.one(p.send(p.seg().seq(dupStart).flags(ACK | PSH).payload(1000, 9)),
                "the ACK of an old duplicate");
        p.check(a, "RFC 2883 §4 (1): D-SACK block [dup) first").flags(ACK).ack(p.sndNxt).sack(dupStart, p.sndNxt);
        a = p.one(p.send(p.seg().seq(p.sndNxt + 1000).flags(ACK | PSH).payload(1000, 3)), "a duplicate ACK");
        p.check(a, "RFC 2883 §4: the D-SACK block is reported once").flags(ACK).ack(p.sndNxt)
                .sack(p.sndNxt + 1000, p.sndNxt + 2000);
    }

    @Test
    void duplicateWithOutOfOrderDataPutsTheDsackBlockBeforeTheSackBlocks() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        leaveQuickAckMode(p);
        long base = p.sndNxt;
        p.send(p.seg().seq(base + 1000).flags(ACK | PSH).payload(1000, 4)); // out of order: a hole at base
        TcpHeader a = p.one(p.send(p.seg().seq(base - 500).flags(ACK | PSH).payload(500, 6)),
                "the ACK of an old duplicate while a hole is open");
        p.check(a, "RFC 2883 §4 (2): D-SACK block first, then the SACK block").flags(ACK).ack(base)
                .sack(base - 500, base, base + 1000, base + 2000);
    }
}
