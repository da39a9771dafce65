package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.sim.AcceptAll;
import dev.tuncrypt.tcpstack.sim.Simulation;
import dev.tuncrypt.tcpstack.tcp.ListenEndpoint;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.testsupport.StreamSink;
import dev.tuncrypt.tun.FaultModel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rfc8548 dialect in the stack's segment paths, two stacks over a simulated link: every TEP
 * with every AEAD, resumption, each kind of link fault, key updates, and the dialect choice when
 * the two ends configure different dialects.
 */
class Rfc8548OverTcpTest {
    static final TcpCryptConfig RFC = TcpCryptConfig.DEFAULT.withDialects(List.of(Dialect.RFC8548))
            .withTeps(List.of(Tep.ECDHE_X25519, Tep.ECDHE_P256, Tep.ECDHE_X448, Tep.ECDHE_P521))
            .withCiphers(List.of(SymCipher.AES_128_GCM, SymCipher.CHACHA20_POLY1305, SymCipher.AES_256_GCM));
    static final TcpCryptConfig V05 = TcpCryptConfig.DEFAULT.withDialects(List.of(Dialect.TCPCRYPT_05));
    static final TcpCryptConfig BOTH = RFC.withDialects(List.of(Dialect.RFC8548, Dialect.TCPCRYPT_05));

    static TcpCrypt crypt(TcpCryptConfig config) {
        return TcpCrypt.create(config, new SecureRandom(), Runnable::run, InstantSource.system());
    }

    static Simulation sim(long seed, FaultModel faults, TcpCrypt a, TcpCrypt b) {
        return Simulation.builder(seed).faults(faults).stackA(s -> s.protection(a.protections()))
                .stackB(s -> s.protection(b.protections())).build();
    }

    static final class Accepts {
        TcpConnection accepted;
        StreamSink sink;
    }

    static void listen(Simulation sim, Accepts into) {
        TcpLayer bl = sim.b().tcp(0);
        bl.addListener(new ListenEndpoint(7777, false, bl.config(), AcceptAll.calling(connection -> {
            connection.setListener(into.sink);
            into.accepted = connection;
        })));
    }

    static TcpConnection dial(Simulation sim, StreamSink sink) {
        return sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7777), sim.a().tcp(0).config(), sink);
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static void exchange(Simulation sim, TcpConnection a, TcpConnection b, StreamSink aSink, StreamSink bSink, byte[] up,
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

    /** One connection A→B carrying {@code up} and {@code down}; returns both ends. */
    static TcpConnection[] connectAndExchange(Simulation sim, Accepts b, byte[] up, byte[] down) {
        StreamSink aSink = new StreamSink();
        b.sink = new StreamSink();
        b.accepted = null;
        TcpConnection a = dial(sim, aSink);
        sim.runUntil(() -> b.accepted != null, 30 * Simulation.SECOND);
        exchange(sim, a, b.accepted, aSink, b.sink, up, down);
        assertThat(b.sink.data.toByteArray()).isEqualTo(up);
        assertThat(aSink.data.toByteArray()).isEqualTo(down);
        return new TcpConnection[] {a, b.accepted};
    }

    static Stream<Arguments> tepsAndCiphers() {
        return Stream.of(Tep.values()).flatMap(t -> Stream.of(SymCipher.values()).map(c -> Arguments.of(t, c)));
    }

    /** Every TEP × AEAD under mixed faults: byte-exact both ways, equal session IDs; the second connection resumes. */
    @ParameterizedTest
    @MethodSource("tepsAndCiphers")
    void everyTepAndCipherDeliversExactlyThenResumes(Tep tep, SymCipher cipher) {
        TcpCryptConfig only = RFC.withTeps(List.of(tep)).withCiphers(List.of(cipher));
        FaultModel faults = FaultModel.NONE.withLoss(0.01).withReorder(0.01, 2 * Simulation.MILLISECOND)
                .withDuplicate(0.01).withCorrupt(0.01).withDelay(Simulation.MILLISECOND, 0);
        try (TcpCrypt ca = crypt(only); TcpCrypt cb = crypt(only);
                Simulation sim = sim(130 + tep.ordinal() * 3 + cipher.ordinal(), faults, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            SessionId first = null;
            for (int round = 0; round < 2; round++) {
                TcpConnection[] ends = connectAndExchange(sim, b, random(128 << 10, round), random(64 << 10, round + 7));
                TcpCryptInfo ia = TcpCrypt.info(ends[0]);
                TcpCryptInfo ib = TcpCrypt.info(ends[1]);
                assertThat(ia.dialect()).isEqualTo("rfc8548");
                assertThat(ib.dialect()).isEqualTo("rfc8548");
                assertThat(ia.tep()).isEqualTo(tep);
                assertThat(ia.cipher()).isEqualTo(cipher);
                assertThat(ib.cipher()).isEqualTo(cipher);
                assertThat(ia.sessionId()).isEqualTo(ib.sessionId());
                assertThat(ia.resumed()).isEqualTo(round == 1);
                if (round == 0) {
                    first = ia.sessionId();
                    assertThat(ia.sessionId().firstByte()).isEqualTo(tep.id());
                    assertThat(ia.localPublicKey()).hasSize(dev.tuncrypt.tcpcrypt.rfc8548.PublicKeys8548.wireLength(tep)).isEqualTo(ib.peerPublicKey());
                    assertThat(ib.localPublicKey()).isEqualTo(ia.peerPublicKey());
                } else {
                    assertThat(ia.sessionId()).isNotEqualTo(first);
                    assertThat(ia.sessionId().firstByte()).isEqualTo(tep.id() | 0x80);
                    assertThat(ia.localPublicKey()).isEmpty(); // no Init messages on a resumed session
                }
            }
            assertThat(ca.handshakes()).isEqualTo(1);
            assertThat(cb.handshakes()).isEqualTo(1);
            assertThat(ca.resumptions()).isEqualTo(1);
            assertThat(cb.resumptions()).isEqualTo(1);
        }
    }

    static Stream<Arguments> faults() {
        long ms = Simulation.MILLISECOND;
        return Stream.of(
                Arguments.of("loss", FaultModel.NONE.withLoss(0.05).withDelay(ms, 0), Tep.ECDHE_X25519, SymCipher.CHACHA20_POLY1305),
                Arguments.of("reorder", FaultModel.NONE.withReorder(0.1, 3 * ms).withDelay(ms, 0), Tep.ECDHE_P256, SymCipher.AES_128_GCM),
                Arguments.of("duplication", FaultModel.NONE.withDuplicate(0.1).withDelay(ms, 0), Tep.ECDHE_X448, SymCipher.AES_256_GCM),
                Arguments.of("corruption", FaultModel.NONE.withCorrupt(0.05).withDelay(ms, 0), Tep.ECDHE_P521, SymCipher.CHACHA20_POLY1305));
    }

    /** Each fault alone, heavier than in the matrix above: TCP repairs it, the frames arrive whole and in order. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void eachLinkFaultIsRepaired(String name, FaultModel faults, Tep tep, SymCipher cipher) {
        TcpCryptConfig only = RFC.withTeps(List.of(tep)).withCiphers(List.of(cipher)).withRekeyAfterBytes(50_000);
        try (TcpCrypt ca = crypt(only); TcpCrypt cb = crypt(only); Simulation sim = sim(name.hashCode(), faults, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            TcpConnection[] ends = connectAndExchange(sim, b, random(512 << 10, 3), random(256 << 10, 4));
            assertThat(TcpCrypt.info(ends[0]).sessionId()).isEqualTo(TcpCrypt.info(ends[1]).sessionId());
            assertThat(ends[0].stats().toString()).isNotEmpty();
            assertThat(ca.rekeysSent()).isPositive().isEqualTo(cb.rekeysReceived());
            assertThat(cb.rekeysSent()).isPositive().isEqualTo(ca.rekeysReceived());
        }
    }

    /** A small re-key interval: many key updates each way, data still byte-exact, both ends count the same. */
    @Test
    void keyUpdatesKeepTheStreamFlowing() {
        TcpCryptConfig rekeying = RFC.withTeps(List.of(Tep.ECDHE_X25519)).withRekeyAfterBytes(10_000);
        try (TcpCrypt ca = crypt(rekeying); TcpCrypt cb = crypt(rekeying); Simulation sim = sim(140, FaultModel.NONE, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            byte[] up = random(300_000, 5);
            byte[] down = random(120_000, 6);
            TcpConnection[] ends = connectAndExchange(sim, b, up, down);
            // the key moves on once 10,000 bytes were sealed under it, i.e. at the latest after
            // 10,000 + 4,077 (one frame) bytes
            int perKey = 10_000 + dev.tuncrypt.tcpcrypt.rfc8548.Rfc8548.MAX_FRAME_DATA;
            assertThat(ca.rekeysSent()).isGreaterThanOrEqualTo(up.length / perKey - 1).isEqualTo(cb.rekeysReceived());
            assertThat(cb.rekeysSent()).isGreaterThanOrEqualTo(down.length / perKey - 1).isEqualTo(ca.rekeysReceived());
            assertThat(TcpCrypt.info(ends[0]).sessionId()).isEqualTo(TcpCrypt.info(ends[1]).sessionId());
        }
    }

    /** Without a re-key interval nothing re-keys (and the dialect's default interval is far away). */
    @Test
    void noKeyUpdateWithoutAnInterval() {
        TcpCryptConfig never = RFC.withRekeyAfterBytes(0);
        try (TcpCrypt ca = crypt(never); TcpCrypt cb = crypt(never); Simulation sim = sim(141, FaultModel.NONE, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            connectAndExchange(sim, b, random(100_000, 7), random(10, 8));
            assertThat(ca.rekeysSent() + cb.rekeysSent() + ca.rekeysReceived() + cb.rekeysReceived()).isZero();
        }
    }

    /** A resumption B no longer has (its cache flushed): the offered TEP is negotiated afresh, a full handshake. */
    @Test
    void aResumptionBForgotFallsBackToAFullHandshake() {
        try (TcpCrypt ca = crypt(RFC); TcpCrypt cb = crypt(RFC); Simulation sim = sim(142, FaultModel.NONE, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            TcpConnection[] first = connectAndExchange(sim, b, random(1000, 9), random(1000, 10));
            assertThat(ca.cachedSessions()).isEqualTo(1);
            cb.flushCache();
            TcpConnection[] second = connectAndExchange(sim, b, random(1000, 11), random(1000, 12));
            TcpCryptInfo ia = TcpCrypt.info(second[0]);
            assertThat(ia.resumed()).isFalse();
            assertThat(ia.tep()).isEqualTo(TcpCrypt.info(first[0]).tep());
            assertThat(ia.sessionId()).isEqualTo(TcpCrypt.info(second[1]).sessionId());
            assertThat(ca.handshakes()).isEqualTo(2);
            assertThat(ca.resumptions()).isZero();
        }
    }

    /** A→B only, B sends nothing and closes once A's stream ended: both ends' sinks and connections. */
    private static TcpConnection[] oneWay(Simulation sim, Accepts b, byte[] up) {
        StreamSink aSink = new StreamSink();
        b.sink = new StreamSink();
        b.accepted = null;
        TcpConnection a = dial(sim, aSink);
        sim.runUntil(() -> b.accepted != null, 30 * Simulation.SECOND);
        TcpConnection bc = b.accepted;
        StreamSink bSink = b.sink;
        ByteBuffer u = ByteBuffer.wrap(up);
        boolean[] bClosed = {false};
        sim.runUntil(() -> {
            if (u.hasRemaining() && a.send(u) >= 0 && !u.hasRemaining()) {
                a.shutdownOutput();
            }
            if (bSink.eof && !bClosed[0]) {
                bClosed[0] = true;
                bc.shutdownOutput(); // nothing sent: only the FINp frame goes out
            }
            return aSink.eof && bSink.eof;
        }, 600 * Simulation.SECOND, "the one-way transfer to end");
        assertThat(bSink.data.toByteArray()).isEqualTo(up);
        assertThat(aSink.data.size()).isZero();
        return new TcpConnection[] {a, bc};
    }

    /**
     * RFC 8548 §3.8: a receiver of rekey = 1 MUST answer with a frame carrying rekey = 1, even
     * when it has nothing to send: B never initiates and sends no data, yet answers every update.
     */
    @Test
    void everyKeyUpdateIsAnsweredEvenByASilentPeer() {
        TcpCryptConfig initiating = RFC.withTeps(List.of(Tep.ECDHE_X25519)).withRekeyAfterBytes(10_000);
        TcpCryptConfig never = RFC.withTeps(List.of(Tep.ECDHE_X25519)).withRekeyAfterBytes(0);
        try (TcpCrypt ca = crypt(initiating); TcpCrypt cb = crypt(never); Simulation sim = sim(141, FaultModel.NONE, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            oneWay(sim, b, random(100_000, 41));
            assertThat(ca.rekeysSent()).isGreaterThanOrEqualTo(8).isEqualTo(cb.rekeysReceived());
            assertThat(cb.rekeysSent()).as("answers").isEqualTo(ca.rekeysSent()).isEqualTo(ca.rekeysReceived());
        }
    }

    /**
     * A connection whose server sent no data still leaves a resumable session: each end caches
     * ss[i+1] once a frame of its peer authenticated, and B's FINp frame (empty) is one; the
     * second connection resumes.
     */
    @Test
    void aOneWayTransferLeavesAResumableSession() {
        try (TcpCrypt ca = crypt(RFC); TcpCrypt cb = crypt(RFC); Simulation sim = sim(142, FaultModel.NONE, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            TcpConnection[] first = oneWay(sim, b, random(20_000, 42));
            assertThat(TcpCrypt.info(first[0]).resumed()).isFalse();
            TcpConnection[] second = oneWay(sim, b, random(20_000, 43));
            TcpCryptInfo ia = TcpCrypt.info(second[0]);
            assertThat(ia.resumed()).isTrue();
            assertThat(ia.sessionId()).isEqualTo(TcpCrypt.info(second[1]).sessionId());
            assertThat(ca.resumptions()).isEqualTo(1);
            assertThat(cb.resumptions()).isEqualTo(1);
        }
    }

    /** RFC 8548 §3.5: an application flushes the cache state of its connection; the next one is a full handshake. */
    @Test
    void aForgottenSessionIsNotResumed() {
        try (TcpCrypt ca = crypt(RFC); TcpCrypt cb = crypt(RFC); Simulation sim = sim(143, FaultModel.NONE, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            TcpConnection[] first = connectAndExchange(sim, b, random(5000, 44), random(5000, 45));
            assertThat(ca.cachedSessions()).isEqualTo(1);
            TcpCrypt.forgetSession(first[0]);
            assertThat(ca.cachedSessions()).isZero();
            TcpConnection[] second = connectAndExchange(sim, b, random(5000, 46), random(5000, 47));
            assertThat(TcpCrypt.info(second[0]).resumed()).isFalse();
            assertThat(TcpCrypt.info(second[0]).sessionId()).isEqualTo(TcpCrypt.info(second[1]).sessionId());
        }
    }

    // ------------------------------------------------------------------ mixed dialects

    private static TcpConnection[] mixed(long seed, TcpCryptConfig aConfig, TcpCryptConfig bConfig) {
        try (TcpCrypt ca = crypt(aConfig); TcpCrypt cb = crypt(bConfig); Simulation sim = sim(seed, FaultModel.NONE, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            return connectAndExchange(sim, b, "hello from A".getBytes(), "hello from B".getBytes());
        }
    }

    /** RFC 8547 §4.1, §11: a host lists both dialects, but its SYN offers only the first. */
    @Test
    void aListOfBothOffersOnlyTheFirstDialect() {
        TcpConnection[] ends = mixed(150, V05.withDialects(List.of(Dialect.TCPCRYPT_05, Dialect.RFC8548)), V05);
        assertThat(TcpCrypt.info(ends[0]).dialect()).isEqualTo("tcpcrypt-0.5");
        assertThat(TcpCrypt.info(ends[0]).sessionId()).isEqualTo(TcpCrypt.info(ends[1]).sessionId());
        ends = mixed(151, BOTH, V05);
        assertThat(TcpCrypt.info(ends[0])).as("rfc8548 offered alone, B speaks only 0.5: plain").isNull();
        assertThat(TcpCrypt.info(ends[1])).isNull();
    }

    /** Role B accepting both dialects answers in the one the SYN offered. */
    @Test
    void bAcceptingBothAnswersInTheDialectOffered() {
        TcpConnection[] ends = mixed(152, V05, BOTH);
        assertThat(TcpCrypt.info(ends[0]).dialect()).isEqualTo("tcpcrypt-0.5");
        assertThat(TcpCrypt.info(ends[1]).dialect()).isEqualTo("tcpcrypt-0.5");
        ends = mixed(153, RFC, BOTH.withDialects(List.of(Dialect.TCPCRYPT_05, Dialect.RFC8548)));
        assertThat(TcpCrypt.info(ends[0]).dialect()).isEqualTo("rfc8548");
        assertThat(TcpCrypt.info(ends[1]).dialect()).isEqualTo("rfc8548");
        assertThat(TcpCrypt.info(ends[0]).sessionId()).isEqualTo(TcpCrypt.info(ends[1]).sessionId());
    }

    /** A host listing both dialects offers and resumes rfc8548 (its first), connection after connection. */
    @Test
    void offeringBothDialectsStillResumes() {
        try (TcpCrypt ca = crypt(BOTH); TcpCrypt cb = crypt(BOTH); Simulation sim = sim(157, FaultModel.NONE, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            TcpConnection[] first = connectAndExchange(sim, b, random(1000, 13), random(1000, 14));
            TcpConnection[] second = connectAndExchange(sim, b, random(1000, 15), random(1000, 16));
            assertThat(TcpCrypt.info(first[0]).dialect()).isEqualTo("rfc8548");
            assertThat(TcpCrypt.info(second[0]).dialect()).isEqualTo("rfc8548");
            assertThat(TcpCrypt.info(second[0]).resumed()).isTrue();
            assertThat(TcpCrypt.info(second[0]).sessionId()).isEqualTo(TcpCrypt.info(second[1]).sessionId());
            // a third connection resumes again, from ss[2]
            TcpConnection[] third = connectAndExchange(sim, b, random(1000, 17), random(1000, 18));
            assertThat(TcpCrypt.info(third[0]).resumed()).isTrue();
            assertThat(ca.resumptions()).isEqualTo(2);
        }
    }

    @Test
    void disjointDialectsFallBackToPlainTcp() {
        try (TcpCrypt ca = crypt(V05); TcpCrypt cb = crypt(RFC); Simulation sim = sim(154, FaultModel.NONE, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            TcpConnection[] ends = connectAndExchange(sim, b, "plain A".getBytes(), "plain B".getBytes());
            assertThat(TcpCrypt.info(ends[0])).isNull();
            assertThat(TcpCrypt.info(ends[1])).isNull();
            assertThat(ca.fallbacks()).isEqualTo(1);
            assertThat(cb.fallbacks()).isEqualTo(1);
        }
    }

    @Test
    void disjointDialectsAreRefusedInModeAlways() {
        try (TcpCrypt ca = crypt(V05.withMode(CryptMode.ALWAYS)); TcpCrypt cb = crypt(RFC);
                Simulation sim = sim(155, FaultModel.NONE, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            StreamSink aSink = new StreamSink();
            TcpConnection a = dial(sim, aSink);
            sim.runUntil(() -> aSink.closed, 10 * Simulation.SECOND);
            assertThat(aSink.closedWith).isEqualTo(TcpError.NOT_PROTECTED);
            assertThat(a.state()).isEqualTo(TcpState.CLOSED);
        }
    }

    @Test
    void perConnectionDialectOverridesTheStacks() {
        try (TcpCrypt ca = crypt(V05); TcpCrypt cb = crypt(BOTH); Simulation sim = sim(156, FaultModel.NONE, ca, cb)) {
            Accepts b = new Accepts();
            listen(sim, b);
            b.sink = new StreamSink();
            StreamSink aSink = new StreamSink();
            TcpConnection a = sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7777),
                    sim.a().tcp(0).config(), aSink, ca.protections(RFC));
            sim.runUntil(() -> b.accepted != null, 10 * Simulation.SECOND);
            exchange(sim, a, b.accepted, aSink, b.sink, "x".getBytes(), "y".getBytes());
            assertThat(TcpCrypt.info(a).dialect()).isEqualTo("rfc8548");
            assertThat(TcpCrypt.info(a).tep()).isEqualTo(Tep.ECDHE_X25519);
        }
    }
}
