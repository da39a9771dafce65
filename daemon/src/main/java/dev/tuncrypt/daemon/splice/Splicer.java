package dev.tuncrypt.daemon.splice;

import dev.tuncrypt.daemon.control.ConnectionView;
import dev.tuncrypt.daemon.control.ConnectionView.Phase;
import dev.tuncrypt.daemon.control.ControlStatus;
import dev.tuncrypt.daemon.control.ControlTarget;
import dev.tuncrypt.tcpcrypt.CryptMode;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.StackLoop;
import dev.tuncrypt.tcpstack.TcpConnectException;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.SynGate;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's transparent splice. Whatever the kernel routes into the TUN device is accepted
 * by the stack's transparent listener as its original destination (leg 1); the splicer opens
 * the stack's own connection to that destination (leg 2) and copies both ways with
 * back-pressure. A leg 1 that came in by the serve hook ({@link SpliceSettings#served()}: to one of
 * this host's addresses on a served port, its SYN offering ENO) is an inbound connection from a
 * remote peer: once its TCP and tcpcrypt handshakes are done, leg 2 goes
 * to the local service in the clear, from the peer's own address through the host's input path. Every other leg 1 was steered
 * here — whether or not its SYN offers ENO — and leg 2 carries tcpcrypt to the destination,
 * opportunistically or as required.
 *
 * <p>It is also the control socket's {@link ControlTarget}: connections are found by the tuple
 * the application's own socket reports.
 */
public final class Splicer implements ControlTarget, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Splicer.class);
    private static final Duration PRESET_LIFETIME = Duration.ofMinutes(1);
    /** How long an ended connection stays listed (as a kernel socket in TIME-WAIT stays in ss). */
    private static final Duration CLOSED_LINGER = Duration.ofSeconds(60);
    private static final java.net.InetAddress WILDCARD4 = wildcard(4);
    private static final java.net.InetAddress WILDCARD6 = wildcard(16);

    private static java.net.InetAddress wildcard(int length) {
        try {
            return java.net.InetAddress.getByAddress(new byte[length]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private final NetStack stack;
    private final TcpCrypt tcpcrypt;
    private final TcpListener listener;
    private final SpliceCounters counters = new SpliceCounters();
    private final Map<TupleKey, SplicedConnection> byAppTuple = new ConcurrentHashMap<>();
    private final Map<TupleKey, SplicedConnection> byLeg2Tuple = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, TimedPreset> presets = new ConcurrentHashMap<>();
    private final Map<TupleKey, ReadyLeg2> ready = new ConcurrentHashMap<>();
    private final PendingConnects pending = new PendingConnects();
    private final Deadlines deadlines = new Deadlines(System::nanoTime, true);
    private final java.util.concurrent.atomic.AtomicLong lastPendingWarning =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - java.util.concurrent.TimeUnit.MINUTES.toNanos(1));
    private final long startNanos;
    private final String version;
    private final Thread sweeper;
    private volatile SpliceSettings settings;
    private volatile OwnerLookup owners = (local, remote) -> -1;
    private volatile boolean closed;

    private record TupleKey(InetSocketAddress local, InetSocketAddress remote) {}

    private record TimedPreset(List<Preset> presets, long expiresNanos) {}

    /**
     * Leg 2, connected before leg 1's SYN-ACK, waiting for leg 1 to complete its handshake.
     * {@code pendingSource}: the source whose {@link PendingConnects} slot it holds, or null.
     */
    private record ReadyLeg2(SplicedConnection connection, TcpSocket leg2, CryptMode mode, long expiresNanos,
            java.net.InetAddress pendingSource) {}

    private Splicer(NetStack stack, TcpCrypt tcpcrypt, TcpListener listener, SpliceSettings settings, String version) {
        this.stack = stack;
        this.tcpcrypt = tcpcrypt;
        this.listener = listener;
        this.settings = settings;
        this.version = version;
        this.startNanos = System.nanoTime();
        this.sweeper = Thread.ofPlatform().name("splice-sweep").daemon(true).unstarted(this::sweepLoop);
    }

    /**
     * Starts splicing on {@code stack}: opens the transparent listener (its connections take
     * tcpcrypt when the SYN offers it); each connection it accepts is spliced on its own loop.
     */
    public static Splicer start(NetStack stack, TcpCrypt tcpcrypt, SpliceSettings settings, String version)
            throws IOException {
        Splicer[] self = new Splicer[1];
        SynGate gate = (local, remote, offersEno, decision) -> self[0].onSyn(local, remote, offersEno, decision);
        // leg 1 is handed over on its loop; the splice starts there in a task of its own
        Consumer<TcpSocket> accepted = leg1 -> leg1.loop().defer(() -> self[0].splice(leg1));
        TcpListener l = TcpListener.transparent(stack, 4096,
                // per connection: a reload's dialects reach the next one
                (flow, active) -> tcpcrypt.localApplicationProtections(tcpcrypt.config().withMode(CryptMode.DEFAULT))
                        .create(flow, active), gate, accepted);
        Splicer s = new Splicer(stack, tcpcrypt, l, settings, version);
        self[0] = s;
        s.sweeper.start();
        return s;
    }

    /** Replaces the settings (SIGHUP); connections already spliced keep theirs. */
    public void settings(SpliceSettings s) {
        this.settings = s;
    }

    public SpliceSettings settings() {
        return settings;
    }

    /** Finds the uid owning the kernel socket with this tuple, or -1. */
    @FunctionalInterface
    public interface OwnerLookup {
        int uidOf(InetSocketAddress local, InetSocketAddress remote);
    }

    /** How the owner uid of an application socket is found (e.g. from /proc/net/tcp). */
    public void ownerResolver(OwnerLookup lookup) {
        this.owners = lookup;
    }

    public SpliceCounters counters() {
        return counters;
    }

    long nanoTime() {
        return System.nanoTime();
    }

    /**
     * The uid owning the application's kernel socket: the client's for an outbound connection,
     * the local service's (the far end of leg 2) for an inbound one.
     */
    int ownerOf(SplicedConnection c) {
        if (c.direction() == Direction.OUTBOUND) {
            return owners.uidOf(c.appLocal(), c.appRemote());
        }
        InetSocketAddress[] t = c.leg2Tuple();
        return t == null ? -1 : owners.uidOf(t[1], t[0]);
    }

    /**
     * A SYN reached the transparent listener: connect leg 2 first, and let leg 1 be answered
     * only when that worked, so a refused, unreachable or unprotected destination reaches the
     * application as a refused connect. A SYN that came in by the serve hook is an inbound peer:
     * its leg 2 goes in the clear to the local service ({@link #classify}).
     */
    private void onSyn(InetSocketAddress local, InetSocketAddress remote, boolean offersEno, Consumer<Boolean> decision) {
        if (closed || stack.addresses().all().contains(local.getAddress())) {
            // To the stack's own address with no listener on that port: refused, as a host does
            // (RFC 9293 §3.10.7.1), never spliced back to itself.
            decision.accept(false);
            return;
        }
        Direction direction = classify(settings, local, offersEno);
        if (direction == null) {
            counters.countRefused(remote.getAddress());
            log.info(ConnectionLog.refused(Direction.INBOUND, local, remote, "refused",
                    "a plain SYN to a served port of this host (no TCP-ENO)"));
            decision.accept(false);
            return;
        }
        if (direction == Direction.INBOUND) {
            // Served: a bare SYN gets no backend connection and no state here (RFC 4987 §3.8, a
            // proxy completes the handshake before it opens the listener's; a spoofed source never
            // completes it): leg 2 waits until leg 1 has settled (spliceInbound).
            decision.accept(true);
            return;
        }
        connectOutbound(stack.currentLoop(), local, remote, decision);
    }

    /**
     * The SYN gate of a steered SYN, on the loop that holds the SYN: leg 2's SYN leaves before
     * this returns (no thread hop), and the decision is made where leg 2's handshake ends — on
     * the loop when it completes or fails, on the timer when {@link SpliceSettings#connectTimeout}
     * passes first (leg 2 is then aborted). Nothing here blocks.
     */
    private void connectOutbound(StackLoop synLoop, InetSocketAddress local, InetSocketAddress remote,
            Consumer<Boolean> decision) {
        SpliceSettings s = settings;
        if (!takePendingSlot(s, remote, local)) {
            decision.accept(false);
            return;
        }
        java.net.InetAddress pendingSource = remote.getAddress();
        CryptMode mode = outboundMode(s, local, remote);
        SplicedConnection c = new SplicedConnection(this, local, remote, Direction.OUTBOUND, nanoTime());
        TupleKey appKey = new TupleKey(c.appLocal(), c.appRemote());
        byAppTuple.put(appKey, c); // visible (handshaking) while leg 2 connects
        // leg 2 on leg 1's loop (the splice runs there)
        openLeg2(synLoop, Direction.OUTBOUND, remote, null, local, mode, s).whenComplete((leg2, failed) -> {
            if (failed != null) {
                c.settle(Phase.CLOSED, null);
                byAppTuple.remove(appKey, c);
                releasePendingSlot(pendingSource);
                decision.accept(false);
                return;
            }
            c.leg2Connected(leg2);
            byLeg2Tuple.put(new TupleKey(leg2.localAddress(), leg2.remoteAddress()), c);
            ReadyLeg2 replaced = ready.put(new TupleKey(local, remote),
                    new ReadyLeg2(c, leg2, mode, nanoTime() + 2 * s.connectTimeout().toNanos(), pendingSource));
            if (replaced != null) { // the same tuple again before its leg 1 completed: the old attempt is over
                releasePendingSlot(replaced.pendingSource());
                replaced.leg2().abort();
                replaced.connection().settle(Phase.CLOSED, null);
                retire(replaced.connection());
            }
            decision.accept(true);
        });
    }

    /**
     * Inbound or steered, by how the SYN reached the stack — never by what it offers. Only the
     * serve hook brings SYNs to this host's own addresses (steering rules cannot: the kernel's
     * {@code local} table, rule priority 0, takes those first), and it takes only SYNs that
     * offer ENO. Everything else was steered, including an application (or a container behind
     * this host) that speaks tcpcrypt itself: its leg 2 carries tcpcrypt as {@code --crypt} and
     * {@code --require} say, so the session never ends here with the data going on in the clear.
     *
     * @return the direction, or null for a SYN to a served address that does not offer ENO (not
     *     the serve hook's, not steered: refused)
     */
    private static Direction classify(SpliceSettings s, InetSocketAddress local, boolean offersEno) {
        if (!s.served().test(local)) {
            return Direction.OUTBOUND;
        }
        return offersEno ? Direction.INBOUND : null;
    }

    /**
     * Takes a slot of the connect-first bound for a steered SYN from {@code source}; when the
     * bound is reached, counts the refusal and logs it (at most every 10 s, with the count).
     */
    private boolean takePendingSlot(SpliceSettings s, InetSocketAddress source, InetSocketAddress destination) {
        PendingConnects.Refusal r = pending.tryAcquire(source.getAddress(), s.maxPending(), s.maxPendingPerSource());
        if (r == null) {
            return true;
        }
        counters.pendingRefused.increment();
        long now = nanoTime();
        long last = lastPendingWarning.get();
        if (now - last > java.util.concurrent.TimeUnit.SECONDS.toNanos(10) && lastPendingWarning.compareAndSet(last, now)) {
            log.warn("refusing SYNs ({} so far; this one {} -> {}): {} leg 2 connects wait for their client's handshake,"
                    + " the bound is {} in all and {} per source (a SYN flood?)", counters.pendingRefused(),
                    ConnectionLog.address(source), ConnectionLog.address(destination), pending.pending(), s.maxPending(), s.maxPendingPerSource());
        }
        return false;
    }

    private void releasePendingSlot(java.net.InetAddress source) {
        if (source != null) {
            pending.release(source);
        }
    }

    /** The crypt mode of an outbound leg 2: the daemon's, the destination's requirement, the application's preset. */
    private CryptMode outboundMode(SpliceSettings s, InetSocketAddress destination, InetSocketAddress appLocal) {
        CryptMode mode = s.modeFor(destination);
        for (Preset p : takePresets(appLocal)) {
            if (p instanceof Preset.Enable e && !e.enabled() && mode != CryptMode.ALWAYS) {
                mode = CryptMode.NEVER;
            }
        }
        return mode;
    }

    /**
     * Starts leg 2 on {@code loop} (leg 1's; null: any) from {@code source} (null: the stack's
     * address and an ephemeral port) to {@code destination}, without waiting: from the loop's
     * own thread its SYN is sent before this returns. The future completes with the connected
     * leg (on the loop), or with the failure once it is counted against the peer and logged (leg
     * 2 then aborted): refused, unreachable, not protected as required, or no answer within the
     * connect timeout. The peer is the destination of an outbound splice, {@code app}'s client of
     * a served one.
     */
    private CompletableFuture<TcpSocket> openLeg2(StackLoop loop, Direction direction, InetSocketAddress app,
            InetSocketAddress source, InetSocketAddress destination, CryptMode mode, SpliceSettings s) {
        InetSocketAddress local = direction == Direction.OUTBOUND ? app : destination;
        InetSocketAddress peer = direction == Direction.OUTBOUND ? destination : source;
        TcpConfig base = stack.tcp(0).config();
        int headers = destination.getAddress() instanceof java.net.Inet6Address ? 60 : 40;
        TcpConfig config = base.withMss(Math.min(base.mss(), s.pathMtu() - headers));
        TcpSocket leg2 = TcpSocket.open(loop != null ? loop : stack.pickLoop(), source, destination, config,
                tcpcrypt.protections(tcpcrypt.config().withMode(mode)));
        CompletableFuture<TcpSocket> outcome = new CompletableFuture<>();
        deadlines.within(leg2.whenEstablished(), s.connectTimeout()).whenComplete((connected, failure) -> {
            if (failure == null) {
                outcome.complete(connected);
                return;
            }
            leg2.abort();
            Throwable why = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (why instanceof TimeoutException) {
                why = new TcpConnectException("connect to " + destination + " timed out after "
                        + s.connectTimeout().toMillis() + " ms", TcpError.TIMED_OUT);
            } else if (why instanceof TcpConnectException t) {
                why = new TcpConnectException("connect to " + destination + ": " + t.getMessage(), t.error());
            }
            leg2Failed(direction, local, peer, why);
            outcome.completeExceptionally(why);
        });
        return outcome;
    }

    /** Counts a leg 2 that did not connect against its peer and logs it. */
    private void leg2Failed(Direction direction, InetSocketAddress local, InetSocketAddress peer, Throwable why) {
        if (why instanceof TcpConnectException e && e.error() == TcpError.NOT_PROTECTED) {
            counters.countRefused(peer.getAddress());
            log.info(ConnectionLog.refused(direction, local, peer, "refused",
                    "tcpcrypt is required and the peer does not speak it"));
        } else {
            counters.countConnectFailed(peer.getAddress());
            log.info(ConnectionLog.refused(direction, local, peer, "connect_failed", why.getMessage()));
        }
    }

    /** Leg 1 completed its handshake (on its loop): splice it to the leg 2 connected for it. */
    private void splice(TcpSocket leg1) {
        counters.accepted.increment();
        ReadyLeg2 r = ready.remove(new TupleKey(leg1.localAddress(), leg1.remoteAddress()));
        if (r == null) {
            if (classify(settings, leg1.localAddress(), true) == Direction.INBOUND) {
                spliceInbound(leg1);
                return;
            }
            // Its leg 2 expired meanwhile (the client took too long to complete the handshake).
            counters.countConnectFailed(leg1.localAddress().getAddress());
            log.info(ConnectionLog.refused(Direction.OUTBOUND, leg1.remoteAddress(), leg1.localAddress(),
                    "connect_failed", "the client completed its handshake after leg 2 was given up"));
            leg1.abort();
            return;
        }
        releasePendingSlot(r.pendingSource()); // the client completed its handshake: no longer pending
        SplicedConnection c = r.connection();
        TcpSocket leg2 = r.leg2();
        if (!c.start(leg1, counters)) {
            log.warn("leg 2 of {} is on another loop than leg 1: reset", c);
            counters.countConnectFailed(leg1.localAddress().getAddress());
            c.abortBoth("leg 2 on another loop");
            c.finish();
            return;
        }
        if (c.direction() == Direction.INBOUND) {
            followHandshake(c, leg1, null);
        } else {
            followHandshake(c, leg2, r.mode() == CryptMode.NEVER ? "tcpcrypt disabled for this connection" : null);
        }
    }

    /**
     * A served connection (leg 1, from a remote peer whose SYN offered TCP-ENO) completed its TCP
     * handshake. Leg 2 waits until tcpcrypt has settled as well (keys agreed, or the peer did not
     * negotiate it), then connects from the client's own address and port to the original
     * destination: written into the TUN device, it takes the host's normal input path, so the
     * host's firewall rules and the local service see the real client (the routing plan brings
     * the service's replies back into the device). A leg 2 that is refused, or dropped until the
     * connect timeout, resets leg 1. Called on leg 1's loop; nothing here waits: each step
     * follows the completion of the one before.
     */
    private void spliceInbound(TcpSocket leg1) {
        SpliceSettings s = settings;
        InetSocketAddress service = leg1.localAddress();
        InetSocketAddress client = leg1.remoteAddress();
        SplicedConnection c = new SplicedConnection(this, service, client, Direction.INBOUND, nanoTime());
        byAppTuple.put(new TupleKey(c.appLocal(), c.appRemote()), c); // visible (handshaking) meanwhile
        boolean encrypted = TcpCrypt.peerCapable(leg1);
        CompletableFuture<?> settled = encrypted
                ? deadlines.within(TcpCrypt.handshake(leg1).toCompletableFuture()
                        .thenApply(info -> info.orElseThrow(() -> new IllegalStateException("no keys"))),
                        s.connectTimeout())
                : CompletableFuture.completedFuture(null);
        settled.whenComplete((keys, noKeys) -> {
            if (noKeys != null) {
                counters.countConnectFailed(client.getAddress());
                log.info(ConnectionLog.refused(Direction.INBOUND, service, client, "connect_failed",
                        "no tcpcrypt keys within " + s.connectTimeout().toSeconds() + "s"));
                leg1.abort();
                c.finish();
                return;
            }
            openLeg2(leg1.loop(), Direction.INBOUND, service, client, service, CryptMode.NEVER, s)
                    .whenComplete((leg2, failed) -> {
                        if (failed != null) {
                            leg1.abort();
                            c.finish();
                            return;
                        }
                        c.leg2Connected(leg2);
                        byLeg2Tuple.put(new TupleKey(leg2.localAddress(), leg2.remoteAddress()), c);
                        leg1.loop().defer(() -> startInbound(c, leg1, encrypted));
                    });
        });
    }

    /** The served connection's leg 2 is connected: the splice starts (on the loop). */
    private void startInbound(SplicedConnection c, TcpSocket leg1, boolean encrypted) {
        if (!c.start(leg1, counters)) {
            log.warn("leg 2 of {} is on another loop than leg 1: reset", c);
            counters.countConnectFailed(leg1.remoteAddress().getAddress());
            c.abortBoth("leg 2 on another loop");
            c.finish();
            return;
        }
        if (encrypted) {
            c.settle(Phase.ENCRYPTED, null);
        } else {
            c.settle(Phase.PLAIN, "the peer's ENO offer did not lead to tcpcrypt (no common TEP)");
        }
    }

    /**
     * Settles the connection when the crypt leg's handshake ends: keys agreed, plain, or the
     * leg gone first. Nothing waits: the handshake future completes on the loop.
     */
    private void followHandshake(SplicedConnection c, TcpSocket cryptLeg, String disabledReason) {
        if (disabledReason != null) {
            c.settle(Phase.PLAIN, disabledReason);
            return;
        }
        TcpCrypt.handshake(cryptLeg).whenComplete((info, failure) -> {
            if (failure != null) {
                c.settle(Phase.CLOSED, null);
            } else if (info.isPresent()) {
                c.settle(Phase.ENCRYPTED, null);
            } else {
                c.settle(Phase.PLAIN, "the peer did not negotiate tcpcrypt (no ENO answer or no common TEP)");
            }
        });
    }

    /** Takes the presets remembered for an application socket bound to {@code local}. */
    private List<Preset> takePresets(InetSocketAddress local) {
        TimedPreset p = presets.remove(local);
        if (p == null) {
            // tcpcryptd's library binds an unbound socket to the wildcard address before it asks.
            p = presets.remove(new InetSocketAddress(WILDCARD4, local.getPort()));
        }
        if (p == null) {
            p = presets.remove(new InetSocketAddress(WILDCARD6, local.getPort()));
        }
        return p == null || p.expiresNanos() < nanoTime() ? List.of() : p.presets();
    }

    /** A connection ended: gone from the tables after a short linger. */
    void retire(SplicedConnection c) {
        c.markEnded(nanoTime()); // the sweeper drops it from the tables after CLOSED_LINGER
    }

    private void forget(SplicedConnection c) {
        byAppTuple.remove(new TupleKey(c.appLocal(), c.appRemote()), c);
        InetSocketAddress[] t = c.leg2Tuple();
        if (t != null) {
            byLeg2Tuple.remove(new TupleKey(t[0], t[1]), c);
        }
    }

    private void sweepLoop() {
        while (!closed) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            sweep(nanoTime());
        }
    }

    /** Drops what ended more than {@link #CLOSED_LINGER} before {@code now}; resets idle splices; expires presets and leg 2s. */
    void sweep(long now) {
        for (SplicedConnection c : byAppTuple.values()) {
            if (c.endedLongerThan(now, CLOSED_LINGER.toNanos())) {
                forget(c);
            }
        }
        // A client that reuses its port within the linger (tcp_tw_reuse) puts the new
        // connection under the old one's application tuple: the old one then lingers only
        // here, where nothing else would ever drop it (130-150 MB after a 60 s storm).
        byLeg2Tuple.values().removeIf(c -> c.endedLongerThan(now, CLOSED_LINGER.toNanos()));
        long idle = settings.idleTimeout().toNanos();
        if (idle > 0) {
            for (SplicedConnection c : byAppTuple.values()) {
                if (c.phase() != Phase.CLOSED && c.idleNanos(now) > idle) {
                    counters.idleTimeouts.increment();
                    log.debug("idle for {}: resetting {}", settings.idleTimeout(), c);
                    c.abortBoth("idle for " + settings.idleTimeout().toSeconds() + "s");
                }
            }
        }
        presets.values().removeIf(p -> p.expiresNanos() < now);
        ready.values().removeIf(r -> {
            if (r.expiresNanos() < now) {
                releasePendingSlot(r.pendingSource());
                r.leg2().abort(); // leg 1 never completed its handshake
                r.connection().settle(Phase.CLOSED, null);
                retire(r.connection());
                return true;
            }
            return false;
        });
    }

    /** Entries of the tables by application tuple and by leg 2 tuple (tests). */
    int tableEntries() {
        return byAppTuple.size() + byLeg2Tuple.size();
    }

    // ------------------------------------------------------------------ ControlTarget

    @Override
    public Optional<ConnectionView> find(InetSocketAddress local, InetSocketAddress remote) {
        if (remote != null && remote.getPort() != 0) {
            SplicedConnection c = byAppTuple.get(new TupleKey(local, remote));
            if (c == null) {
                c = byLeg2Tuple.get(new TupleKey(local, remote));
            }
            if (c == null) {
                // the local service behind --serve: its socket is the far end of leg 2
                c = byLeg2Tuple.get(new TupleKey(remote, local));
            }
            return Optional.ofNullable(c);
        }
        boolean anyAddress = local.getAddress().isAnyLocalAddress();
        for (SplicedConnection c : byAppTuple.values()) {
            if (c.appLocal().equals(local) || (anyAddress && c.appLocal().getPort() == local.getPort())) {
                return Optional.of(c);
            }
        }
        for (Map.Entry<TupleKey, SplicedConnection> e : byLeg2Tuple.entrySet()) {
            if (e.getKey().local().equals(local)) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    @Override
    public List<ConnectionView> connections() {
        return new ArrayList<>(byAppTuple.values());
    }

    @Override
    public void preset(InetSocketAddress local, Preset preset) {
        long expires = nanoTime() + PRESET_LIFETIME.toNanos();
        presets.merge(local, new TimedPreset(List.of(preset), expires), (a, b) -> {
            List<Preset> all = new ArrayList<>(a.presets());
            all.add(preset);
            return new TimedPreset(List.copyOf(all), expires);
        });
    }

    @Override
    public int flushCache() {
        int n = tcpcrypt.cachedSessions();
        tcpcrypt.flushCache();
        return n;
    }

    @Override
    public ControlStatus status() {
        Map<String, Long> m = new LinkedHashMap<>(counters.snapshot());
        m.put("tcpcrypt_handshakes", tcpcrypt.handshakes());
        m.put("tcpcrypt_resumptions", tcpcrypt.resumptions());
        m.put("tcpcrypt_fallbacks", tcpcrypt.fallbacks());
        m.put("connections", (long) byAppTuple.size());
        m.put("splice_pending", (long) pending.pending());
        return new ControlStatus(version, Duration.ofNanos(nanoTime() - startNanos), tcpcrypt.cachedSessions(), m,
                hostFacts.get(), routingLines.get(), peers());
    }

    private volatile java.util.function.Supplier<Map<String, String>> hostFacts = Map::of;
    private volatile java.util.function.Supplier<List<String>> routingLines = List::of;

    /** What {@code tuncrypt status} shows of the device and of the routing installed (set by the daemon). */
    public void describeHost(java.util.function.Supplier<Map<String, String>> facts,
            java.util.function.Supplier<List<String>> routing) {
        this.hostFacts = facts;
        this.routingLines = routing;
    }

    /**
     * Per peer: the counters since start, the connections open now, and the bytes of ended
     * connections plus those of the open ones.
     */
    private List<dev.tuncrypt.client.wire.StatusPayload.Peer> peers() {
        Map<java.net.InetAddress, long[]> open = new java.util.HashMap<>(); // count, in, out
        for (SplicedConnection c : byAppTuple.values()) {
            if (c.phase() == Phase.CLOSED) {
                continue;
            }
            ConnectionView.ConnectionDetails d = c.details();
            long[] o = open.computeIfAbsent(c.appRemote().getAddress(), k -> new long[3]);
            o[0]++;
            o[1] += d.bytesIn();
            o[2] += d.bytesOut();
            counters.peer(c.appRemote().getAddress()); // listed while it has open connections
        }
        List<dev.tuncrypt.client.wire.StatusPayload.Peer> list = new ArrayList<>();
        counters.peers().forEach((address, p) -> {
            long[] o = open.getOrDefault(address, new long[3]);
            list.add(new dev.tuncrypt.client.wire.StatusPayload.Peer(address.getHostAddress(), p.dialect(),
                    p.lastHandshakeMillis(), o[0], p.encrypted(), p.plain(), p.refused(), p.connectFailed(),
                    p.bytesIn() + o[1], p.bytesOut() + o[2]));
        });
        return list;
    }

    /**
     * Stops accepting and ends every connection: each gets {@code grace} to finish on its own,
     * then the rest are reset.
     */
    public void close(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        listener.close();
        sweeper.interrupt();
        awaitEnded(grace);
        ready.values().forEach(r -> {
            releasePendingSlot(r.pendingSource());
            r.leg2().abort();
            r.connection().settle(Phase.CLOSED, null);
        });
        ready.clear();
        int reset = 0;
        for (SplicedConnection c : byAppTuple.values()) {
            if (c.phase() != Phase.CLOSED) {
                c.abortBoth("daemon stopping");
                reset++;
            }
        }
        if (reset > 0) {
            log.info("reset {} connection(s) still open at stop", reset);
            awaitEnded(Duration.ofMillis(500)); // the loops send the resets before the stack goes
        }
        deadlines.close();
    }

    /** Waits up to {@code limit} until every connection listed has ended. */
    private void awaitEnded(Duration limit) {
        CompletableFuture<?>[] open = byAppTuple.values().stream().filter(c -> c.phase() != Phase.CLOSED)
                .map(SplicedConnection::ended).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(open).get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the rest is reset
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }
}
