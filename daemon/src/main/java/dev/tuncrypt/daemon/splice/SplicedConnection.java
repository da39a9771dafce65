package dev.tuncrypt.daemon.splice;

import dev.tuncrypt.daemon.control.ConnectionView;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.TcpStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One connection carried by the daemon: leg 1 (what the transparent listener accepted) spliced
 * to leg 2 (the stack's own connection). For {@link Direction#OUTBOUND} leg 2 carries tcpcrypt;
 * for {@link Direction#INBOUND} leg 1 does. The addresses it reports are those the application's
 * own socket sees, so tcpcryptd's library and tcnetstat find it.
 */
final class SplicedConnection implements ConnectionView {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SplicedConnection.class);
    private final Splicer splicer;
    private volatile TcpSocket leg1;
    private final Direction direction;
    private final InetSocketAddress appLocal;
    private final InetSocketAddress appRemote;
    private final long startNanos;
    private final CompletableFuture<Phase> settled = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile TcpSocket leg2;
    private volatile Phase phase = Phase.HANDSHAKING;
    private volatile String plainReason;
    private volatile long lastActivityNanos;
    private volatile long endedNanos;
    private volatile boolean stopping;
    private volatile int ownerUid = Integer.MIN_VALUE;
    private volatile LoopSplice splice;
    private volatile String closeReason;
    private volatile TcpCryptInfo settledInfo;
    /** How the splice ended: null while it runs (or never started), else whether a leg failed. */
    private volatile Boolean endedByFailure;
    /** Leg 2's local and remote address, from its connect on (kept after the legs are let go). */
    private volatile InetSocketAddress[] leg2Tuple;
    /** What the listing shows once both legs are closed and let go ({@link #letGoOfLegs}); null until then. */
    private volatile ConnectionDetails endedDetails;
    private volatile TcpCryptInfo endedInfo;

    /**
     * A connection whose SYN reached the transparent listener at {@code synDestination} from
     * {@code synSource}; registered before leg 1 is answered, so an application that asks for its
     * session right after its connect returns always finds it (handshaking at worst).
     */
    SplicedConnection(Splicer splicer, InetSocketAddress synDestination, InetSocketAddress synSource,
            Direction direction, long nowNanos) {
        this.splicer = splicer;
        this.direction = direction;
        this.startNanos = nowNanos;
        this.lastActivityNanos = nowNanos;
        if (direction == Direction.OUTBOUND) {
            // The application's socket is the client: its peer is the original destination.
            this.appLocal = synSource;
            this.appRemote = synDestination;
        } else {
            this.appLocal = synDestination;
            this.appRemote = synSource;
        }
    }

    Direction direction() {
        return direction;
    }

    TcpSocket leg1() {
        return leg1;
    }

    /** Leg 2, once connected. */
    TcpSocket leg2() {
        return leg2;
    }

    /** The socket carrying tcpcrypt (or the one that would have). */
    private TcpSocket cryptLeg() {
        return direction == Direction.OUTBOUND ? leg2 : leg1;
    }

    /** Leg 2 is connected (leg 1's SYN not yet answered). */
    void leg2Connected(TcpSocket leg2) {
        this.leg2 = leg2;
        this.leg2Tuple = new InetSocketAddress[] {leg2.localAddress(), leg2.remoteAddress()};
    }

    /**
     * Leg 1 completed its handshake: bytes start moving both ways, on the loop that owns both
     * legs (the caller's). False when the legs are on different loops (nothing is spliced).
     */
    boolean start(TcpSocket leg1, SpliceCounters counters) {
        this.leg1 = leg1;
        if (leg1.loop() != leg2.loop()) {
            return false;
        }
        LoopSplice s = new LoopSplice(this, leg1, leg2,
                direction == Direction.OUTBOUND ? counters.bytesOut : counters.bytesIn,
                direction == Direction.OUTBOUND ? counters.bytesIn : counters.bytesOut);
        splice = s;
        s.start();
        return true;
    }

    /**
     * Records that the session was established or fell back; completes {@link #settled()}. The
     * one place a connection's outcome is counted (once: only the first call settles) and its
     * open line logged.
     */
    synchronized void settle(Phase p, String reason) {
        if (phase != Phase.HANDSHAKING) {
            return;
        }
        plainReason = reason;
        SpliceCounters counters = splicer.counters();
        if (p == Phase.ENCRYPTED) {
            TcpCryptInfo info = crypto().orElse(null);
            settledInfo = info;
            counters.countEncrypted(appRemote.getAddress(), info == null ? "" : info.dialect());
            log.info(ConnectionLog.open(direction, appLocal, appRemote, info, null));
        } else if (p == Phase.PLAIN) {
            counters.countPlain(appRemote.getAddress());
            log.info(ConnectionLog.open(direction, appLocal, appRemote, null, reason));
        }
        phase = p;
        settled.complete(p);
    }

    /** Why it is being reset from outside (idle timeout, TCP_CRYPT_RESET, daemon stop), for its close line. */
    void closeReason(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
    }

    /** The splice ended: both directions finished, or one leg failed and the other was reset. */
    void spliceEnded(boolean failure) {
        if (endedByFailure == null) {
            endedByFailure = failure;
        }
        if (failure && !stopping) {
            splicer.counters().resetsPropagated.increment();
        }
        finish();
    }

    /** Ends the connection: both legs closed, the entry retired. */
    void finish() {
        TcpSocket l1 = leg1;
        if (l1 != null) {
            l1.close();
        }
        TcpSocket l2 = leg2;
        if (l2 != null) {
            l2.close();
        }
        Phase outcome = settleBeforeEnd();
        phase = Phase.CLOSED;
        logClose(outcome);
        splicer.retire(this);
        ended.complete(null);
        CompletableFuture.allOf(whenClosed(l1), whenClosed(l2)).thenRun(this::letGoOfLegs);
    }

    private static CompletableFuture<Void> whenClosed(TcpSocket leg) {
        return leg == null ? CompletableFuture.completedFuture(null) : leg.whenClosed().toCompletableFuture();
    }

    /**
     * Both legs are closed (leg 2 perhaps in TIME-WAIT, which the stack keeps by itself): the
     * connection keeps what its listing shows and lets go of the sockets, their TCBs and the
     * splice. An ended connection stays listed for a minute ({@link Splicer}); holding its two
     * TCBs (about 5 KB each) meanwhile made a minute of connections most of a steering daemon's
     * heap in a connection storm, and its young-GC pauses reached 0.9 s.
     */
    private void letGoOfLegs() {
        endedInfo = crypto().orElse(null);
        endedDetails = details(); // the sockets are closed: their last statistics, no loop round trip
        splice = null;
        leg1 = null;
        leg2 = null;
    }

    /** Completes when the connection has ended (for a bounded stop). */
    CompletableFuture<Void> ended() {
        return ended;
    }

    /**
     * A connection that ends before its outcome was noticed is settled by what its crypt leg had
     * negotiated by then, so it is counted like the one netstat shows (with its session ID).
     */
    private Phase settleBeforeEnd() {
        if (phase == Phase.HANDSHAKING) {
            TcpSocket s = cryptLeg();
            if (s != null && leg1 != null && TcpCrypt.info(s) != null) {
                settle(Phase.ENCRYPTED, null);
            } else if (s != null && leg1 != null && !TcpCrypt.peerCapable(s)) {
                settle(Phase.PLAIN, "the peer did not negotiate tcpcrypt (no ENO answer or no common TEP)");
            } else {
                settle(Phase.CLOSED, null);
            }
        }
        return phase;
    }

    private void logClose(Phase outcome) {
        LoopSplice sp = splice;
        long out = sp == null ? 0 : sp.bytesUp();
        long in = sp == null ? 0 : sp.bytesDown();
        if (direction == Direction.INBOUND) {
            long t = out;
            out = in;
            in = t;
        }
        String reason = closeReason;
        if (reason == null) {
            Boolean failure = endedByFailure;
            reason = sp == null ? "not spliced" : stopping ? "stopped" : failure == null ? "closed" : failure ? "reset" : "finished";
        }
        splicer.counters().countEnded(appRemote.getAddress(), in, out);
        if (!log.isInfoEnabled()) {
            return;
        }
        log.info(ConnectionLog.close(direction, appLocal, appRemote,
                outcome == Phase.CLOSED ? "unsettled" : outcome.name().toLowerCase(java.util.Locale.ROOT),
                settledInfo, in, out, Duration.ofNanos(splicer.nanoTime() - startNanos), reason));
    }

    /** Resets both legs (TCP_CRYPT_RESET, idle timeout, daemon stop), saying why in its close line. */
    void abortBoth(String reason) {
        closeReason(reason);
        abortBoth();
    }

    /** Resets both legs (TCP_CRYPT_RESET, idle timeout, daemon stop). */
    void abortBoth() {
        stopping = true;
        TcpSocket l1 = leg1;
        if (l1 != null) {
            l1.abort();
        }
        TcpSocket l2 = leg2;
        if (l2 != null) {
            l2.abort();
        }
    }

    boolean stopping() {
        return stopping;
    }

    /** The connection ended at {@code nowNanos}; it stays listed for a while. */
    void markEnded(long nowNanos) {
        if (endedNanos == 0) {
            endedNanos = nowNanos == 0 ? 1 : nowNanos;
        }
    }

    /** Whether it ended more than {@code lingerNanos} before {@code nowNanos}. */
    boolean endedLongerThan(long nowNanos, long lingerNanos) {
        long e = endedNanos;
        return e != 0 && nowNanos - e > lingerNanos;
    }

    void touch() {
        lastActivityNanos = splicer.nanoTime();
    }

    long idleNanos(long now) {
        return now - lastActivityNanos;
    }

    @Override
    public InetSocketAddress appLocal() {
        return appLocal;
    }

    @Override
    public InetSocketAddress appRemote() {
        return appRemote;
    }

    /** Leg 2's own tuple (local, remote), for lookups by the socket at the far end of leg 2. */
    InetSocketAddress[] leg2Tuple() {
        InetSocketAddress[] t = leg2Tuple;
        return t == null ? null : t.clone();
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public Optional<TcpCryptInfo> crypto() {
        TcpSocket s = cryptLeg();
        return s == null ? Optional.ofNullable(endedInfo) : Optional.ofNullable(TcpCrypt.info(s));
    }

    @Override
    public Optional<String> plainReason() {
        return Optional.ofNullable(plainReason); // set only when it settled plain; kept after it ends
    }

    @Override
    public CompletionStage<Phase> settled() {
        return settled.copy();
    }

    @Override
    public ConnectionDetails details() {
        ConnectionDetails last = endedDetails;
        if (last != null) {
            return new ConnectionDetails(last.state(), last.dialect(), last.srtt(), last.cwndBytes(), last.retransmits(),
                    last.bytesIn(), last.bytesOut(), Duration.ofNanos(splicer.nanoTime() - startNanos));
        }
        TcpSocket s = cryptLeg();
        if (s == null) {
            s = leg1 != null ? leg1 : leg2;
        }
        if (s == null) {
            return new ConnectionDetails("SYN_RECEIVED", "-", Duration.ZERO, 0, 0, 0, 0,
                    Duration.ofNanos(splicer.nanoTime() - startNanos));
        }
        TcpStats st = null;
        try {
            st = s.stats();
        } catch (IOException e) {
            // stack gone: report what we have
        }
        String dialect = crypto().map(TcpCryptInfo::dialect).orElse(phase == Phase.HANDSHAKING ? "-" : "plain");
        LoopSplice sp = splice;
        long out = sp == null ? 0 : sp.bytesUp();
        long in = sp == null ? 0 : sp.bytesDown();
        if (direction == Direction.INBOUND) {
            long t = out;
            out = in;
            in = t;
        }
        Duration age = Duration.ofNanos(splicer.nanoTime() - startNanos);
        if (st == null) {
            return new ConnectionDetails("CLOSED", dialect, Duration.ZERO, 0, 0, in, out, age);
        }
        return new ConnectionDetails(st.state().name(), dialect,
                st.srttNanos() < 0 ? Duration.ZERO : Duration.ofNanos(st.srttNanos()),
                (long) st.cwnd(), st.retransmits(), in, out, age);
    }

    @Override
    public int ownerUid() {
        int u = ownerUid;
        if (u == Integer.MIN_VALUE) {
            u = splicer.ownerOf(this);
            if (u >= 0) {
                ownerUid = u; // not found: asked again later (the owner table may predate this socket)
            }
        }
        return u;
    }

    @Override
    public void reset() {
        abortBoth("reset by request (TCP_CRYPT_RESET)");
    }

    @Override
    public String toString() {
        return direction.name().toLowerCase() + " " + ConnectionLog.address(appLocal) + " -> "
                + ConnectionLog.address(appRemote) + " (" + phase + ")";
    }
}
