package dev.tuncrypt.tcpstack.tcp;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;

import dev.tuncrypt.tcpstack.DropReason;
import dev.tuncrypt.tcpstack.IcmpErrorReport;
import dev.tuncrypt.tcpstack.InboundPacket;
import dev.tuncrypt.tcpstack.LoopContext;
import dev.tuncrypt.tcpstack.ProtocolHandler;
import dev.tuncrypt.tcpstack.TcpResets;
import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import dev.tuncrypt.tcpstack.wire.TcpView;
import dev.tuncrypt.tcpstack.wire.WireError;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * TCP on one stack loop: demultiplexes segments to connections, runs listeners (with SYN
 * cookies when a listener's half-open queue is full, as Linux), answers segments for nothing
 * with resets (RFC 9293 §3.10.7.1), and drives the connections' timers.
 */
public final class TcpLayer implements ProtocolHandler {
    private static final int EPHEMERAL_LOW = 32768;
    private static final int EPHEMERAL_HIGH = 60999;

    final LoopContext ctx;
    final TcpConfig config;
    final SegmentWriter writer;
    final TimerHeap timers = new TimerHeap();
    private final SegmentProtection.Factory protections;
    private final Map<FlowKey, TcpConnection> connections = new HashMap<>();
    private final Map<Integer, ListenEndpoint> listeners = new HashMap<>();
    private ListenEndpoint transparent;
    private final FlowKey probe = new FlowKey();
    private final TcpView tcp = new TcpView();
    private final InboundSegment seg = new InboundSegment();
    private final IsnGenerator isns;
    private final SynCookies cookies;
    private final TcpLayerCounters counters = new TcpLayerCounters();
    /** SYNs waiting for (or just through) a transparent listener's {@link SynGate}. */
    private final Map<FlowKey, GatedSyn> gated = new HashMap<>();
    /** Send and receive rings of this loop's connections, within the stack's memory budget. */
    final RingPool rings;
    private final dev.tuncrypt.tcpstack.MemoryBudget budget;
    private final MemoryRefusals refusals;
    /** Scratch for sealing: plaintext in, frame out (loop-confined, one frame at a time). */
    final java.nio.ByteBuffer plainScratch = java.nio.ByteBuffer.allocateDirect(1 << 16);
    final java.nio.ByteBuffer wireScratch = java.nio.ByteBuffer.allocateDirect((1 << 16) + 256);
    /** Scratch for the SACK blocks of the segment being processed (loop-confined). */
    final long[] sackLeft = new long[dev.tuncrypt.tcpstack.wire.TcpOptions.MAX_SACK_BLOCKS];
    final long[] sackRight = new long[dev.tuncrypt.tcpstack.wire.TcpOptions.MAX_SACK_BLOCKS];

    public TcpLayer(LoopContext ctx, TcpConfig config, SegmentProtection.Factory protections) {
        this(ctx, config, protections, dev.tuncrypt.tcpstack.MemoryBudget.unlimited());
    }

    public TcpLayer(LoopContext ctx, TcpConfig config, SegmentProtection.Factory protections,
            dev.tuncrypt.tcpstack.MemoryBudget budget) {
        this.budget = budget;
        this.rings = new RingPool(budget, Math.min(64L << 20, budget.limit() / 8));
        this.refusals = new MemoryRefusals(budget);
        this.ctx = ctx;
        this.config = config;
        this.protections = protections;
        this.writer = new SegmentWriter(ctx);
        this.isns = new IsnGenerator(ctx.random());
        this.cookies = new SynCookies(ctx.random());
    }

    /** A factory for {@link dev.tuncrypt.tcpstack.NetStack.Builder#transport}. */
    public static ProtocolHandler.Factory factory(TcpConfig config, SegmentProtection.Factory protections) {
        return ctx -> new TcpLayer(ctx, config, protections);
    }

    /** As {@link #factory(TcpConfig, SegmentProtection.Factory)}, every loop's rings within {@code budget}. */
    public static ProtocolHandler.Factory factory(TcpConfig config, SegmentProtection.Factory protections,
            dev.tuncrypt.tcpstack.MemoryBudget budget) {
        return ctx -> new TcpLayer(ctx, config, protections, budget);
    }

    /** This loop's ring pool. */
    public RingPool rings() {
        return rings;
    }

    /** The layer's default connection settings. */
    public TcpConfig config() {
        return config;
    }

    long now() {
        return ctx.clock().nanos();
    }

    RandomGenerator random() {
        return ctx.random();
    }

    /** Largest payload one segment can carry on this link (MTU less IP and TCP headers). */
    int maxSegmentPayload(boolean v6) {
        return ctx.output().maxTransportLength(v6) - TcpView.MIN_HEADER_LENGTH;
    }

    // ------------------------------------------------------------------ input

    @Override
    public boolean acceptsForeignDestinations() {
        return transparent != null;
    }

    @Override
    public void input(InboundPacket p) {
        WireError error = tcp.wrap(p.buffer(), p.transportOffset(), p.transportLength());
        if (error == null) {
            int pseudo = p.isV6()
                    ? Checksum.pseudoHeaderIpv6(p.sourceHi(), p.sourceLo(), p.destinationHi(), p.destinationLo(),
                            IpProtocol.TCP, p.transportLength())
                    : Checksum.pseudoHeaderIpv4(p.source4(), p.destination4(), IpProtocol.TCP, p.transportLength());
            error = tcp.verifyChecksum(pseudo);
        }
        if (error == null) {
            error = tcp.parseOptions(seg.options);
        }
        if (error != null) {
            ctx.counters().malformed(error);
            return;
        }
        seg.load(tcp);
        if (p.isV6()) {
            probe.setV6(p.destinationHi(), p.destinationLo(), tcp.destinationPort(), p.sourceHi(), p.sourceLo(),
                    tcp.sourcePort());
        } else {
            probe.setV4(p.destination4(), tcp.destinationPort(), p.source4(), tcp.sourcePort());
        }
        long now = now();
        TcpConnection c = connections.get(probe);
        if (c == null && ctx.flows().forward(probe, ctx.loop(), p)) {
            return; // another loop (TUN queue) owns this flow
        }
        if (c != null) {
            if (c.state == TcpState.TIME_WAIT && seg.has(SYN) && !seg.has(ACK) && !seg.has(RST)
                    && SeqNum.gt(seg.seq, c.rcvNxt())) {
                // RFC 9293 §3.6.1 / RFC 6191: a new SYN may reopen a connection in TIME-WAIT.
                c.terminate(null);
            } else {
                c.input(seg, now);
                return;
            }
        }
        ListenEndpoint l = listenerFor(p, tcp.destinationPort());
        if (l != null) {
            listen(l, p, now);
            return;
        }
        if (!p.destinationLocal()) {
            ctx.counters().drop(DropReason.NOT_FOR_US);
            return;
        }
        unmatched(p);
    }

    private ListenEndpoint listenerFor(InboundPacket p, int port) {
        ListenEndpoint l = listeners.get(port);
        if (l != null && p.destinationLocal()) {
            return l;
        }
        return transparent;
    }

    private void unmatched(InboundPacket p) {
        if (seg.has(RST)) {
            ctx.counters().drop(DropReason.TCP_RESET_UNMATCHED);
            return;
        }
        ctx.counters().drop(DropReason.TCP_NO_LISTENER);
        TcpResets.replyToUnmatched(ctx, p, tcp);
    }

    /** RFC 9293 §3.10.7.2, "If the state is LISTEN". */
    private void listen(ListenEndpoint l, InboundPacket p, long now) {
        if (seg.has(RST)) {
            ctx.counters().drop(DropReason.TCP_RESET_UNMATCHED); // "An incoming RST should be ignored."
            return;
        }
        if (seg.has(ACK)) {
            if (!seg.has(SYN) && completeWithCookie(l, now)) {
                return;
            }
            // "Any acknowledgment is bad if it arrives on a connection still in the LISTEN state."
            counters.badAckOnListener++;
            TcpResets.replyToUnmatched(ctx, p, tcp);
            return;
        }
        if (!seg.has(SYN)) {
            ctx.counters().drop(DropReason.TCP_NO_LISTENER);
            return;
        }
        if (connections.size() >= config.maxConnections() || l.acceptQueueFull()) {
            counters.listenOverflows++;
            return; // silently, as Linux: the client retries its SYN
        }
        if (!budget.admitsConnection()) {
            counters.refusedNoMemory++;
            refusals.refused(now, probe);
            TcpResets.replyToUnmatched(ctx, p, tcp); // refused at once rather than retried into a full budget
            return;
        }
        if (l.gate != null && !passGate(l, p)) {
            return;
        }
        if (l.halfOpen >= l.synBacklog) {
            sendCookie(p, now);
            return;
        }
        FlowKey key = probe.copy();
        int iss = isns.isn(now, key.localHi, key.localLo, key.localPort, key.remoteHi, key.remoteLo, key.remotePort);
        TcpConnection c = new TcpConnection(this, key, l.config, false, l.protectionOr(protections).create(key, false),
                iss, now);
        c.owner = l;
        l.halfOpen++;
        connections.put(key, c);
        c.acceptSyn(seg, now);
        timers.update(c);
    }

    /** A SYN held for a {@link SynGate}: its packet, and the decision once made. */
    private static final class GatedSyn {
        final java.nio.ByteBuffer packet;
        final int length;
        Boolean decision;

        GatedSyn(java.nio.ByteBuffer packet, int length) {
            this.packet = packet;
            this.length = length;
        }
    }

    /**
     * The SYN gate of a transparent listener: the first SYN of a flow is kept and offered to the
     * gate; when it decides, the kept SYN runs through input again and ends here once more.
     *
     * @return whether the SYN may proceed to the SYN-ACK now
     */
    private boolean passGate(ListenEndpoint l, InboundPacket p) {
        GatedSyn g = gated.get(probe);
        if (g != null && g.decision != null) {
            gated.remove(probe);
            if (g.decision) {
                return true;
            }
            counters.synsGateRefused++;
            TcpResets.replyToUnmatched(ctx, p, tcp); // RFC 9293 §3.10.7.1: RST, ACK = SEG.SEQ + SEG.LEN
            return false;
        }
        if (g != null) {
            counters.synsHeld++; // a retransmitted SYN while the gate decides
            return false;
        }
        if (gated.size() >= l.synBacklog) {
            counters.synsGateOverflow++;
            return false; // the client retries its SYN
        }
        // One copy per new flow (not per packet): the batch buffer is reused as soon as we return.
        java.nio.ByteBuffer copy = java.nio.ByteBuffer.allocateDirect(p.ipLength());
        copy.put(0, p.buffer(), p.ipOffset(), p.ipLength());
        boolean offersEno = seg.options.offersEno();
        FlowKey key = probe.copy();
        GatedSyn held = new GatedSyn(copy, p.ipLength());
        gated.put(key, held);
        l.gate.onSyn(key.localAddress(), key.remoteAddress(), offersEno, ok -> ctx.post(() -> {
            if (gated.get(key) != held) {
                return; // the stack closed or the flow was forgotten
            }
            held.decision = ok;
            ctx.reinject(held.packet, held.length);
            if (gated.get(key) == held) {
                gated.remove(key); // the listener went away meanwhile
            }
        }));
        return false;
    }

    private void sendCookie(InboundPacket p, long now) {
        FlowKey k = probe;
        int mss = seg.options.hasMss() ? seg.options.mss() : 536;
        int cookie = cookies.encode(now, k.localHi, k.localLo, k.localPort, k.remoteHi, k.remoteLo, k.remotePort,
                seg.seq, mss);
        counters.cookiesSent++;
        writer.cookieSynAck(k, cookie, seg.seq + 1, SynCookies.encodableMss(mss));
    }

    private boolean completeWithCookie(ListenEndpoint l, long now) {
        FlowKey k = probe;
        int mss = cookies.validate(now, k.localHi, k.localLo, k.localPort, k.remoteHi, k.remoteLo, k.remotePort,
                seg.seq - 1, seg.ack - 1);
        if (mss == SynCookies.INVALID) {
            return false;
        }
        if (l.acceptQueueFull()) {
            counters.listenOverflows++;
            return true;
        }
        counters.cookiesAccepted++;
        FlowKey key = k.copy();
        TcpConnection c = new TcpConnection(this, key, l.config, false, l.protectionOr(protections).create(key, false),
                seg.ack - 1, now);
        c.owner = l;
        connections.put(key, c);
        c.acceptCookie(seg, mss, now);
        timers.update(c);
        return true;
    }

    /** A passive connection reached ESTABLISHED: hand it to its listener's accept queue. */
    void onEstablished(TcpConnection c) {
        ListenEndpoint l = c.owner;
        if (l == null) {
            return;
        }
        c.owner = null;
        if (l.halfOpen > 0 && !c.fromCookie) {
            l.halfOpen--;
        }
        l.deliver(c);
    }

    /** Forgets a CLOSED connection. */
    void remove(TcpConnection c) {
        connections.remove(c.key);
        if (c.active) {
            ctx.flows().unregister(c.key);
        }
        timers.remove(c);
        if (c.owner != null) {
            if (!c.fromCookie) {
                c.owner.halfOpen--;
            }
            c.owner = null;
        }
    }

    /** An ICMP error about a segment we sent: find the connection and let it judge (RFC 5927). */
    @Override
    public void onIcmpError(IcmpErrorReport r) {
        if (r.isV6()) {
            probe.setV6(r.localHi(), r.localLo(), r.localPort(), r.remoteHi(), r.remoteLo(), r.remotePort());
        } else {
            probe.setV4(r.local4(), r.localPort(), r.remote4(), r.remotePort());
        }
        TcpConnection c = connections.get(probe);
        if (c == null) {
            counters.icmpUnmatched++;
            return;
        }
        c.onIcmpError(r, now());
    }

    // ------------------------------------------------------------------ timers

    @Override
    public long nextDeadline() {
        return timers.nextDeadline();
    }

    @Override
    public void onTimer(long now) {
        // each due connection once per turn: one whose timer stays due waits for the next poll
        int budget = timers.size();
        TcpConnection c;
        while (budget-- > 0 && (c = timers.peek()) != null && c.heapKey - now <= 0) {
            timers.remove(c);
            c.onTimer(now);
        }
    }

    @Override
    public void close() {
        for (TcpConnection c : new ArrayList<>(connections.values())) {
            c.abort();
        }
        for (ListenEndpoint l : listeners.values()) {
            l.closed();
        }
        if (transparent != null) {
            transparent.closed();
        }
    }

    // ------------------------------------------------------------------ application side (loop thread)

    /**
     * Opens a connection to {@code remote} from the stack's address of the same family (or
     * {@code local} if given; port 0 picks an ephemeral port).
     */
    public TcpConnection connect(InetSocketAddress local, InetSocketAddress remote, TcpConfig cfg,
            ConnectionListener listener) {
        return connect(local, remote, cfg, listener, null);
    }

    /** As {@link #connect(InetSocketAddress, InetSocketAddress, TcpConfig, ConnectionListener)} with this connection's own protection (null: the stack's). */
    public TcpConnection connect(InetSocketAddress local, InetSocketAddress remote, TcpConfig cfg,
            ConnectionListener listener, SegmentProtection.Factory protection) {
        InetAddress localAddress = local != null && !local.getAddress().isAnyLocalAddress()
                ? local.getAddress()
                : sourceAddressFor(remote.getAddress());
        int port = local != null && local.getPort() != 0 ? local.getPort() : -1;
        FlowKey key = null;
        if (port < 0) {
            int span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
            int start = ctx.random().nextInt(span);
            for (int i = 0; i < span && key == null; i++) {
                FlowKey k = FlowKey.of(new InetSocketAddress(localAddress, EPHEMERAL_LOW + (start + i) % span), remote);
                if (!connections.containsKey(k)) {
                    key = k;
                }
            }
            if (key == null) {
                throw new IllegalStateException("no free local port toward " + remote);
            }
        } else {
            key = FlowKey.of(new InetSocketAddress(localAddress, port), remote);
            if (connections.containsKey(key)) {
                throw new IllegalStateException("address in use: " + key);
            }
        }
        long now = now();
        if (!budget.admitsConnection()) {
            counters.refusedNoMemory++;
            refusals.refused(now, remote);
            throw new IllegalStateException("refused: memory budget nearly used up (" + budget + ")");
        }
        int iss = isns.isn(now, key.localHi, key.localLo, key.localPort, key.remoteHi, key.remoteLo, key.remotePort);
        SegmentProtection.Factory factory = protection != null ? protection : protections;
        TcpConnection c = new TcpConnection(this, key, cfg, true, factory.create(key, true), iss, now);
        c.setListener(listener);
        connections.put(key, c);
        ctx.flows().register(key, ctx.loop());
        c.open(now);
        timers.update(c);
        return c;
    }

    private InetAddress sourceAddressFor(InetAddress remote) {
        for (InetAddress a : ctx.addresses().all()) {
            if (a.getAddress().length == remote.getAddress().length) {
                return a;
            }
        }
        throw new IllegalArgumentException("the stack has no address of the family of " + remote.getHostAddress());
    }

    /** Registers a listener on {@code port} of every stack address (or, transparent, on everything). */
    public void addListener(ListenEndpoint l) {
        if (l.transparent) {
            if (transparent != null) {
                throw new IllegalStateException("a transparent listener already exists");
            }
            transparent = l;
        } else {
            if (listeners.containsKey(l.port)) {
                throw new IllegalStateException("port " + l.port + " already has a listener");
            }
            listeners.put(l.port, l);
        }
    }

    public void removeListener(ListenEndpoint l) {
        if (l.transparent) {
            if (transparent == l) {
                transparent = null;
            }
        } else {
            listeners.remove(l.port, l);
        }
    }

    /** Connections on this loop (for netstat-like views; loop thread). */
    public List<TcpConnection> connections() {
        return List.copyOf(connections.values());
    }

    public int connectionCount() {
        return connections.size();
    }

    public TcpLayerCounters counters() {
        return counters;
    }
}
