package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.sim.AcceptAll;
import dev.tuncrypt.tcpstack.sim.Simulation;
import dev.tuncrypt.tcpstack.testsupport.StreamSink;
import dev.tuncrypt.tcpstack.tcp.ListenEndpoint;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tun.FaultModel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * tcpcrypt-0.5 in the stack's segment paths, two stacks over a simulated link: negotiation,
 * Init1/Init2, frames both ways under loss, equal session IDs, resumption, fallback and the
 * required mode.
 */
class TcpCryptOverTcpTest {
    /** This class tests the tcpcrypt-0.5 dialect (the default is rfc8548). */
    private static final TcpCryptConfig DEFAULT_05 = TcpCryptConfig.DEFAULT.withDialects(java.util.List.of(Dialect.TCPCRYPT_05));



    private static TcpCrypt crypt(CryptMode mode) {
        return TcpCrypt.create(DEFAULT_05.withMode(mode), new SecureRandom(), Runnable::run,
                InstantSource.system());
    }

    private static Simulation sim(long seed, FaultModel faults, TcpCrypt a, TcpCrypt b) {
        return Simulation.builder(seed).faults(faults).stackA(s -> s.protection(a.protections()))
                .stackB(s -> s.protection(b.protections())).build();
    }

    /** Where B's listener puts the next connection, with the sink it gets. */
    static final class Accepts {
        TcpConnection accepted;
        StreamSink sink;
    }

    private static void listen(Simulation sim, Accepts into) {
        TcpLayer bl = sim.b().tcp(0);
        bl.addListener(new ListenEndpoint(7777, false, bl.config(), AcceptAll.calling(connection -> {
            connection.setListener(into.sink);
            into.accepted = connection;
        })));
    }

    private static TcpConnection dial(Simulation sim, StreamSink sink) {
        return sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7777), sim.a().tcp(0).config(), sink);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Sends {@code up} A→B and {@code down} B→A, half-closing each when done; runs until both EOFs. */
    private static void exchange(Simulation sim, TcpConnection a, TcpConnection b, StreamSink aSink, StreamSink bSink, byte[] up,
            byte[] down) {
        ByteBuffer u = ByteBuffer.wrap(up);
        ByteBuffer d = ByteBuffer.wrap(down);
        sim.runUntil(() -> {
            if (u.hasRemaining() && a.send(u) >= 0 && !u.hasRemaining()) {
                a.shutdownOutput();
            }
            if (d.hasRemaining() && b.send(d) >= 0 && !d.hasRemaining()) {
                b.shutdownOutput();
            }
            return aSink.eof && bSink.eof;
        }, 600 * Simulation.SECOND, "both directions delivered");
    }

    @Test
    void encryptedBothWaysUnderLossWithEqualSessionIds() {
        FaultModel lossy = FaultModel.NONE.withLoss(0.03).withReorder(0.03, 2 * Simulation.MILLISECOND)
                .withDuplicate(0.01).withCorrupt(0.01).withDelay(Simulation.MILLISECOND, 0);
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT);
                Simulation sim = sim(21, lossy, ca, cb)) {
            StreamSink aSink = new StreamSink();
            Accepts b = new Accepts();
            b.sink = new StreamSink();
            listen(sim, b);
            TcpConnection a = dial(sim, aSink);
            sim.runUntil(() -> b.accepted != null, 10 * Simulation.SECOND);
            StreamSink bSink = b.sink;
            TcpConnection[] accepted = {b.accepted};
            byte[] up = random(2 << 20, 1);
            byte[] down = random(512 << 10, 2);
            exchange(sim, a, accepted[0], aSink, bSink, up, down);
            assertThat(bSink.data.toByteArray()).isEqualTo(up);
            assertThat(aSink.data.toByteArray()).isEqualTo(down);
            TcpCryptInfo ia = ((TcpCryptProtection) a.protection()).info();
            TcpCryptInfo ib = ((TcpCryptProtection) accepted[0].protection()).info();
            assertThat(ia).isNotNull();
            assertThat(ib).isNotNull();
            assertThat(ia.sessionId()).isEqualTo(ib.sessionId());
            // the futures a proxy waits on (leg 2 of a served connection) completed with the same
            assertThat(TcpCrypt.whenEstablished(a)).isCompletedWithValue(ia);
            assertThat(TcpCrypt.whenEstablished(accepted[0])).isCompletedWithValue(ib);
            assertThat(ia.sessionId().bytes()).hasSize(33);
            assertThat(ia.sessionId().bytes()[0]).isEqualTo((byte) 0x21);
            assertThat(ia.resumed()).isFalse();
            assertThat(ia.localPublicKey()).isEqualTo(ib.peerPublicKey());
            assertThat(ib.localPublicKey()).isEqualTo(ia.peerPublicKey());
            assertThat(ca.handshakes()).isEqualTo(1);
            assertThat(cb.handshakes()).isEqualTo(1);
            // one key agreement timed on each end (the direct executor runs it at once)
            assertThat(ca.keyAgreementLatency().count()).isEqualTo(1);
            assertThat(cb.keyAgreementLatency().count()).isEqualTo(1);
            assertThat(ca.keyAgreementLatency().sumNanos()).isPositive();
        }
    }

    @Test
    void secondConnectionResumesWithAnotherSessionId() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT);
                Simulation sim = sim(22, FaultModel.NONE, ca, cb)) {
            TcpCryptInfo[] first = new TcpCryptInfo[1];
            Accepts b = new Accepts();
            listen(sim, b);
            for (int round = 0; round < 2; round++) {
                StreamSink aSink = new StreamSink();
                StreamSink bSink = new StreamSink();
                b.sink = bSink;
                b.accepted = null;
                TcpConnection a = dial(sim, aSink);
                sim.runUntil(() -> b.accepted != null, 10 * Simulation.SECOND);
                TcpConnection[] accepted = {b.accepted};
                exchange(sim, a, accepted[0], aSink, bSink, "ping".getBytes(), "pong".getBytes());
                TcpCryptInfo ia = ((TcpCryptProtection) a.protection()).info();
                TcpCryptInfo ib = ((TcpCryptProtection) accepted[0].protection()).info();
                assertThat(ia.sessionId()).isEqualTo(ib.sessionId());
                if (round == 0) {
                    first[0] = ia;
                    assertThat(ia.resumed()).isFalse();
                } else {
                    assertThat(ia.resumed()).isTrue();
                    assertThat(ia.sessionId()).isNotEqualTo(first[0].sessionId());
                    assertThat(ia.sessionId().bytes()[0]).isEqualTo((byte) 0xA1);
                }
            }
            assertThat(ca.resumptions()).isEqualTo(1);
            assertThat(cb.resumptions()).isEqualTo(1);
            assertThat(ca.keyAgreementLatency().count()).as("a resumption agrees no keys").isEqualTo(1);
        }
    }

    @Test
    void aPeerThatNeverEncryptsGetsPlainTcp() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.NEVER);
                Simulation sim = sim(23, FaultModel.NONE, ca, cb)) {
            StreamSink aSink = new StreamSink();
            Accepts b = new Accepts();
            b.sink = new StreamSink();
            listen(sim, b);
            TcpConnection a = dial(sim, aSink);
            sim.runUntil(() -> b.accepted != null, 10 * Simulation.SECOND);
            StreamSink bSink = b.sink;
            exchange(sim, a, b.accepted, aSink, bSink, "hello".getBytes(), "world".getBytes());
            assertThat(new String(bSink.data.toByteArray())).isEqualTo("hello");
            assertThat(((TcpCryptProtection) a.protection()).info()).isNull();
            assertThat(TcpCrypt.whenEstablished(a)).isNotDone();
            assertThat(TcpCrypt.whenEstablished(b.accepted)).as("no tcpcrypt protection at all").isCompletedExceptionally();
            assertThat(((TcpCryptProtection) a.protection()).fallbackReason()).isNotNull();
            assertThat(ca.fallbacks()).isEqualTo(1);
            assertThat(ca.fallbacks(dev.tuncrypt.tcpcrypt.eno.EnoOutcome.Reason.NO_ENO_OPTION)).isEqualTo(1);
            assertThat(ca.fallbacks(dev.tuncrypt.tcpcrypt.eno.EnoOutcome.Reason.NO_COMMON_TEP)).isZero();
            assertThat(ca.keyAgreementLatency().count()).isZero();
        }
    }

    /**
     * A plain SYN reaching protections made for local applications (the daemon's transparent
     * listener, leg 1 of a steered connection) is not a network peer declining tcpcrypt: it is
     * not counted as a fallback; the same SYN at ordinary protections is.
     */
    @Test
    void plainSynsFromLocalApplicationsAreNotFallbacks() {
        for (boolean local : new boolean[] {true, false}) {
            try (TcpCrypt ca = crypt(CryptMode.NEVER); TcpCrypt cb = crypt(CryptMode.DEFAULT);
                    Simulation sim = Simulation.builder(29).faults(FaultModel.NONE)
                            .stackA(s -> s.protection(ca.protections()))
                            .stackB(s -> s.protection(local ? cb.localApplicationProtections(cb.config())
                                    : cb.protections()))
                            .build()) {
                StreamSink aSink = new StreamSink();
                Accepts b = new Accepts();
                b.sink = new StreamSink();
                listen(sim, b);
                TcpConnection a = dial(sim, aSink);
                sim.runUntil(() -> b.accepted != null, 10 * Simulation.SECOND);
                exchange(sim, a, b.accepted, aSink, b.sink, "hello".getBytes(), "world".getBytes());
                assertThat(new String(b.sink.data.toByteArray())).isEqualTo("hello");
                assertThat(cb.fallbacks()).as(local ? "local application" : "network peer").isEqualTo(local ? 0 : 1);
            }
        }
    }

    /**
     * The peer's data and FIN arrive while this end's key agreement still runs on a worker (a
     * server that answers and closes at once, with a busy worker pool here): the frames wait for
     * the keys, then the data and the end of the stream are delivered. The FIN is not a
     * truncated Init message.
     */
    @Test
    void finArrivingWhileKeysAreStillBeingAgreedEndsTheStreamCleanly() {
        java.util.Queue<Runnable> deferred = new java.util.concurrent.ConcurrentLinkedQueue<>();
        try (TcpCrypt ca = TcpCrypt.create(DEFAULT_05, new SecureRandom(), deferred::add,
                        InstantSource.system());
                TcpCrypt cb = crypt(CryptMode.DEFAULT);
                Simulation sim = sim(25, FaultModel.NONE, ca, cb)) {
            StreamSink aSink = new StreamSink();
            Accepts b = new Accepts();
            b.sink = new StreamSink();
            listen(sim, b);
            TcpConnection a = dial(sim, aSink);
            sim.runUntil(() -> b.accepted != null, 10 * Simulation.SECOND);
            ByteBuffer answer = ByteBuffer.wrap("answer\n".getBytes());
            sim.runUntil(() -> {
                if (answer.hasRemaining() && b.accepted.send(answer) >= 0 && !answer.hasRemaining()) {
                    b.accepted.shutdownOutput();
                }
                return a.state() == TcpState.CLOSE_WAIT || a.state() == TcpState.CLOSED;
            }, 10 * Simulation.SECOND, "B's FIN at A");
            assertThat(a.state()).as("A took the FIN (error " + aSink.closedWith + ")").isEqualTo(TcpState.CLOSE_WAIT);
            assertThat(deferred).as("A's key agreement still pending").isNotEmpty();
            Runnable task;
            while ((task = deferred.poll()) != null) {
                task.run();
            }
            sim.runUntil(() -> aSink.eof, 10 * Simulation.SECOND, "A reads to the end");
            assertThat(new String(aSink.data.toByteArray())).isEqualTo("answer\n");
            assertThat(ca.handshakes()).isEqualTo(1);
        }
    }

    @Test
    void alwaysRefusesAPlainPeer() {
        try (TcpCrypt ca = crypt(CryptMode.ALWAYS); TcpCrypt cb = crypt(CryptMode.NEVER);
                Simulation sim = sim(24, FaultModel.NONE, ca, cb)) {
            StreamSink aSink = new StreamSink();
            Accepts b = new Accepts();
            b.sink = new StreamSink();
            listen(sim, b);
            TcpConnection a = dial(sim, aSink);
            sim.runUntil(() -> aSink.closed, 10 * Simulation.SECOND);
            assertThat(aSink.closedWith).isEqualTo(TcpError.NOT_PROTECTED);
            assertThat(a.state()).isEqualTo(TcpState.CLOSED);
        }
    }

    @Test
    void perSocketSettingsOverrideTheStacks() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT);
                Simulation sim = sim(25, FaultModel.NONE, ca, cb)) {
            Accepts b = new Accepts();
            b.sink = new StreamSink();
            listen(sim, b);
            // this socket alone never encrypts, although both stacks would
            StreamSink plainSink = new StreamSink();
            TcpConnection plain = sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7777),
                    sim.a().tcp(0).config(), plainSink, ca.protections(DEFAULT_05.withMode(CryptMode.NEVER)));
            sim.runUntil(() -> b.accepted != null, 10 * Simulation.SECOND);
            exchange(sim, plain, b.accepted, plainSink, b.sink, "in the clear".getBytes(), "ok".getBytes());
            assertThat(TcpCrypt.info(plain)).isNull();
            assertThat(new String(b.sink.data.toByteArray())).isEqualTo("in the clear");

            // this one prefers P-521 and AES-256-GCM
            Accepts b2 = b;
            b2.accepted = null;
            b2.sink = new StreamSink();
            StreamSink strongSink = new StreamSink();
            TcpConnection strong = sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7777),
                    sim.a().tcp(0).config(), strongSink, ca.protections(DEFAULT_05
                            .withTeps(java.util.List.of(Tep.ECDHE_P521)).withCiphers(java.util.List.of(SymCipher.AES_256_GCM))));
            sim.runUntil(() -> b2.accepted != null, 10 * Simulation.SECOND);
            exchange(sim, strong, b2.accepted, strongSink, b2.sink, "strong".getBytes(), "ok".getBytes());
            TcpCryptInfo info = TcpCrypt.info(strong);
            assertThat(info.tep()).isEqualTo(Tep.ECDHE_P521);
            assertThat(info.cipher()).isEqualTo(SymCipher.AES_256_GCM);
            assertThat(info.sessionId()).isEqualTo(TcpCrypt.info(b2.accepted).sessionId());
            assertThat(info.sessionId().bytes()[0]).isEqualTo((byte) 0x22);
        }
    }

    @Test
    void aListenerThatRequiresEncryptionRefusesAPlainClient() {
        try (TcpCrypt ca = crypt(CryptMode.NEVER); TcpCrypt cb = crypt(CryptMode.DEFAULT);
                Simulation sim = sim(26, FaultModel.NONE, ca, cb)) {
            TcpLayer bl = sim.b().tcp(0);
            boolean[] accepted = new boolean[1];
            bl.addListener(new ListenEndpoint(7778, false, bl.config(), AcceptAll.calling(connection -> accepted[0] = true),
                    cb.protections(DEFAULT_05.withMode(CryptMode.ALWAYS))));
            StreamSink aSink = new StreamSink();
            TcpConnection a = sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7778),
                    sim.a().tcp(0).config(), aSink);
            sim.runUntil(() -> aSink.closed, 10 * Simulation.SECOND);
            assertThat(aSink.closedWith).isEqualTo(TcpError.RESET);
            assertThat(accepted[0]).isFalse();
            assertThat(a.state()).isEqualTo(TcpState.CLOSED);
        }
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> tepsAndCiphers() {
        return java.util.stream.Stream.of(Tep.values()).filter(Tep::inDialect05)
                .flatMap(t -> java.util.stream.Stream.of(SymCipher.values()).filter(SymCipher::inDialect05)
                        .map(c -> org.junit.jupiter.params.provider.Arguments.of(t, c)));
    }

    /** Every TEP × cipher under loss, reordering, duplication and corruption; the second connection resumes. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("tepsAndCiphers")
    void everyTepAndCipherUnderFaultsThenResumed(Tep tep, SymCipher cipher) {
        TcpCryptConfig only = DEFAULT_05.withTeps(java.util.List.of(tep)).withCiphers(java.util.List.of(cipher));
        FaultModel faults = FaultModel.NONE.withLoss(0.02).withReorder(0.02, 2 * Simulation.MILLISECOND)
                .withDuplicate(0.01).withCorrupt(0.01).withDelay(Simulation.MILLISECOND, 0);
        try (TcpCrypt ca = TcpCrypt.create(only, new SecureRandom(), Runnable::run, InstantSource.system());
                TcpCrypt cb = TcpCrypt.create(only, new SecureRandom(), Runnable::run, InstantSource.system());
                Simulation sim = sim(30 + tep.ordinal() * 2 + cipher.ordinal(), faults, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            SessionId first = null;
            for (int round = 0; round < 2; round++) {
                StreamSink aSink = new StreamSink();
                b.sink = new StreamSink();
                b.accepted = null;
                TcpConnection a = dial(sim, aSink);
                sim.runUntil(() -> b.accepted != null, 30 * Simulation.SECOND);
                byte[] up = random(256 << 10, round);
                byte[] down = random(128 << 10, round + 7);
                exchange(sim, a, b.accepted, aSink, b.sink, up, down);
                assertThat(b.sink.data.toByteArray()).isEqualTo(up);
                assertThat(aSink.data.toByteArray()).isEqualTo(down);
                TcpCryptInfo ia = TcpCrypt.info(a);
                TcpCryptInfo ib = TcpCrypt.info(b.accepted);
                assertThat(ia.tep()).isEqualTo(tep);
                assertThat(ia.cipher()).isEqualTo(cipher);
                assertThat(ia.sessionId()).isEqualTo(ib.sessionId());
                assertThat(ia.resumed()).isEqualTo(round == 1);
                if (round == 0) {
                    first = ia.sessionId();
                } else {
                    assertThat(ia.sessionId()).isNotEqualTo(first);
                }
            }
        }
    }
}
