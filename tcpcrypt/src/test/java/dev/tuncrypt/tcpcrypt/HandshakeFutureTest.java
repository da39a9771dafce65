package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.TcpConnectException;
import dev.tuncrypt.tcpstack.sim.AcceptAll;
import dev.tuncrypt.tcpstack.sim.Simulation;
import dev.tuncrypt.tcpstack.tcp.ListenEndpoint;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import dev.tuncrypt.tcpstack.testsupport.StreamSink;
import dev.tuncrypt.tun.FaultModel;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link TcpCrypt#handshake}: a future that ends when keys are agreed, when the connection is
 * known to stay plain, or when the connection ends first, completed on the loop (here: the
 * simulation's thread) without anyone polling.
 */
class HandshakeFutureTest {
    private static TcpCrypt crypt(CryptMode mode) {
        return TcpCrypt.create(TcpCryptConfig.DEFAULT.withMode(mode), new SecureRandom(), Runnable::run,
                InstantSource.system());
    }

    private static Simulation sim(long seed, TcpCrypt a, TcpCrypt b) {
        return Simulation.builder(seed).faults(FaultModel.NONE).stackA(s -> s.protection(a.protections()))
                .stackB(s -> s.protection(b.protections())).build();
    }

    private static TcpConnection dialListening(Simulation sim) {
        TcpLayer bl = sim.b().tcp(0);
        bl.addListener(new ListenEndpoint(7777, false, bl.config(),
                AcceptAll.calling(connection -> connection.setListener(new StreamSink()))));
        return sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7777), sim.a().tcp(0).config(),
                new StreamSink());
    }

    /** The outcome as it arrives, and the thread it arrived on. */
    private static AtomicReference<Object> follow(TcpConnection c, AtomicReference<Thread> on) {
        AtomicReference<Object> outcome = new AtomicReference<>();
        TcpCrypt.handshake(c).whenComplete((info, failure) -> {
            on.set(Thread.currentThread());
            outcome.set(failure != null ? failure : info);
        });
        return outcome;
    }

    @Test
    void completesWithTheSessionWhenKeysAreAgreed() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT);
                Simulation sim = sim(31, ca, cb)) {
            TcpConnection a = dialListening(sim);
            AtomicReference<Thread> on = new AtomicReference<>();
            AtomicReference<Object> outcome = follow(a, on);
            assertThat(outcome.get()).as("not before the handshake").isNull();
            sim.runUntil(() -> outcome.get() != null, 10 * Simulation.SECOND);
            assertThat(outcome.get()).isEqualTo(Optional.of(TcpCrypt.info(a)));
            assertThat(on.get()).isSameAs(Thread.currentThread()); // the loop's (the simulation drives it here)
        }
    }

    @Test
    void completesEmptyWhenThePeerStaysPlain() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.NEVER);
                Simulation sim = sim(32, ca, cb)) {
            TcpConnection a = dialListening(sim);
            AtomicReference<Object> outcome = follow(a, new AtomicReference<>());
            sim.runUntil(() -> outcome.get() != null, 10 * Simulation.SECOND);
            assertThat(outcome.get()).isEqualTo(Optional.empty());
        }
    }

    @Test
    void failsWhenTheConnectionEndsFirst() {
        try (TcpCrypt ca = crypt(CryptMode.ALWAYS); TcpCrypt cb = crypt(CryptMode.NEVER);
                Simulation sim = sim(33, ca, cb)) {
            TcpConnection a = dialListening(sim);
            AtomicReference<Object> outcome = follow(a, new AtomicReference<>());
            sim.runUntil(() -> outcome.get() != null, 10 * Simulation.SECOND);
            Object failure = outcome.get();
            if (failure instanceof java.util.concurrent.CompletionException ce) {
                failure = ce.getCause();
            }
            assertThat(failure).isInstanceOf(TcpConnectException.class);
            assertThat(((TcpConnectException) failure).error()).isEqualTo(TcpError.NOT_PROTECTED);
        }
    }

    @Test
    void aConnectionWithoutTcpcryptIsPlainAtOnce() {
        try (TcpCrypt ca = crypt(CryptMode.NEVER); TcpCrypt cb = crypt(CryptMode.DEFAULT);
                Simulation sim = sim(34, ca, cb)) {
            TcpConnection a = dialListening(sim);
            CompletableFuture<Optional<TcpCryptInfo>> f = TcpCrypt.handshake(a).toCompletableFuture();
            assertThat(f).isCompletedWithValue(Optional.empty());
        }
    }
}
