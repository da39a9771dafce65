package dev.tuncrypt.tcpstack.tcp.rfc;

import dev.tuncrypt.tcpstack.tcp.LossRecovery;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * SACK-based loss recovery, RFC 6675: with SACK negotiated, the sender keeps a scoreboard from
 * the peer's SACK blocks, enters recovery on the third duplicate ACK (§5 step 4) retransmitting
 * the first lost segment, and then (§5 steps 4.4 and (C), NextSeg() rule 1, SetPipe()) fills
 * every hole the scoreboard declares lost while pipe < cwnd — several holes within one round
 * trip, without waiting for partial ACKs — and never retransmits SACKed data.
 *
 * <p>Ten segments of SMSS are sent (NewReno congestion control, so cwnd = ssthresh =
 * FlightSize/2 = 4.5 segments on entering recovery); segments 1, 3 and 5 (0-based) are lost, the
 * others arrive in order and each produces an ACK with SACK blocks (at most 3, the timestamps
 * option takes the rest). Per RFC 6675 the sender must retransmit segment 1 on the third
 * duplicate ACK, and segments 3 and 5 once IsLost() holds for them (by the fifth duplicate ACK);
 * no time passes, so no retransmission timer helps.
 */
class SackRecoveryTest extends TcpRfcTest {
    /** RFC 6675's DupThresh rule (RACK-TLP, the default, needs time to pass: {@code RackTlpTest}). */
    private static final TcpConfig SACK_NEWRENO = Configs.defaults().congestionControl("newreno")
            .lossRecovery(LossRecovery.RFC6675).build();

    @Test
    void multipleHolesAreRetransmittedWithinOneRoundTrip() {
        Peer p = Peer.activeOpen(h, SACK_NEWRENO, PeerOptions.ALL);
        expect(p.conn.stats().sack(), p, "setup: SACK negotiated");
        int smss = p.conn.stats().mss();
        List<TcpHeader> out = p.appSend(10 * smss);
        expect(out.size() == 10, p, out, "setup: ten segments in the initial window");
        long[] st = new long[11];
        for (int i = 0; i <= 10; i++) {
            st[i] = Peer.add(p.stackIss, 1 + (long) i * smss);
        }
        List<TcpHeader> sent = new ArrayList<>();
        sent.addAll(p.send(p.seg().ack(st[1]))); // segment 0 arrived
        sent.addAll(p.send(p.seg().ack(st[1]).sack(st[2], st[3]))); // 2
        sent.addAll(p.send(p.seg().ack(st[1]).sack(st[4], st[5], st[2], st[3]))); // 4
        List<TcpHeader> third = p.send(p.seg().ack(st[1]).sack(st[6], st[7], st[4], st[5], st[2], st[3])); // 6
        sent.addAll(third);
        expect(third.stream().anyMatch(s -> s.sequenceNumber() == st[1] && s.payload().length == smss), p, third,
                "RFC 6675 §5 step 4.3 (and RFC 5681 §3.2): the third duplicate ACK retransmits segment 1 (S+"
                        + (st[1] - p.stackIss) + ")");
        sent.addAll(p.send(p.seg().ack(st[1]).sack(st[6], st[8], st[4], st[5], st[2], st[3]))); // 7
        sent.addAll(p.send(p.seg().ack(st[1]).sack(st[6], st[9], st[4], st[5], st[2], st[3]))); // 8
        sent.addAll(p.send(p.seg().ack(st[1]).sack(st[6], st[10], st[4], st[5], st[2], st[3]))); // 9
        TreeSet<Integer> retransmitted = new TreeSet<>();
        for (TcpHeader s : sent) {
            if (s.payload().length > 0) {
                retransmitted.add((int) (((s.sequenceNumber() - p.stackIss - 1) & 0xFFFF_FFFFL) / smss));
            }
        }
        expect(retransmitted.equals(new TreeSet<>(List.of(1, 3, 5))), p, sent,
                "RFC 6675 §5 / NextSeg(): after six duplicate ACKs whose SACK blocks show segments 2, 4, 6-9 "
                        + "received, the sender must have retransmitted exactly the holes 1, 3 and 5 (and nothing "
                        + "SACKed); it retransmitted segments " + retransmitted);
    }

    @Test
    void sackedSegmentsAreNotRetransmittedAfterATimeout() {
        Peer p = Peer.activeOpen(h, SACK_NEWRENO, PeerOptions.ALL);
        int smss = p.conn.stats().mss();
        p.appSend(4 * smss);
        long s1 = Peer.add(p.stackIss, 1 + smss);
        long end = Peer.add(p.stackIss, 1 + 4L * smss);
        p.send(p.seg().ack(Peer.add(p.stackIss, 1)).sack(s1, end)); // segments 1-3 arrived, 0 lost
        Peer.Timed t = p.awaitOutput(5 * SECOND);
        List<TcpHeader> all = new ArrayList<>(t.segments());
        p.rcvNxt = end;
        all.addAll(p.ack());
        expect(all.stream().filter(s -> s.payload().length > 0)
                        .allMatch(s -> s.sequenceNumber() == Peer.add(p.stackIss, 1) && s.payload().length <= smss), p, all,
                "RFC 6675 §5.1: after the retransmission timeout only the unSACKed segment 0 is retransmitted "
                        + "(SACKed segments 1-3 are not)");
    }
}
