package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;

import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tail loss probe through a connection (RFC 8985 §7, RACK-TLP is the default recovery): when
 * the last segments of a flight get no ACK, the sender probes after PTO = 2 * SRTT + 2 ms by
 * sending the newest segment again, well before the retransmission timeout, and then waits for
 * the RTO (one probe per episode).
 */
class TailLossProbeTest extends TcpRfcTest {

    @Test
    void theNewestSegmentIsProbedAfterTwoRoundTripsNotAfterTheRto() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.conn.setNoDelay(true);
        int smss = p.conn.stats().mss();
        p.appSend(smss);
        p.advance(50 * MS);
        p.rcvNxt = Peer.add(p.stackIss, 1 + smss);
        p.ack(); // an RTT sample of 50 ms
        long srtt = p.conn.stats().srttNanos();
        long rto = p.conn.stats().rtoNanos();
        expect(srtt > 0 && 2 * srtt + 2 * MS < rto, p, "setup: SRTT " + srtt / MS + " ms, RTO " + rto / MS + " ms");
        List<TcpHeader> flight = p.appSend(3 * smss);
        expect(flight.size() == 3, p, flight, "setup: three segments in flight");
        Peer.Timed t = p.awaitOutput(10 * SECOND);
        TcpHeader probe = p.one(t.segments(), "the tail loss probe");
        long newest = Peer.add(p.stackIss, 1 + 3L * smss);
        p.check(probe, "RFC 8985 §7.3: the probe is the newest segment sent").flags(ACK).seq(newest).len(smss);
        long pto = 2 * srtt + 2 * MS;
        expect(Math.abs(t.elapsedNanos() - pto) <= pto / 20, p, t.segments(), "RFC 8985 §7.2: PTO = 2 * SRTT + 2 ms = "
                + pto / MS + " ms (RTO " + rto / MS + " ms); the probe came after " + t.elapsedMillis() + " ms");
        Peer.Timed next = p.awaitOutput(10 * SECOND);
        TcpHeader rtx = p.one(next.segments(), "the retransmission after the probe");
        p.check(rtx, "RFC 8985 §7.2: one probe, then the RTO retransmits the first segment")
                .seq(Peer.add(p.stackIss, 1 + smss));
        expect(next.elapsedNanos() >= p.conn.stats().rtoNanos() / 2, p, next.segments(),
                "the next transmission waits for the RTO, not another PTO (" + next.elapsedMillis() + " ms)");
    }
}
