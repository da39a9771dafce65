package dev.tuncrypt.tcpstack.tcp;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.StackHarness;
import dev.tuncrypt.tcpstack.tcp.rfc.Acceptor;
import dev.tuncrypt.tcpstack.tcp.rfc.Peer;
import dev.tuncrypt.tcpstack.tcp.rfc.Seg;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import dev.tuncrypt.tcpstack.wire.TcpOption;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A SYN flood must not downgrade tcpcrypt (issue 13, item 2): SYN cookies carry no TCP-ENO, so a
 * SYN offering ENO never gets one; a full {@link SynCache} gives up its oldest half-open entry
 * for it instead (the source's own oldest when that source holds its share), silently. The
 * half-open state stays bounded by the SYN backlog whatever the flood, without rings; and a
 * {@link SynGate} asked {@link SynGate.Timing#AFTER_HANDSHAKE} is never asked about a SYN whose
 * handshake does not complete.
 */
class SynCacheTest {
    private static final int BACKLOG = 8;
    private static final TcpConfig CFG = TcpConfig.DEFAULT.withSynBacklog(64, BACKLOG);
    private static final int SPOOFED_BASE = TestAddresses.ip4("198.18.100.0");

    private final StackHarness h = new StackHarness();

    @AfterEach
    void close() {
        h.close();
    }

    /** IPv4 addresses as ints, without the test packet helpers' package. */
    static final class TestAddresses {
        static int ip4(String dotted) {
            String[] p = dotted.split("\\.");
            return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8)
                    | Integer.parseInt(p[3]);
        }
    }

    private TcpLayer layer() {
        return h.stack.tcp(0);
    }

    private static Seg syn(int port, long isn, boolean eno) {
        Seg s = Seg.tcp().from(port).to(Peer.SERVER_PORT).seq(isn).ack(0).flags(SYN).mss(1460).sackPermitted().ws(7);
        if (eno) {
            s.option(new TcpOption.Eno(new byte[] {0x20})); // RFC 8547 §4.1: one TEP suboption
        }
        return s;
    }

    /** Sends a SYN from {@code source}; returns the stack's answer (one SYN-ACK) or null. */
    private TcpHeader sendSyn(int source, int port, long isn, boolean eno) {
        List<byte[]> out = h.exchange(syn(port, isn, eno).buildFrom(source));
        return out.isEmpty() ? null : Peer.parse(out.get(out.size() - 1));
    }

    private List<TcpHeader> sendAck(int source, int port, long isn, TcpHeader synAck) {
        byte[] ack = Seg.tcp().from(port).to(Peer.SERVER_PORT).seq(isn + 1)
                .ack((synAck.sequenceNumber() + 1) & 0xFFFF_FFFFL).flags(ACK).buildFrom(source);
        List<TcpHeader> out = new ArrayList<>();
        for (byte[] b : h.exchange(ack)) {
            out.add(Peer.parse(b));
        }
        return out;
    }

    private static boolean stateful(TcpHeader synAck) {
        return Peer.has(synAck, TcpOption.WindowScale.class) && Peer.has(synAck, TcpOption.SackPermitted.class);
    }

    @Test
    void enoSynsInAFullCacheEvictTheOldestInsteadOfGettingCookies() {
        Peer l = Peer.listen(h, CFG, 64);
        List<TcpHeader> synAcks = new ArrayList<>();
        for (int i = 0; i < 3 * BACKLOG; i++) {
            TcpHeader sa = sendSyn(SPOOFED_BASE + i, 40000, 1000L * i, true);
            assertThat(sa).as("SYN-ACK to ENO SYN " + i).isNotNull();
            assertThat(sa.flags()).isEqualTo(SYN | ACK);
            assertThat(stateful(sa)).as("ENO SYN %d: a stateful SYN-ACK, never a cookie: %s", i, sa).isTrue();
            synAcks.add(sa);
        }
        assertThat(layer().counters().cookiesSent()).isZero();
        assertThat(l.listener.halfOpen()).isEqualTo(BACKLOG);
        assertThat(layer().connectionCount()).isEqualTo(BACKLOG);
        assertThat(layer().counters().synCacheEvictions()).isEqualTo(2 * BACKLOG);
        assertThat(layer().counters().cookiesWithheldForEno()).isEqualTo(2 * BACKLOG);
        // the newest BACKLOG clients complete; an evicted one's ACK finds nothing
        int last = 3 * BACKLOG - 1;
        assertThat(sendAck(SPOOFED_BASE + last, 40000, 1000L * last, synAcks.get(last))).isEmpty();
        assertThat(l.acceptor.take()).as("the newest client is accepted").isNotNull();
        List<TcpHeader> evicted = sendAck(SPOOFED_BASE, 40000, 0, synAcks.get(0));
        assertThat(evicted).as("an evicted client's ACK").hasSize(1);
        assertThat(evicted.get(0).flags() & RST).isEqualTo(RST);
    }

    @Test
    void plainSynsInAFullCacheStillGetCookies() {
        Peer.listen(h, CFG, 64);
        for (int i = 0; i < BACKLOG + 3; i++) {
            TcpHeader sa = sendSyn(SPOOFED_BASE + i, 40000, 1000L * i, false);
            assertThat(stateful(sa)).as("plain SYN %d", i).isEqualTo(i < BACKLOG);
        }
        assertThat(layer().counters().cookiesSent()).isEqualTo(3);
        assertThat(layer().counters().synCacheEvictions()).isZero();
    }

    @Test
    void aSourceHoldingItsShareEvictsItsOwnEntries() {
        Peer l = Peer.listen(h, CFG, 64);
        int flooder = SPOOFED_BASE + 1;
        int real = SPOOFED_BASE + 2;
        for (int i = 0; i < BACKLOG; i++) {
            sendSyn(flooder, 30000 + i, i, true);
        }
        TcpHeader realSynAck = sendSyn(real, 40000, 777, true);
        assertThat(stateful(realSynAck)).isTrue();
        for (int i = BACKLOG; i < 10 * BACKLOG; i++) {
            sendSyn(flooder, 30000 + i, i, true);
        }
        assertThat(layer().counters().synCacheSourceEvictions()).as("the flooder's own entries given up")
                .isEqualTo(9 * BACKLOG);
        assertThat(sendAck(real, 40000, 777, realSynAck)).as("the real client's ACK").isEmpty();
        assertThat(l.acceptor.take()).as("the real client survived a single-source flood").isNotNull();
    }

    @Test
    void tenThousandSpoofedEnoSynsStayWithinTheBound() {
        Peer l = Peer.listen(h, CFG, 64);
        SplittableRandom r = new SplittableRandom(13);
        for (int i = 0; i < 10_000; i++) {
            sendSyn(SPOOFED_BASE + r.nextInt(1 << 16), 1024 + r.nextInt(60000), r.nextInt() & 0xFFFF_FFFFL, true);
        }
        assertThat(l.listener.halfOpen()).isEqualTo(BACKLOG);
        assertThat(layer().connectionCount()).isEqualTo(BACKLOG);
        assertThat(layer().rings.allocations()).as("no ring for a half-open connection").isZero();
        assertThat(layer().counters().cookiesSent()).isZero();
        // a real client between flood bursts completes
        TcpHeader sa = sendSyn(SPOOFED_BASE + (1 << 17), 40000, 4242, true);
        for (int i = 0; i < BACKLOG - 1; i++) {
            sendSyn(SPOOFED_BASE + r.nextInt(1 << 16), 1024 + r.nextInt(60000), r.nextInt() & 0xFFFF_FFFFL, true);
        }
        assertThat(sendAck(SPOOFED_BASE + (1 << 17), 40000, 4242, sa)).isEmpty();
        assertThat(l.acceptor.take()).isNotNull();
    }

    // ------------------------------------------------------------------ the SYN gate after the handshake

    /** A gate that records what it is asked and decides when the test says. */
    private static final class RecordingGate implements SynGate {
        final List<Boolean> asked = new ArrayList<>();
        final List<Consumer<Boolean>> pending = new ArrayList<>();

        @Override
        public void onSyn(InetSocketAddress local, InetSocketAddress remote, boolean offersEno, Consumer<Boolean> d) {
            asked.add(offersEno);
            pending.add(d);
        }
    }

    private Acceptor transparent(SynGate gate) {
        Acceptor a = new Acceptor(64);
        layer().addListener(new ListenEndpoint(0, true, CFG, a, null, gate));
        return a;
    }

    @Test
    void aDeferringGateIsAskedAboutEnoSynsOnlyWhenTheHandshakeCompletes() {
        RecordingGate rec = new RecordingGate();
        Acceptor a = transparent(SynGate.deferringEno(rec));
        int client = SPOOFED_BASE + 5;
        TcpHeader sa = sendSyn(client, 40000, 99, true);
        assertThat(sa).as("an ENO SYN is answered at once").isNotNull();
        assertThat(rec.asked).as("the gate is not asked on the bare SYN").isEmpty();
        assertThat(layer().counters().synsGateDeferred()).isEqualTo(1);
        assertThat(sendAck(client, 40000, 99, sa)).isEmpty();
        assertThat(rec.asked).as("asked once the handshake completed").containsExactly(true);
        assertThat(a.take()).as("not in the accept queue before the gate decides").isNull();
        rec.pending.get(0).accept(true);
        h.poll();
        assertThat(a.take()).as("accepted once the gate said yes").isNotNull();
    }

    @Test
    void aDeferringGateThatRefusesResetsTheConnection() {
        RecordingGate rec = new RecordingGate();
        Acceptor a = transparent(SynGate.deferringEno(rec));
        int client = SPOOFED_BASE + 6;
        TcpHeader sa = sendSyn(client, 40000, 99, true);
        sendAck(client, 40000, 99, sa);
        rec.pending.get(0).accept(false);
        List<byte[]> out = h.poll();
        assertThat(out).hasSize(1);
        assertThat(Peer.parse(out.get(0)).flags() & RST).isEqualTo(RST);
        assertThat(a.take()).isNull();
        assertThat(layer().connectionCount()).isZero();
        assertThat(layer().counters().synsGateRefused()).isEqualTo(1);
    }

    @Test
    void aDeferringGateStillDecidesPlainSynsBeforeTheSynAck() {
        RecordingGate rec = new RecordingGate();
        transparent(SynGate.deferringEno(rec));
        assertThat(sendSyn(SPOOFED_BASE + 7, 40000, 99, false)).as("a plain SYN waits for the gate").isNull();
        assertThat(rec.asked).containsExactly(false);
        assertThat(layer().heldSyns()).isEqualTo(1);
        rec.pending.get(0).accept(true);
        List<byte[]> out = h.poll();
        assertThat(out).hasSize(1);
        assertThat(Peer.parse(out.get(0)).flags()).isEqualTo(SYN | ACK);
    }

    @Test
    void spoofedEnoSynsNeverReachADeferringGate() {
        RecordingGate rec = new RecordingGate();
        transparent(SynGate.deferringEno(rec));
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 2_000; i++) {
            sendSyn(SPOOFED_BASE + r.nextInt(1 << 16), 1024 + r.nextInt(60000), r.nextInt() & 0xFFFF_FFFFL, true);
        }
        assertThat(rec.asked).as("the gate asked about SYNs whose handshake never completed").isEmpty();
        assertThat(layer().heldSyns()).isZero();
        assertThat(layer().connectionCount()).isEqualTo(BACKLOG);
        assertThat(layer().gatesAfterHandshake()).isEqualTo(BACKLOG);
    }
}
