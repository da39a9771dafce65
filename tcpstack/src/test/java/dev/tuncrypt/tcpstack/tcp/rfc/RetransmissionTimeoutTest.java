package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;

import dev.tuncrypt.tcpstack.tcp.LossRecovery;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The retransmission timer, RFC 6298: RTO is 1 s before any RTT sample (§2.1), then SRTT +
 * max(G, 4·RTTVAR) bounded below by the configured minimum (§2.4, 200 ms as Linux); on expiry
 * the earliest unacknowledged segment is retransmitted (§5.4) and RTO doubles (§5.5); after the
 * configured number of retransmissions the connection is given up with "timed out" (RFC 9293
 * §3.8.3, R2).
 */
class RetransmissionTimeoutTest extends TcpRfcTest {
    /** RFC 6298 alone: RACK-TLP (the default) sends a tail loss probe before the RTO (RFC 8985 §7). */
    private static final TcpConfig CFG = Configs.defaults().lossRecovery(LossRecovery.RFC6675).build();

    private static void expectRetransmission(Peer p, Peer.Timed t, long wantNanos, int n, int len) {
        TcpHeader s = p.one(t.segments(), "retransmission #" + n);
        p.check(s, "RFC 6298 §5.4: retransmit the earliest unacknowledged segment").flags(ACK).seq(p.stackIss + 1).len(len);
        expect(Math.abs(t.elapsedNanos() - wantNanos) <= wantNanos / 20, p, t.segments(),
                "retransmission #" + n + " should come " + wantNanos / MS + " ms after the previous transmission "
                        + "(RFC 6298 §2.1/§2.4/§5.5), it came after " + t.elapsedMillis() + " ms");
    }

    @Test
    void firstRetransmissionAfterTheInitialRtoOfOneSecond() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        expect(p.conn.stats().srttNanos() == -1, p, "setup: no RTT sample yet");
        p.appSend(1000);
        expectRetransmission(p, p.awaitOutput(5 * SECOND), SECOND, 1, 1000);
    }

    @Test
    void backoffDoublesUntilTheRetriesRunOutThenTimedOut() {
        TcpConfig cfg = Configs.defaults().dataRetries(4).lossRecovery(LossRecovery.RFC6675).build();
        Peer p = Peer.activeOpen(h, cfg, PeerOptions.ALL);
        p.appSend(1000);
        long rto = SECOND;
        for (int i = 1; i <= 4; i++) {
            expectRetransmission(p, p.awaitOutput(300 * SECOND), rto, i, 1000);
            rto *= 2;
        }
        Peer.Timed last = p.awaitOutput(300 * SECOND);
        expect(last.segments().stream().allMatch(s -> (s.flags() & RST) != 0), p, last.segments(),
                "after " + cfg.dataRetries() + " retransmissions no more data is sent (a reset may be)");
        expect(Math.abs(last.elapsedNanos() - rto) <= rto / 20, p, last.segments(), "RFC 9293 §3.8.3: the connection "
                + "is given up when the last backed-off RTO (" + rto / MS + " ms) expires; took " + last.elapsedMillis());
        expect(p.conn.state() == TcpState.CLOSED && !p.tcbExists(), p, "the TCB is deleted");
        expect(p.events.reason == TcpError.TIMED_OUT, p, "the user hears 'timed out'; got " + p.events);
    }

    @Test
    void afterAnRttSampleTheRtoIsTheMinimumAndBacksOff() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.appSend(100);
        p.ack(); // RTT 0: SRTT 0, RTTVAR 0, RTO = max(min RTO, G)
        expect(p.conn.stats().srttNanos() >= 0, p, "setup: an RTT sample was taken (RFC 7323 §4 / RFC 6298 §3)");
        p.appSend(1000);
        long min = CFG.minRtoNanos();
        List<Long> gaps = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Peer.Timed t = p.awaitOutput(10 * SECOND);
            TcpHeader s = p.one(t.segments(), "retransmission #" + (i + 1));
            p.check(s, "retransmission of the 1000 bytes").seq(p.stackIss + 101).len(1000);
            gaps.add(t.elapsedNanos());
        }
        expect(Math.abs(gaps.get(0) - min) <= min / 20 && Math.abs(gaps.get(1) - 2 * min) <= min / 10
                        && Math.abs(gaps.get(2) - 4 * min) <= min / 5, p,
                "RFC 6298 §2.4/§5.5: RTO = the " + min / MS + " ms floor, then doubling: expected " + min / MS + ", "
                        + 2 * min / MS + ", " + 4 * min / MS + " ms, got " + gaps.stream().map(g -> g / MS + " ms").toList());
    }

    @Test
    void synIsRetransmittedWithBackoffUntilSynRetriesThenTimedOut() {
        Peer p = Peer.connect(h, CFG);
        long rto = SECOND;
        for (int i = 1; i <= CFG.synRetries(); i++) {
            Peer.Timed t = p.awaitOutput(300 * SECOND);
            TcpHeader syn = p.one(t.segments(), "SYN retransmission #" + i);
            p.check(syn, "RFC 6298 §5.4: the SYN again").flags(dev.tuncrypt.tcpstack.wire.TcpView.SYN).seq(p.stackIss);
            expect(Math.abs(t.elapsedNanos() - rto) <= rto / 20, p, t.segments(), "RFC 6298 §2.1/§5.5: SYN "
                    + "retransmission #" + i + " after " + rto / MS + " ms; it came after " + t.elapsedMillis() + " ms");
            rto *= 2;
        }
        Peer.Timed last = p.awaitOutput(300 * SECOND);
        p.none(last.segments().stream().filter(s -> s.payload().length > 0 || (s.flags() & RST) == 0).toList(),
                "after " + CFG.synRetries() + " SYN retransmissions nothing but possibly a reset");
        expect(p.conn.state() == TcpState.CLOSED && p.events.reason == TcpError.TIMED_OUT, p,
                "RFC 9293 §3.8.3 R2: the open fails with 'timed out' when the last RTO expires; " + p.events);
    }

    @Test
    void newAckRestartsTheTimer() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.conn.setNoDelay(true);
        p.appSend(1000);
        p.advance(500 * MS);
        p.appSend(1000);
        p.advance(400 * MS);
        p.rcvNxt = Peer.add(p.stackIss, 1001);
        p.ack(); // acknowledges the first segment only (and gives an RTT sample of 900 ms)
        long rto = p.conn.stats().rtoNanos();
        Peer.Timed t = p.awaitOutput(10 * SECOND);
        TcpHeader s = p.one(t.segments(), "retransmission of the second segment");
        p.check(s, "RFC 6298 §5.4").seq(p.stackIss + 1001).len(1000);
        expect(Math.abs(t.elapsedNanos() - rto) <= rto / 20, p, t.segments(), "RFC 6298 §5.3: the ACK of new data "
                + "restarts the timer with the current RTO (" + rto / MS + " ms); the retransmission came "
                + t.elapsedMillis() + " ms after that ACK");
    }
}
