package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;

import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9293 §3.8.6.1 and RFC 1122 §4.2.2.17: when the peer advertises a zero window and data is
 * waiting, the sender probes: the first probe after RTO, carrying one byte of new data, the
 * interval backing off exponentially (RFC 6298 §5.5 for the timer); the connection must stay
 * open as long as the receiver keeps answering the probes ("MUST NOT close"); when the window
 * opens, the data flows.
 */
class ZeroWindowProbeTest extends TcpRfcTest {

    /** Established; the peer closes its window; the application queues {@code bytes}. */
    private Peer stalled(int bytes) {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.window = 0;
        p.none(p.ack(), "zero-window update");
        expect(p.conn.stats().sendWindow() == 0, p, "setup: SND.WND must be 0 after the update");
        p.window = 65535;
        List<TcpHeader> out = p.appSend(bytes);
        p.window = 0;
        expect(out.isEmpty(), p, out, "RFC 9293 §3.8.6.1: nothing may be sent into a zero window (except probes)");
        return p;
    }

    /**
     * Waits for the next probe and answers it as a receiver with a closed window does: ACK = S+1,
     * window 0. The stack probes as Linux does (tcp_xmit_probe_skb): SEQ = SND.UNA - 1 and no
     * data, which makes the receiver answer with its window and puts nothing beyond it (a Linux
     * receiver drops octets sent into a closed window and counts them as beyond its window).
     */
    private Peer.Timed probe(Peer p, int n, long limit) {
        Peer.Timed t = p.awaitOutput(limit);
        expect(t.segments().stream().noneMatch(s -> (s.flags() & RST) != 0), p, t.segments(),
                "RFC 1122 §4.2.2.17: \"the sending TCP MUST allow the connection to stay open as long as the "
                        + "receiving TCP continues to send acknowledgments in response to the probe segments\"; the "
                        + "receiver answered all " + (n - 1) + " probes, and the stack reset the connection ("
                        + p.events + ")");
        expect(!t.segments().isEmpty() && t.segments().stream().allMatch(
                        s -> s.payload().length == 0 && s.sequenceNumber() == p.stackIss), p,
                t.segments(), "zero-window probe #" + n + " (waited " + t.elapsedMillis()
                        + " ms): SEQ = SND.UNA - 1, no data");
        List<TcpHeader> out = p.ack();
        expect(out.stream().allMatch(s -> s.payload().length == 0), p, out,
                "after the zero-window answer to probe #" + n + " no data may be sent");
        return t;
    }

    @Test
    void firstProbeAfterRtoAsksForTheWindowWithoutData() {
        Peer p = stalled(2000);
        long rto = p.conn.stats().rtoNanos();
        Peer.Timed t = p.awaitOutput(10 * SECOND);
        TcpHeader probe = p.one(t.segments(), "the first zero-window probe");
        p.check(probe, "zero-window probe: SEQ = SND.UNA - 1, no data").flags(ACK).seq(p.stackIss).len(0);
        expect(t.elapsedNanos() >= rto && t.elapsedNanos() <= rto + rto / 10, p, t.segments(),
                "RFC 1122 §4.2.2.17: the first probe after RTO (" + rto / MS + " ms); it came after "
                        + t.elapsedMillis() + " ms");
    }

    @Test
    void probeIntervalsDoubleWhileTheWindowStaysClosed() {
        Peer p = stalled(2000);
        long max = CFG.maxRtoNanos();
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            gaps.add(probe(p, i, 2 * max).elapsedNanos());
        }
        for (int i = 1; i < gaps.size(); i++) {
            long want = Math.min(2 * gaps.get(i - 1), max);
            long got = gaps.get(i);
            expect(Math.abs(got - want) <= want / 10, p, "RFC 1122 §4.2.2.17: the interval between successive probes "
                    + "SHOULD increase exponentially (RFC 6298 §5.5 doubling): interval " + (i + 1) + " should be ~"
                    + want / MS + " ms after " + gaps.get(i - 1) / MS + " ms; the stack's data-bearing segments into "
                    + "the zero window came at intervals " + gaps.stream().map(g -> g / MS + " ms").toList());
        }
    }

    @Test
    void connectionStaysOpenWhileTheReceiverAnswersProbes() {
        Peer p = stalled(2000);
        int probes = CFG.dataRetries() + 10;
        for (int i = 1; i <= probes; i++) {
            probe(p, i, 2 * CFG.maxRtoNanos());
            if (p.conn.state() != TcpState.ESTABLISHED) {
                expect(false, p, "RFC 1122 §4.2.2.17: \"the sending TCP MUST allow the connection to stay open as "
                        + "long as the receiving TCP continues to send acknowledgments in response to the probe "
                        + "segments\"; after probe #" + i + " the connection is " + p.conn.state() + " (" + p.events
                        + ")");
            }
        }
    }

    @Test
    void dataFlowsWhenTheWindowOpens() {
        Peer p = stalled(2000);
        probe(p, 1, 10 * SECOND);
        probe(p, 2, 10 * SECOND);
        p.window = 65535;
        long rto = p.conn.stats().rtoNanos();
        List<TcpHeader> out = p.ack(); // window update: the peer can take data again
        expect(out.stream().anyMatch(s -> s.payload().length > 0), p, out,
                "the window opened: queued data must be sent at once");
        long deadline = h.clock.nanos() + rto;
        while (p.rcvNxt != Peer.add(p.stackIss, 2001) && h.clock.nanos() - deadline < 0) {
            List<TcpHeader> more = p.ack();
            if (more.isEmpty()) {
                p.awaitOutput(deadline - h.clock.nanos());
            }
        }
        expect(p.rcvNxt == Peer.add(p.stackIss, 2001), p, "all 2000 queued bytes must reach the peer in order within "
                + "one RTO (" + rto / MS + " ms) of the window opening; the peer has up to S+"
                + ((p.rcvNxt - p.stackIss) & 0xFFFF_FFFFL));
    }
}
