package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.SessionCache;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.SegmentProtection;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * tcpcrypt for one stack (dialects tcpcrypt-0.5 and rfc8548, {@link TcpCryptConfig#dialects()}):
 * the settings, the session caches, the
 * ephemeral keys and the workers that run key agreement, and the {@link SegmentProtection}
 * factory to give {@code NetStack.Builder.protection}.
 *
 * <pre>{@code
 * TcpCrypt crypt = TcpCrypt.create(TcpCryptConfig.DEFAULT);
 * NetStack stack = NetStack.builder().protection(crypt.protections())...build();
 * TcpCryptInfo info = TcpCrypt.info(socket);   // session ID etc. once the handshake is done
 * }</pre>
 */
public final class TcpCrypt implements AutoCloseable {
    /** Changed only by {@link #dialects}; everything else in it is fixed at creation. */
    volatile TcpCryptConfig config;
    final SessionCache<InetAddress> cache;
    /** rfc8548 sessions, kept apart from tcpcrypt-0.5's (their secrets and identifiers differ). */
    final SessionCache<InetAddress> cache8548;
    final EphemeralKeys keys;
    final Executor workers;
    final SecureRandom random;
    private final ExecutorService ownedWorkers;
    final AtomicLong handshakes = new AtomicLong();
    final AtomicLong resumptions = new AtomicLong();
    final AtomicLong fallbacks = new AtomicLong();
    /** Fallbacks by {@link EnoOutcome.Reason} ordinal. */
    private final AtomicLongArray fallbackReasons = new AtomicLongArray(EnoOutcome.Reason.values().length);
    /** From handing an Init message to a worker until its keys are agreed (queueing included). */
    final LatencyHistogram keyAgreementLatency = new LatencyHistogram(LatencyHistogram.KEY_AGREEMENT_BOUNDS);
    /** Monotonic time for latencies. */
    final LongSupplier nanoTime = System::nanoTime;
    final AtomicLong rekeysSent = new AtomicLong();
    final AtomicLong rekeysReceived = new AtomicLong();
    /**
     * tcpcrypt-0.5: send the wide-window bit ({@code v05.WideWindow}); false makes this stack's
     * ENO options the reference's byte for byte (tests use it to stand in for tcpcryptd 0.5).
     */
    volatile boolean wideWindow05 = true;

    private TcpCrypt(TcpCryptConfig config, SecureRandom random, Executor workers, ExecutorService owned,
            InstantSource wallClock) {
        this.config = config;
        this.random = random;
        this.workers = workers;
        this.ownedWorkers = owned;
        this.cache = new SessionCache<>(config.cacheSize(), config.cacheAge(), wallClock);
        this.cache8548 = new SessionCache<>(config.cacheSize(), config.cacheAge(), wallClock);
        this.keys = new EphemeralKeys(random, config.keyRotation().toNanos(), System::nanoTime);
    }

    /** tcpcrypt with its own worker threads (daemon threads, {@code config.workers()} of them). */
    public static TcpCrypt create(TcpCryptConfig config) {
        ExecutorService pool = Executors.newFixedThreadPool(config.workers(),
                Thread.ofPlatform().name("tcpcrypt-worker-", 0).daemon(true).factory());
        TcpCrypt crypt = new TcpCrypt(config, new SecureRandom(), pool, pool, InstantSource.system());
        crypt.prepareKeys();
        return crypt;
    }

    /** Generates the first ephemeral key pairs on a worker, so the first handshake does not wait for them. */
    private void prepareKeys() {
        for (Tep tep : config.teps()) {
            workers.execute(() -> keys.current(tep));
        }
    }

    /**
     * tcpcrypt running key agreement on {@code workers} (a direct executor makes simulations
     * deterministic in their timing).
     */
    public static TcpCrypt create(TcpCryptConfig config, SecureRandom random, Executor workers, InstantSource clock) {
        return new TcpCrypt(config, random, workers, null, clock);
    }

    /**
     * The factory to plug into {@code NetStack.Builder.protection}: each connection takes the
     * settings in force when it begins (so a {@link #dialects} change reaches the next one).
     */
    public SegmentProtection.Factory protections() {
        return (flow, active) -> protections(config).create(flow, active);
    }

    /**
     * A reload: connections that begin from now on use these dialects and per-prefix rules;
     * connections already open keep theirs, as do the cache, keys and workers.
     */
    public void dialects(List<Dialect> dialects, List<DialectRule> rules) {
        config = config.withDialects(dialects).withDialectRules(rules);
    }

    /**
     * A factory with other settings for one socket or listener (mode, TEP and cipher preference,
     * app-aware bit, cache use: tcpcryptd's per-socket options), sharing this instance's session
     * cache, ephemeral keys and workers. Give it to {@code TcpSocket.connect} or
     * {@code TcpListener.open}.
     */
    public SegmentProtection.Factory protections(TcpCryptConfig settings) {
        return (flow, active) -> settings.mode() == CryptMode.NEVER
                ? SegmentProtection.NONE
                : new TcpCryptProtection(this, settings.forPeer(flow.remoteAddress().getAddress()), flow, active);
    }

    /**
     * Protections for a transparent listener whose plain SYNs come from local applications (the
     * daemon's leg 1 of a steered connection): a SYN without any ENO option there is not a peer
     * that declined tcpcrypt, so it is not counted as a fallback; the connection that goes to the
     * network (leg 2) counts its own outcome. Everything else is as {@link #protections(TcpCryptConfig)}.
     */
    public SegmentProtection.Factory localApplicationProtections(TcpCryptConfig settings) {
        return (flow, active) -> settings.mode() == CryptMode.NEVER
                ? SegmentProtection.NONE
                : new TcpCryptProtection(this, settings.forPeer(flow.remoteAddress().getAddress()), flow, active,
                        false);
    }

    public TcpCryptConfig config() {
        return config;
    }

    /** Forgets every cached session (tcpcryptd's TCP_CRYPT_RESET / flush). */
    public void flushCache() {
        cache.flush();
        cache8548.flush();
    }

    /**
     * Forgets the cache state {@code socket}'s connection used or produced: the sessions cached
     * for its peer, and any it would still cache (RFC 8548 §3.5: "an application MUST have a
     * means to cause any cache state that was used in or resulted from establishing the
     * connection to be flushed"). Any thread; nothing happens for a plain connection.
     */
    public static void forgetSession(TcpSocket socket) {
        var c = socket.connection();
        if (c != null) {
            forgetSession(c);
        }
    }

    /** {@link #forgetSession(TcpSocket)} for a connection (loop-level API). */
    public static void forgetSession(dev.tuncrypt.tcpstack.tcp.TcpConnection connection) {
        if (connection.protection() instanceof TcpCryptProtection p) {
            p.forgetSession();
        }
    }

    /** Cached sessions (both dialects). */
    public int cachedSessions() {
        return cache.size() + cache8548.size();
    }

    /** rfc8548: frames this instance's connections sealed under a new key (RFC 8548 §3.8). */
    public long rekeysSent() {
        return rekeysSent.get();
    }

    /** rfc8548: key updates this instance's connections took from their peers' frames. */
    public long rekeysReceived() {
        return rekeysReceived.get();
    }

    /** The dialect {@code socket}'s connection negotiated, or null (plain, or not yet known). */
    public static Dialect dialect(TcpSocket socket) {
        var c = socket.connection();
        return c != null && c.protection() instanceof TcpCryptProtection p ? p.dialect() : null;
    }

    /** Full handshakes completed. */
    public long handshakes() {
        return handshakes.get();
    }

    /** Sessions resumed from the cache. */
    public long resumptions() {
        return resumptions.get();
    }

    /** Connections that stayed plain because the peer did not negotiate tcpcrypt. */
    public long fallbacks() {
        return fallbacks.get();
    }

    /** Connections that stayed plain for {@code reason} (they add up to {@link #fallbacks()}). */
    public long fallbacks(EnoOutcome.Reason reason) {
        return fallbackReasons.get(reason.ordinal());
    }

    void countFallback(EnoOutcome.Reason reason) {
        fallbackReasons.incrementAndGet(reason.ordinal());
        fallbacks.incrementAndGet();
    }

    /**
     * Latency of full key agreements: from the loop handing the peer's Init message to a worker
     * until the worker has agreed the keys (queueing for a worker included; resumptions, which
     * agree nothing, are not recorded).
     */
    public LatencyHistogram.Snapshot keyAgreementLatency() {
        return keyAgreementLatency.snapshot();
    }

    /** What tcpcrypt negotiated for {@code socket}, or null (plain, or the handshake is not done yet). */
    public static TcpCryptInfo info(TcpSocket socket) {
        var c = socket.connection();
        return c != null && c.protection() instanceof TcpCryptProtection p ? p.info() : null;
    }

    /**
     * Completes with what tcpcrypt negotiated for {@code socket} once its keys exist. It never
     * completes for a connection that stays plain ({@link #peerCapable}) or ends before its keys
     * are agreed, so bound the wait; it fails at once for a socket without tcpcrypt protection.
     */
    public static java.util.concurrent.CompletableFuture<TcpCryptInfo> whenEstablished(TcpSocket socket) {
        var c = socket.connection();
        return c != null ? whenEstablished(c)
                : java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("no connection"));
    }

    /** As {@link #whenEstablished(TcpSocket)} for a connection (loop-level API). */
    public static java.util.concurrent.CompletableFuture<TcpCryptInfo> whenEstablished(
            dev.tuncrypt.tcpstack.tcp.TcpConnection connection) {
        return connection.protection() instanceof TcpCryptProtection p
                ? p.whenEstablished()
                : java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("no tcpcrypt on this connection"));
    }

    /** What tcpcrypt negotiated for a connection (loop-level API), or null. */
    public static TcpCryptInfo info(dev.tuncrypt.tcpstack.tcp.TcpConnection connection) {
        return connection.protection() instanceof TcpCryptProtection p ? p.info() : null;
    }

    /**
     * How {@code socket}'s tcpcrypt handshake ends, without waiting: completed on the socket's
     * loop with the session once keys are agreed, empty once the connection is known to stay
     * plain (the peer did not negotiate, or tcpcrypt is off for it), or exceptionally
     * ({@link dev.tuncrypt.tcpstack.TcpConnectException}) when the connection ended first. Key
     * agreement itself runs on the workers, never on the loop. Dependent actions given without an
     * executor run on the loop thread: keep them short.
     */
    public static CompletionStage<Optional<TcpCryptInfo>> handshake(TcpSocket socket) {
        return handshake(socket.connection());
    }

    /** As {@link #handshake(TcpSocket)} for a connection (loop-level API). */
    public static CompletionStage<Optional<TcpCryptInfo>> handshake(dev.tuncrypt.tcpstack.tcp.TcpConnection connection) {
        if (connection != null && connection.protection() instanceof TcpCryptProtection p) {
            return p.handshake.minimalCompletionStage();
        }
        return CompletableFuture.completedStage(Optional.empty());
    }

    /** Whether {@code socket}'s peer offered or accepted tcpcrypt (known after the SYN exchange). */
    public static boolean peerCapable(TcpSocket socket) {
        var c = socket.connection();
        return c != null && c.protection() instanceof TcpCryptProtection p && p.negotiated();
    }

    /** Stops the worker threads it created and wipes the ephemeral keys. */
    @Override
    public void close() {
        if (ownedWorkers != null) {
            ownedWorkers.shutdownNow();
        }
        keys.close();
        cache.flush();
        cache8548.flush();
    }
}
