package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.FIN;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpstack.tcp.SeqNum;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import dev.tuncrypt.tcpstack.wire.TcpOption;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * RFC 6056 §3.1: ephemeral ports should "minimize the rate of reuse of the same 4-tuple"; the
 * stack uses §3.3.3 (Algorithm 3), so toward one destination a port comes back only after the
 * whole range was used. A random port per connection repeats a 4-tuple after a few hundred
 * connections (the birthday bound), while the peer may still hold its last incarnation: its first
 * SYN then draws an ACK instead of a SYN-ACK and waits a second for the retransmission.
 *
 * <p>Toward one destination that closes second, every connection leaves its 4-tuple in our
 * TIME-WAIT for 60 s: past the range (28,232 ports) a connect takes over the oldest such tuple
 * once it has heard nothing for a second and used timestamps, as Linux's {@code tcp_tw_reuse}
 * (a transparent proxy's leg 2 ran out of ports at 470 connections a second before).
 */
class EphemeralPortTest extends TcpRfcTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress(Peer.PEER4, Peer.SERVER_PORT);
    private static final InetSocketAddress OTHER = new InetSocketAddress(Peer.PEER4, 8080);

    @Test
    void portsTowardOneDestinationDoNotRepeatWithinTheRange() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            TcpConnection c = h.stack.tcp(0).connect(null, SERVER, CFG, new Events());
            int port = c.flow().localPort();
            assertThat(seen.add(port))
                    .as("RFC 6056 §3.1: port %d came back after %d connections toward %s (range 32768-60999)", port,
                            i, SERVER)
                    .isTrue();
            assertThat(port).isBetween(32768, 60999);
            c.abort(); // its 4-tuple is free again at once: only the choice keeps it from coming back
            h.poll();
        }
    }

    @Test
    void portsSkipTuplesInUse() {
        Map<Integer, TcpConnection> open = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            TcpConnection c = h.stack.tcp(0).connect(null, i % 2 == 0 ? SERVER : OTHER, CFG, new Events());
            open.put(c.flow().localPort() * 2 + (i % 2), c);
        }
        assertThat(open).as("each connection has its own 4-tuple").hasSize(300);
    }

    /** Linux's default ephemeral range, 32768-60999. */
    private static final int RANGE = 60_999 - 32_768 + 1;

    /** One finished connection: its port, its last incarnation and what that sent last. */
    private record Closed(TcpConnection conn, long sndMax, long tsVal) {}

    /**
     * Connects to {@link #SERVER} from an ephemeral port, exchanges FINs (ours first) and leaves
     * the tuple in TIME-WAIT. Driven on the test thread (not through {@link Peer}'s watchdog
     * thread per step): the range takes 28,232 of these.
     */
    private Closed toTimeWait(PeerOptions o) {
        TcpConnection c = h.stack.tcp(0).connect(null, SERVER, CFG, new Events());
        int port = c.flow().localPort();
        TcpHeader syn = only(h.poll(), port, "the SYN");
        long iss = syn.sequenceNumber();
        long peerIss = Peer.PEER_ISS;
        long tsEcr = tsVal(syn);
        long ts = 5_000_000L + h.clock.nanos() / 1_000_000L;
        Seg synAck = Seg.tcp().from(Peer.SERVER_PORT).to(port).window(65535).seq(peerIss).ack(Peer.add(iss, 1)).flags(SYN | ACK);
        o.addTo(synAck, ts, tsEcr);
        only(h.exchange(synAck.build()), port, "the ACK of the SYN-ACK");
        c.shutdownOutput();
        TcpHeader fin = only(h.poll(), port, "our FIN");
        Seg finAck = Seg.tcp().from(Peer.SERVER_PORT).to(port).window(65535).seq(peerIss + 1).ack(Peer.add(iss, 2)).flags(FIN | ACK);
        if (o.timestamps()) {
            finAck.ts(ts, tsVal(fin));
        }
        TcpHeader last = only(h.exchange(finAck.build()), port, "the ACK of the peer's FIN");
        assertThat(last.flags()).isEqualTo(ACK);
        assertThat(c.state()).as("the stack closed first").isEqualTo(TcpState.TIME_WAIT);
        return new Closed(c, Peer.add(iss, 2), tsVal(last));
    }

    private static TcpHeader only(List<byte[]> out, int port, String what) {
        assertThat(out).as(what).hasSize(1);
        TcpHeader t = Peer.parse(out.get(0));
        assertThat(t.sourcePort()).as(what).isEqualTo(port);
        return t;
    }

    private static long tsVal(TcpHeader t) {
        TcpOption.Timestamps ts = Peer.option(t, TcpOption.Timestamps.class);
        return ts == null ? -1 : ts.tsVal();
    }

    @Test
    void connectsPastTheRangeTakeOverTimeWaitsOlderThanASecondThatUsedTimestamps() {
        TcpLayer tcp = h.stack.tcp(0);
        Map<Integer, Closed> byPort = new HashMap<>();
        // the whole range in TIME-WAIT within 0.85 s; every third without timestamps
        for (int i = 0; i < RANGE; i++) {
            Closed c = toTimeWait(i % 3 == 0 ? PeerOptions.NONE : PeerOptions.ALL);
            assertThat(byPort.put(c.conn().flow().localPort(), c)).as("connection %d got a port in use", i).isNull();
            h.clock.advance(30_000);
        }
        assertThat(tcp.connectionCount()).isEqualTo(RANGE);
        assertThatThrownBy(() -> tcp.connect(null, SERVER, CFG, new Events()))
                .as("every tuple toward %s is in TIME-WAIT and none has been quiet for a second: no port", SERVER)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no free local port");

        h.clock.advance(1_000_000_000L); // every TIME-WAIT has now been quiet for over a second; 2 MSL is far
        h.poll();
        int reuses = 2_000;
        for (int i = 0; i < reuses; i++) {
            Peer p = Peer.connect(h, CFG); // threw "no free local port" before
            Closed old = byPort.get(p.stackPort);
            assertThat(old).as("port %d was in the range", p.stackPort).isNotNull();
            assertThat(tsVal(p.stackSyn)).as("the SYN offers timestamps").isNotNegative();
            assertThat(old.tsVal())
                    .as("connect %d took over port %d, whose last incarnation did not use timestamps: without them "
                            + "nothing tells the incarnations apart", i, p.stackPort)
                    .isNotNegative();
            assertThat(old.conn().state()).as("the TIME-WAIT gave way").isEqualTo(TcpState.CLOSED);
            assertThat(SeqNum.gt((int) p.stackSyn.sequenceNumber(), (int) old.sndMax()))
                    .as("RFC 9293 §3.6.1 (1): ISS %d of the reused 4-tuple must lie above the last incarnation's "
                            + "largest sequence number %d", p.stackSyn.sequenceNumber(), old.sndMax())
                    .isTrue();
            assertThat(SeqNum.gt((int) tsVal(p.stackSyn), (int) old.tsVal()))
                    .as("RFC 6191 §2 at the peer: the SYN's TSval %d must be newer than the last incarnation's %d",
                            tsVal(p.stackSyn), old.tsVal())
                    .isTrue();
            p.one(p.synAck(PeerOptions.ALL), "the handshake completes");
            p.expectState(TcpState.ESTABLISHED, "the new incarnation");
            byPort.put(p.stackPort, new Closed(p.conn, -1, -1)); // not to be taken over again here
        }
        assertThat(tcp.counters().timeWaitReused()).isEqualTo(reuses);
        assertThat(tcp.connectionCount()).as("a taken tuple's TIME-WAIT is gone: the table does not grow")
                .isEqualTo(RANGE);
        long untimestampedLeft = byPort.values().stream()
                .filter(c -> c.tsVal() < 0 && c.sndMax() >= 0 && c.conn().state() == TcpState.TIME_WAIT).count();
        assertThat(untimestampedLeft).as("TIME-WAITs without timestamps keep their tuple for the whole 2 MSL")
                .isEqualTo((RANGE + 2) / 3);
    }
}
