package dev.tuncrypt.tcpstack.tcp;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.StackHarness;
import dev.tuncrypt.tcpstack.tcp.rfc.Acceptor;
import dev.tuncrypt.tcpstack.tcp.rfc.Events;
import dev.tuncrypt.tcpstack.tcp.rfc.Peer;
import dev.tuncrypt.tcpstack.tcp.rfc.PeerOptions;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import dev.tuncrypt.tcpstack.wire.TcpOptions;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Creating a connection is all or nothing (issue 13, item 1): the SYN's options are checked
 * before any state exists (an MSS below 48 is raised to 48, as Linux's TCP_MIN_SND_MSS, and
 * counted), and a failure at any stage of creation, passive or active (protection factory, TCB,
 * SYN, SYN-ACK, its retransmission, the completing ACK, a cookie ACK, the SYN gate), leaves no
 * table entry, half-open slot, held SYN, timer or ring, and is counted by {@link OpenFailure}.
 * Each failure is injected where it can happen.
 */
class ConnectionCreationTest {
    private static final TcpConfig CFG = TcpConfig.DEFAULT;
    private static final long SECOND = 1_000_000_000L;

    /** Randomness that throws while armed: the TCB draws its timestamp offset from it. */
    private static final class ArmableRandom implements RandomGenerator {
        private final SplittableRandom r = new SplittableRandom(42);
        boolean armed;

        @Override
        public long nextLong() {
            if (armed) {
                throw new IllegalStateException("injected: randomness failed");
            }
            return r.nextLong();
        }
    }

    /** Where an injected protection throws. */
    private enum Throw { NEVER, PEER_SYN, SYN_ACK_OUT, SYN_ACK_RETRANSMIT, SYN_OUT }

    /** A protection that adds nothing and throws at {@code when}. */
    private static class FailingProtection implements SegmentProtection {
        private final Throw when;
        private int synAcksWritten;

        FailingProtection(Throw when) {
            this.when = when;
        }

        @Override
        public int writeSynOptions(ByteBuffer buf, int index, int room, boolean synAck) {
            if (!synAck && when == Throw.SYN_OUT) {
                throw new IllegalStateException("injected: SYN options");
            }
            if (synAck && (when == Throw.SYN_ACK_OUT || (when == Throw.SYN_ACK_RETRANSMIT && synAcksWritten > 0))) {
                throw new IllegalStateException("injected: SYN-ACK options");
            }
            if (synAck) {
                synAcksWritten++;
            }
            return index;
        }

        @Override
        public void onPeerSynOptions(ByteBuffer buf, int off, int len, TcpOptions parsed, boolean synAck) {
            if (when == Throw.PEER_SYN) {
                throw new IllegalStateException("injected: the peer's SYN options");
            }
        }

        @Override
        public boolean transformsStream() {
            return false;
        }
    }

    private static SegmentProtection.Factory failing(Throw when) {
        return (flow, active) -> new FailingProtection(when);
    }

    private static final SegmentProtection.Factory FACTORY_THROWS = (flow, active) -> {
        throw new IllegalStateException("injected: protection factory");
    };

    private final ArmableRandom random = new ArmableRandom();
    private final StackHarness h = new StackHarness(NetStack.builder(), i -> random);

    @AfterEach
    void close() {
        random.armed = false;
        h.close();
    }

    private TcpLayer layer() {
        return h.stack.tcp(0);
    }

    /** A listener on port 80 with {@code protection} (and, transparent, {@code gate}). */
    private Peer listener(SegmentProtection.Factory protection, SynGate gate, TcpConfig cfg,
            ListenEndpoint.AcceptSink sink) {
        Peer p = Peer.listen(h, cfg, 16);
        layer().removeListener(p.listener);
        if (sink instanceof Acceptor a) {
            p.acceptor = a;
        }
        p.listener = new ListenEndpoint(Peer.SERVER_PORT, gate != null, cfg, sink, protection, gate);
        layer().addListener(p.listener);
        return p;
    }

    private Peer listener(SegmentProtection.Factory protection) {
        return listener(protection, null, CFG, new Acceptor(16));
    }

    private void assertNothingLeft(Peer p, OpenFailure stage, long failures) {
        TcpLayer l = layer();
        assertThat(l.counters().openFailures(stage)).as("failures counted as " + stage).isEqualTo(failures);
        assertThat(l.connectionCount()).as("connections left").isZero();
        if (p != null && p.listener != null) {
            assertThat(p.listener.halfOpen()).as("half-open slots left").isZero();
        }
        assertThat(l.timers.size()).as("timers left").isZero();
        assertThat(l.heldSyns()).as("SYNs held for the gate").isZero();
        assertThat(l.gatesAfterHandshake()).as("gate entries left").isZero();
        assertThat(l.rings.allocations()).as("rings taken").isZero();
    }

    /** The listener still works for a good client afterwards. */
    private void goodClientStillConnects(Peer listener, int port) {
        Peer c = listener.client(port);
        TcpHeader sa = c.one(c.syn(PeerOptions.ALL), "SYN-ACK to a good client");
        c.check(sa, "SYN-ACK to a good client").flags(SYN | ACK);
        c.completePassive();
    }

    // ------------------------------------------------------------------ options before state

    @Test
    void synWithMssZeroIsRaisedTo48AndCounted() {
        Peer l = listener(null);
        Peer c = l.client(41000);
        c.one(c.syn(PeerOptions.NONE.withMss(0)), "SYN-ACK to MSS 0");
        c.completePassive();
        assertThat(c.conn.stats().mss()).as("segment size from MSS 0").isEqualTo(SynOptionsCheck.MIN_PEER_MSS);
        Peer t = l.client(41001);
        t.one(t.syn(PeerOptions.ALL.withMss(12)), "SYN-ACK to MSS 12 with timestamps");
        t.completePassive();
        assertThat(t.conn.stats().mss()).as("MSS 12 with timestamps: 48 less 12 option bytes").isEqualTo(36);
        assertThat(layer().counters().synMssRaised()).isEqualTo(2);
        assertThat(layer().counters().openFailures()).isZero();
    }

    @Test
    void threeHundredMssZeroSynsLeaveNoLeakAndNoCookieMode() {
        Peer l = listener(null);
        for (int i = 0; i < 300; i++) {
            Peer c = l.client(42000 + i);
            c.syn(PeerOptions.ALL.withMss(0));
        }
        assertThat(layer().counters().openFailures()).as("creations that failed").isZero();
        assertThat(l.listener.halfOpen()).as("half-open, bounded by the SYN backlog").isEqualTo(CFG.synBacklog());
        // the handshakes time out (SYN-ACK retransmissions given up) and free every slot
        for (int i = 0; i < 400; i++) {
            h.clock.advance(SECOND);
            h.poll();
        }
        assertThat(l.listener.halfOpen()).as("half-open after the handshakes timed out").isZero();
        assertThat(layer().connectionCount()).isZero();
        long cookies = layer().counters().cookiesSent();
        goodClientStillConnects(l, 43000);
        assertThat(layer().counters().cookiesSent()).as("no cookie for the next client").isEqualTo(cookies);
        assertThat(l.acceptor.queue).isEmpty(); // taken by completePassive
    }

    @Test
    void activeOpenTakesSynAckWithMssZeroAs48() {
        Peer p = Peer.connect(h, CFG);
        p.one(p.synAck(PeerOptions.NONE.withMss(0)), "the stack's ACK of a SYN-ACK with MSS 0");
        p.expectState(TcpState.ESTABLISHED, "after a SYN-ACK with MSS 0");
        assertThat(p.conn.stats().mss()).isEqualTo(SynOptionsCheck.MIN_PEER_MSS);
        assertThat(layer().counters().synMssRaised()).isEqualTo(1);
    }

    @Test
    void effectiveMssLeftAfterOptionsIsCheckedBeforeState() {
        TcpOptions o = new TcpOptions();
        assertThat(SynOptionsCheck.effectiveMss(o, false, CFG, 1460)).isEqualTo(536);
        assertThat(SynOptionsCheck.effectiveMss(o, true, CFG, 1440)).isEqualTo(1220);
        assertThat(SynOptionsCheck.effectiveMss(o, false, CFG, 0)).as("a link with no room").isLessThanOrEqualTo(0);
    }

    // ------------------------------------------------------------------ passive creation

    @Test
    void protectionFactoryThrowingOnSynLeavesNothing() {
        Peer l = listener(FACTORY_THROWS);
        Peer c = l.client(41000);
        c.none(c.syn(PeerOptions.ALL), "no SYN-ACK when the protection cannot be created");
        assertNothingLeft(l, OpenFailure.PROTECTION_CREATE, 1);
    }

    @Test
    void tcbCreationThrowingOnSynLeavesNothing() {
        Peer l = listener(null);
        Peer c = l.client(41000);
        random.armed = true;
        c.none(c.syn(PeerOptions.ALL), "no SYN-ACK when the TCB cannot be built");
        random.armed = false;
        assertNothingLeft(l, OpenFailure.TCB_CREATE, 1);
        goodClientStillConnects(l, 41001);
    }

    @Test
    void peerSynOptionsThrowingLeavesNothing() {
        Peer l = listener(failing(Throw.PEER_SYN));
        Peer c = l.client(41000);
        c.none(c.syn(PeerOptions.ALL), "no SYN-ACK when the SYN's options fail");
        assertNothingLeft(l, OpenFailure.HANDSHAKE, 1);
    }

    @Test
    void synAckOptionsThrowingLeavesNothing() {
        Peer l = listener(failing(Throw.SYN_ACK_OUT));
        Peer c = l.client(41000);
        c.none(c.syn(PeerOptions.ALL), "no SYN-ACK when its options fail");
        assertNothingLeft(l, OpenFailure.HANDSHAKE, 1);
    }

    @Test
    void synAckRetransmissionThrowingLeavesNothing() {
        Peer l = listener(failing(Throw.SYN_ACK_RETRANSMIT));
        Peer c = l.client(41000);
        c.one(c.syn(PeerOptions.ALL), "the first SYN-ACK");
        c.advance(5 * SECOND); // the retransmission timer fires and the retransmission fails
        assertNothingLeft(l, OpenFailure.HANDSHAKE, 1);
    }

    @Test
    void acceptQueueThrowingOnTheCompletingAckLeavesNothing() {
        ListenEndpoint.AcceptSink throwing = new ListenEndpoint.AcceptSink() {
            @Override
            public boolean full() {
                return false;
            }

            @Override
            public void accept(TcpConnection connection, TcpLayer layer) {
                throw new IllegalStateException("injected: accept queue");
            }
        };
        Peer l = listener(null, null, CFG, throwing);
        Peer c = l.client(41000);
        c.one(c.syn(PeerOptions.ALL), "SYN-ACK");
        c.send(c.seg());
        assertNothingLeft(l, OpenFailure.HANDSHAKE, 1);
    }

    @Test
    void protectionFactoryThrowingOnCookieAckLeavesNothing() {
        int[] created = {0};
        SegmentProtection.Factory secondFails = (flow, active) -> {
            if (++created[0] > 1) {
                throw new IllegalStateException("injected: protection factory on the cookie ACK");
            }
            return SegmentProtection.NONE;
        };
        Peer l = listener(secondFails, null, CFG.withSynBacklog(16, 1), new Acceptor(16));
        Peer first = l.client(41000);
        first.one(first.syn(PeerOptions.ALL), "SYN-ACK with state");
        Peer cookie = l.client(41001);
        cookie.one(cookie.syn(PeerOptions.ALL), "a cookie SYN-ACK (plain SYN, full SYN cache)");
        assertThat(layer().counters().cookiesSent()).isEqualTo(1);
        cookie.send(cookie.seg());
        assertThat(layer().counters().openFailures(OpenFailure.PROTECTION_CREATE)).isEqualTo(1);
        assertThat(layer().connectionCount()).as("only the first client's half-open TCB").isEqualTo(1);
        assertThat(l.acceptor.queue).as("nothing accepted from the failed cookie").isEmpty();
    }

    @Test
    void tcbCreationThrowingOnCookieAckLeavesNothing() {
        Peer l = listener(null, null, CFG.withSynBacklog(16, 1), new Acceptor(16));
        Peer first = l.client(41000);
        first.one(first.syn(PeerOptions.ALL), "SYN-ACK with state");
        Peer cookie = l.client(41001);
        cookie.one(cookie.syn(PeerOptions.ALL), "a cookie SYN-ACK");
        random.armed = true;
        cookie.send(cookie.seg());
        random.armed = false;
        assertThat(layer().counters().openFailures(OpenFailure.TCB_CREATE)).isEqualTo(1);
        assertThat(layer().connectionCount()).isEqualTo(1);
        assertThat(l.acceptor.queue).isEmpty();
    }

    @Test
    void acceptQueueThrowingOnACookieAckLeavesNothing() {
        ListenEndpoint.AcceptSink throwing = new ListenEndpoint.AcceptSink() {
            @Override
            public boolean full() {
                return false;
            }

            @Override
            public void accept(TcpConnection connection, TcpLayer layer) {
                throw new IllegalStateException("injected: accept queue");
            }
        };
        Peer l = listener(null, null, CFG.withSynBacklog(16, 1), throwing);
        Peer first = l.client(41000);
        first.one(first.syn(PeerOptions.ALL), "SYN-ACK with state");
        Peer cookie = l.client(41001);
        cookie.one(cookie.syn(PeerOptions.ALL), "a cookie SYN-ACK");
        cookie.send(cookie.seg());
        assertThat(layer().counters().cookiesAccepted()).isEqualTo(1);
        assertThat(layer().counters().openFailures(OpenFailure.HANDSHAKE)).isEqualTo(1);
        assertThat(layer().connectionCount()).as("only the first client's half-open TCB").isEqualTo(1);
        assertThat(layer().timers.size()).as("only the first client's timer").isEqualTo(1);
    }

    // ------------------------------------------------------------------ the SYN gate

    @Test
    void gateThrowingOnTheSynLeavesNothing() {
        SynGate throwing = (local, remote, eno, decision) -> {
            throw new IllegalStateException("injected: gate");
        };
        Peer l = listener(null, throwing, CFG, new Acceptor(16));
        Peer c = l.client(41000);
        c.none(c.syn(PeerOptions.ALL), "no SYN-ACK when the gate fails");
        assertNothingLeft(l, OpenFailure.SYN_GATE, 1);
    }

    @Test
    void gateTimingThrowingLeavesNothing() {
        SynGate throwing = new SynGate() {
            @Override
            public void onSyn(InetSocketAddress local, InetSocketAddress remote, boolean offersEno,
                    java.util.function.Consumer<Boolean> decision) {
                decision.accept(true);
            }

            @Override
            public Timing timing(InetSocketAddress local, InetSocketAddress remote, boolean offersEno) {
                throw new IllegalStateException("injected: gate timing");
            }
        };
        Peer l = listener(null, throwing, CFG, new Acceptor(16));
        Peer c = l.client(41000);
        c.none(c.syn(PeerOptions.ALL), "no SYN-ACK when the gate fails");
        assertNothingLeft(l, OpenFailure.SYN_GATE, 1);
    }

    @Test
    void gateThrowingAfterTheHandshakeLeavesNothing() {
        SynGate throwing = new SynGate() {
            @Override
            public void onSyn(InetSocketAddress local, InetSocketAddress remote, boolean offersEno,
                    java.util.function.Consumer<Boolean> decision) {
                throw new IllegalStateException("injected: gate after the handshake");
            }

            @Override
            public Timing timing(InetSocketAddress local, InetSocketAddress remote, boolean offersEno) {
                return Timing.AFTER_HANDSHAKE;
            }
        };
        Peer l = listener(null, throwing, CFG, new Acceptor(16));
        Peer c = l.client(41000);
        c.one(c.syn(PeerOptions.ALL), "SYN-ACK at once (gate after the handshake)");
        c.send(c.seg());
        assertNothingLeft(l, OpenFailure.SYN_GATE, 1);
        assertThat(l.acceptor.queue).isEmpty();
    }

    // ------------------------------------------------------------------ active creation

    private static final InetSocketAddress LOCAL = new InetSocketAddress("198.18.7.2", 45000);
    private static final InetSocketAddress REMOTE = new InetSocketAddress(Peer.PEER4, Peer.SERVER_PORT);

    @Test
    void connectWithAThrowingProtectionFactoryThrowsAndLeavesNothing() {
        Events e = new Events();
        assertThatThrownBy(() -> layer().connect(LOCAL, REMOTE, CFG, e, FACTORY_THROWS))
                .hasMessageContaining("injected");
        assertNothingLeft(null, OpenFailure.PROTECTION_CREATE, 1);
        assertThat(e.log).as("no callback for a connection that never existed").isEmpty();
    }

    @Test
    void connectWithAFailingTcbThrowsAndLeavesNothing() {
        Events e = new Events();
        random.armed = true;
        assertThatThrownBy(() -> layer().connect(LOCAL, REMOTE, CFG, e, null)).hasMessageContaining("injected");
        random.armed = false;
        assertNothingLeft(null, OpenFailure.TCB_CREATE, 1);
    }

    @Test
    void connectWhoseSynOptionsThrowThrowsAndLeavesNothing() {
        Events e = new Events();
        assertThatThrownBy(() -> layer().connect(LOCAL, REMOTE, CFG, e, failing(Throw.SYN_OUT)))
                .hasMessageContaining("injected");
        assertNothingLeft(null, OpenFailure.HANDSHAKE, 1);
        assertThat(h.poll()).as("no SYN went out").isEmpty();
        // the same tuple can be used again at once
        layer().connect(LOCAL, REMOTE, CFG, e, null);
        assertThat(layer().connectionCount()).isEqualTo(1);
    }

    @Test
    void synRetransmissionThrowingAbortsTheConnectionAndLeavesNothing() {
        Events e = new Events();
        int[] written = {0};
        SegmentProtection.Factory secondSynFails = (flow, active) -> new FailingProtection(Throw.NEVER) {
            @Override
            public int writeSynOptions(ByteBuffer buf, int index, int room, boolean synAck) {
                if (++written[0] > 1) {
                    throw new IllegalStateException("injected: SYN retransmission");
                }
                return index;
            }
        };
        TcpConnection c = layer().connect(LOCAL, REMOTE, CFG, e, secondSynFails);
        assertThat(h.poll()).as("the first SYN").hasSize(1);
        h.advance(2 * SECOND);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(e.reason).isEqualTo(TcpError.ABORTED);
        assertNothingLeft(null, OpenFailure.HANDSHAKE, 1);
    }

    @Test
    void synAckWhoseOptionsThrowAbortsTheConnectionAndLeavesNothing() {
        Events e = new Events();
        TcpConnection c = layer().connect(LOCAL, REMOTE, CFG, e, failing(Throw.PEER_SYN));
        List<byte[]> syn = h.poll();
        assertThat(syn).hasSize(1);
        TcpHeader s = Peer.parse(syn.get(0));
        byte[] synAck = dev.tuncrypt.tcpstack.tcp.rfc.Seg.tcp().from(Peer.SERVER_PORT).to(LOCAL.getPort())
                .seq(0x1000).ack((s.sequenceNumber() + 1) & 0xFFFF_FFFFL).flags(SYN | ACK).mss(1460).build();
        h.exchange(synAck);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(e.closed).as("the application is told").isTrue();
        assertThat(e.reason).isEqualTo(TcpError.ABORTED);
        assertNothingLeft(null, OpenFailure.HANDSHAKE, 1);
    }
}
