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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TCP on one stack loop: demultiplexes segments to connections, runs listeners (a bounded
 * {@link SynCache} of half-open connections per listener; when it is full, SYN cookies for plain
 * SYNs and eviction of the oldest entry for SYNs offering TCP-ENO, whose negotiation a cookie
 * cannot carry), answers segments for nothing with resets (RFC 9293 §3.10.7.1), and drives the
 * connections' timers.
 *
 * <p>Creating a connection is all or nothing: the SYN's options are checked before any state
 * exists ({@link SynOptionsCheck}), and a failure at any later stage of the handshake deletes
 * what was built and is counted by stage ({@link OpenFailure}).
 */
public final class TcpLayer implements ProtocolHandler {
    private static final Logger log = LoggerFactory.getLogger(TcpLayer.class);

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
    /**
     * Keys the timestamp clock's offset to the 4-tuple (as Linux's secure_tcp_ts_off), so that
     * TSval keeps rising across incarnations of one 4-tuple: RFC 6191 §2 lets a SYN with a newer
     * timestamp reopen a connection in TIME-WAIT, which a random offset per connection defeats
     * half the time (RFC 7323 §5.4 asks only that the offset be random to the outside).
     */
    private final TupleHash tsOffsets;
    private final EphemeralPorts ephemeralPorts;
    /**
     * The SYN being processed reopens a connection that was in TIME-WAIT (RFC 6191), whose
     * highest sequence number sent was {@link #reopenedSndMax}: the new ISS must lie above it.
     */
    private boolean reopening;
    private int reopenedSndMax;
    private final SynCookies cookies;
    private final TcpLayerCounters counters = new TcpLayerCounters();
    final SynOptionsCheck synOptions = new SynOptionsCheck(counters);
    /**
     * Passive connections whose listener's {@link SynGate} is asked when the handshake completes
     * ({@link SynGate.Timing#AFTER_HANDSHAKE}), with whether their SYN offered TCP-ENO.
     */
    private final Map<TcpConnection, Boolean> gateAfterHandshake = new HashMap<>();
    /** SYNs waiting for (or just through) a transparent listener's {@link SynGate}. */
    private final Map<FlowKey, GatedSyn> gated = new HashMap<>();
    /** Send and receive rings of this loop's connections, within the stack's memory budget. */
    final RingPool rings;
    /** What this loop's connections together may be sent at once: their windows' bound. */
    final ReceiveWindowBudget windowBudget;
    private final dev.tuncrypt.tcpstack.MemoryBudget budget;
    private final MemoryRefusals refusals;
    /** Scratch for sealing: plaintext in, frame out (loop-confined, one frame at a time). */
    // Heap, not direct: the JDK's AES-GCM intrinsic path works on arrays; on direct buffers it
    // stages through its own copies, 2.5-4x slower per byte for 16-64 KiB frames (benchmarks §17).
    final java.nio.ByteBuffer plainScratch = java.nio.ByteBuffer.allocate(1 << 16);
    final java.nio.ByteBuffer wireScratch = java.nio.ByteBuffer.allocate((1 << 16) + 256);
    /** Connections whose output waits for the end of the current input batch (loop-confined). */
    private final ArrayList<TcpConnection> outputDue = new ArrayList<>();
    private boolean inBatch;
    /** Whether the link takes super-packets: TCP then sends up to {@link #MAX_SEGMENTS_PER_PACKET} segments in one. */
    final boolean segmentationOffload;
    /** Whether the link completes partial checksums: TCP then leaves them to it. */
    final boolean checksumOffload;
    /** Most segments in one super-packet (as Linux's and gVisor's 64 KiB GSO limit at MSS 1460). */
    static final int MAX_SEGMENTS_PER_PACKET = 44;
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
        this.segmentationOffload = ctx.output().segmentationOffload();
        this.windowBudget = new ReceiveWindowBudget(ctx.output()::receiveQueuePackets,
                () -> ReceiveWindowBudget.bytesPerQueuedPacket(maxSegmentPayload(false), ctx.output().segmentationOffload()));
        this.checksumOffload = ctx.output().checksumOffload();
        this.isns = new IsnGenerator(ctx.random());
        this.tsOffsets = new TupleHash(ctx.random());
        this.ephemeralPorts = new EphemeralPorts(ctx.random());
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
        if (error == null && !p.checksumPartial()) {
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
        seg.gsoSize = p.gsoSize();
        if (p.isV6()) {
            probe.setV6(p.destinationHi(), p.destinationLo(), tcp.destinationPort(), p.sourceHi(), p.sourceLo(),
                    tcp.sourcePort());
        } else {
            probe.setV4(p.destination4(), tcp.destinationPort(), p.source4(), tcp.sourcePort());
        }
        long now = now();
        TcpConnection c = connections.get(probe);
        if (c == null) {
            // a packet no connection here takes right away may be kept (a gated SYN), handed to
            // another loop or quoted: from here on it must verify like any other
            p.completeChecksum();
        }
        if (c == null && ctx.flows().forward(probe, ctx.loop(), p)) {
            return; // another loop (TUN queue) owns this flow
        }
        if (c != null) {
            if (c.state == TcpState.TIME_WAIT && seg.has(SYN) && !seg.has(ACK) && !seg.has(RST)
                    && TimeWaitReuse.synReopens(c, seg, config.timestamps())) {
                // RFC 9293 §3.6.1 (MAY-2) / RFC 6191 §2: a new SYN reopens a connection in
                // TIME-WAIT; the listener below gives it an ISS above the old incarnation's
                counters.timeWaitReopened++;
                reopening = true;
                reopenedSndMax = c.sender.sndMax;
                c.terminate(null);
            } else if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
                inputHandshake(c, now);
                return;
            } else {
                c.input(seg, now);
                return;
            }
        }
        ListenEndpoint l = listenerFor(p, tcp.destinationPort());
        if (l != null) {
            try {
                listen(l, p, now);
            } finally {
                reopening = false;
            }
            return;
        }
        reopening = false;
        if (!p.destinationLocal()) {
            ctx.counters().drop(DropReason.NOT_FOR_US);
            return;
        }
        unmatched(p);
    }

    /** A segment for a connection still in its handshake: a failure deletes it (fail closed). */
    private void inputHandshake(TcpConnection c, long now) {
        try {
            c.input(seg, now);
        } catch (GateFailure e) {
            discard(c, OpenFailure.SYN_GATE, e.getCause());
        } catch (RuntimeException e) {
            discard(c, OpenFailure.HANDSHAKE, e);
        }
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
        boolean v6 = p.isV6();
        if (SynOptionsCheck.effectiveMss(seg.options, v6, l.config, maxSegmentPayload(v6)) <= 0) {
            counters.openFailed(OpenFailure.SYN_OPTIONS); // refused before any state exists
            return;
        }
        boolean gateLater = false;
        if (l.gate != null) {
            SynGate.Timing timing;
            try {
                timing = l.gate.timing(probe.localAddress(), probe.remoteAddress(), seg.options.offersEno());
            } catch (RuntimeException e) {
                counters.openFailed(OpenFailure.SYN_GATE);
                log.debug("SYN gate failed on {}", probe, e);
                return;
            }
            if (timing == SynGate.Timing.AFTER_HANDSHAKE) {
                gateLater = true;
            } else if (!passGate(l, p)) {
                return;
            }
        }
        if (!makeRoom(l)) {
            sendCookie(p, now);
            return;
        }
        if (gateLater) {
            counters.synsGateDeferred++;
        }
        openPassive(l, now, gateLater);
    }

    /**
     * Room in the listener's SYN cache for the SYN being processed (RFC 4987 §3.4). A full cache
     * answers a plain SYN with a cookie (which loses only window scaling, SACK and timestamps) but
     * gives up an entry for a SYN offering TCP-ENO, which a cookie would downgrade to plain TCP:
     * the SYN's own source's oldest if that source holds its share, else the oldest of all.
     *
     * @return false when the SYN should be answered with a cookie instead
     */
    private boolean makeRoom(ListenEndpoint l) {
        SynCache cache = l.halfOpen;
        if (!cache.full()) {
            return true;
        }
        if (!seg.options.offersEno()) {
            return false;
        }
        counters.cookiesWithheldForEno++;
        TcpConnection victim = cache.overShare(probe);
        if (victim != null) {
            counters.synCacheSourceEvictions++;
        } else {
            counters.synCacheEvictions++;
            victim = cache.oldest();
        }
        victim.terminate(null); // silently: a reset would go to whoever the source claims to be
        return true;
    }

    /** RFC 9293 §3.10.7.2: a TCB for the SYN, SYN-RECEIVED, SYN-ACK sent; nothing kept if any step fails. */
    private void openPassive(ListenEndpoint l, long now, boolean gateLater) {
        FlowKey key = probe.copy();
        int iss = isns.isn(now, key.localHi, key.localLo, key.localPort, key.remoteHi, key.remoteLo, key.remotePort);
        if (reopening) {
            iss = TimeWaitReuse.issAbove(iss, reopenedSndMax); // RFC 9293 §3.6.1 (1)
        }
        TcpConnection c = null;
        OpenFailure stage = OpenFailure.PROTECTION_CREATE;
        try {
            SegmentProtection protection = l.protectionOr(protections).create(key, false);
            stage = OpenFailure.TCB_CREATE;
            c = new TcpConnection(this, key, l.config, false, protection, iss, now);
            c.tsOffset = tsOffset(key);
            stage = OpenFailure.HANDSHAKE;
            c.owner = l;
            l.halfOpen.add(c);
            connections.put(key, c);
            if (gateLater) {
                gateAfterHandshake.put(c, seg.options.offersEno());
            }
            c.acceptSyn(seg, now);
            timers.update(c);
        } catch (RuntimeException e) {
            discard(c, stage, e);
        }
    }

    /**
     * Deletes a connection whose creation failed at {@code stage}: no table entry, half-open
     * slot, gate entry, timer or ring stays; counted. The peer hears nothing (a passive opener
     * retries its SYN; an active one's application is told the connection was aborted).
     */
    private void discard(TcpConnection c, OpenFailure stage, Throwable cause) {
        counters.openFailed(stage);
        log.debug("connection creation failed ({}){}", stage, c != null ? " for " + c.key : "", cause);
        if (c == null) {
            return;
        }
        try {
            c.terminate(TcpError.ABORTED);
        } catch (RuntimeException e) {
            log.debug("terminating a failed connection failed too", e);
        }
        remove(c); // terminate skips a TCB that never left CLOSED; remove is idempotent
        c.sendBuffer.discard();
    }

    /** A {@link SynGate} failure inside a connection's input, told apart from other failures. */
    private static final class GateFailure extends RuntimeException {
        GateFailure(RuntimeException cause) {
            super(cause);
        }
    }

    /** A SYN held for a {@link SynGate}: its packet, and the decision once made. */
    private static final class GatedSyn {
        final java.nio.ByteBuffer packet;
        final int length;
        Boolean decision;
        /** The SYN reopened a connection in TIME-WAIT that had sent up to this sequence number. */
        boolean reopening;
        int reopenedSndMax;

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
                reopening = g.reopening; // the TIME-WAIT it reopened is gone by now
                reopenedSndMax = g.reopenedSndMax;
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
        held.reopening = reopening;
        held.reopenedSndMax = reopenedSndMax;
        gated.put(key, held);
        try {
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
        } catch (RuntimeException e) {
            gated.remove(key, held);
            counters.openFailed(OpenFailure.SYN_GATE);
            log.debug("SYN gate failed on {}", key, e);
        }
        return false;
    }

    private void sendCookie(InboundPacket p, long now) {
        FlowKey k = probe;
        int mss = synOptions.peerMss(seg.options, k.isV6());
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
        TcpConnection c = null;
        OpenFailure stage = OpenFailure.SYN_GATE;
        try {
            // a cookie went only to a SYN without TCP-ENO (makeRoom)
            boolean gateLater = l.gate != null
                    && l.gate.timing(key.localAddress(), key.remoteAddress(), false) == SynGate.Timing.AFTER_HANDSHAKE;
            stage = OpenFailure.PROTECTION_CREATE;
            SegmentProtection protection = l.protectionOr(protections).create(key, false);
            stage = OpenFailure.TCB_CREATE;
            c = new TcpConnection(this, key, l.config, false, protection, seg.ack - 1, now);
            c.tsOffset = tsOffset(key);
            stage = OpenFailure.HANDSHAKE;
            c.owner = l;
            connections.put(key, c);
            if (gateLater) {
                gateAfterHandshake.put(c, false);
            }
            c.acceptCookie(seg, mss, now);
            timers.update(c);
        } catch (GateFailure e) {
            discard(c, OpenFailure.SYN_GATE, e.getCause());
        } catch (RuntimeException e) {
            discard(c, stage, e);
        }
        return true;
    }

    /** A passive connection reached ESTABLISHED: hand it to its listener's accept queue. */
    void onEstablished(TcpConnection c) {
        ListenEndpoint l = c.owner;
        if (l == null) {
            return;
        }
        c.owner = null;
        l.halfOpen.remove(c);
        Boolean offersEno = gateAfterHandshake.remove(c);
        if (offersEno != null) {
            askGateAfterHandshake(l, c, offersEno);
            return;
        }
        l.deliver(c);
    }

    /**
     * {@link SynGate.Timing#AFTER_HANDSHAKE}: the handshake proved the source address; the gate
     * decides now, and the connection reaches the accept queue only if it says so.
     */
    private void askGateAfterHandshake(ListenEndpoint l, TcpConnection c, boolean offersEno) {
        try {
            l.gate.onSyn(c.key.localAddress(), c.key.remoteAddress(), offersEno, ok -> ctx.post(() -> {
                if (c.state == TcpState.CLOSED || connections.get(c.key) != c) {
                    return; // it ended while the gate decided
                }
                if (ok) {
                    l.deliver(c);
                } else {
                    counters.synsGateRefused++;
                    c.abort();
                }
            }));
        } catch (RuntimeException e) {
            throw new GateFailure(e);
        }
    }

    /** Forgets a CLOSED connection (idempotent). */
    void remove(TcpConnection c) {
        if (connections.remove(c.key, c) && c.active) {
            ctx.flows().unregister(c.key);
        }
        timers.remove(c);
        gateAfterHandshake.remove(c);
        if (c.owner != null) {
            c.owner.halfOpen.remove(c);
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

    // ------------------------------------------------------------------ batching

    @Override
    public void beginBatch() {
        inBatch = true;
    }

    /** Sends, once per connection, what the batch's segments made due (ACKs, released data). */
    @Override
    public void endBatch() {
        inBatch = false;
        if (outputDue.isEmpty()) {
            return;
        }
        long now = now();
        for (int i = 0; i < outputDue.size(); i++) {
            TcpConnection c = outputDue.get(i);
            c.outputDue = false;
            if (c.state != TcpState.CLOSED) {
                c.output(now);
                timers.update(c);
            }
        }
        outputDue.clear();
    }

    /** After a segment's input: output now, or at the end of the batch being read. */
    void outputAfterInput(TcpConnection c, long now) {
        if (inBatch) {
            if (!c.outputDue) {
                c.outputDue = true;
                outputDue.add(c);
            }
        } else {
            c.output(now);
        }
        timers.update(c);
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
            if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
                try {
                    c.onTimer(now); // retransmits our SYN or SYN-ACK
                } catch (RuntimeException e) {
                    discard(c, OpenFailure.HANDSHAKE, e);
                }
            } else {
                c.onTimer(now);
            }
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
        FlowKey key = FlowKey.of(new InetSocketAddress(localAddress, Math.max(port, 0)), remote);
        TcpConnection previous = null;
        if (port < 0) {
            FlowKey k = key;
            int chosen = ephemeralPorts.choose(k.localHi, k.localLo, k.remoteHi, k.remoteLo, k.remotePort, candidate -> {
                k.localPort = candidate;
                return !connections.containsKey(k);
            });
            if (chosen < 0) {
                throw new IllegalStateException("no free local port toward " + remote);
            }
            key.localPort = chosen;
        } else {
            previous = connections.get(key);
            if (previous != null && previous.state != TcpState.TIME_WAIT) {
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
        if (previous != null) {
            // the tuple's last incarnation is ours in TIME-WAIT (TimeWaitReuse): it gives way,
            // and the new ISS lies above all it sent (RFC 9293 §3.6.1 (1))
            iss = TimeWaitReuse.issAbove(iss, previous.sender.sndMax);
            counters.timeWaitReused++;
            previous.terminate(null);
        }
        SegmentProtection.Factory factory = protection != null ? protection : protections;
        TcpConnection c = null;
        OpenFailure stage = OpenFailure.PROTECTION_CREATE;
        try {
            SegmentProtection p = factory.create(key, true);
            stage = OpenFailure.TCB_CREATE;
            c = new TcpConnection(this, key, cfg, true, p, iss, now);
            c.tsOffset = tsOffset(key);
            stage = OpenFailure.HANDSHAKE;
            connections.put(key, c);
            ctx.flows().register(key, ctx.loop());
            c.open(now);
            timers.update(c);
        } catch (RuntimeException e) {
            discard(c, stage, e); // the caller hears of it from the exception, not a callback
            throw e;
        }
        c.setListener(listener);
        return c;
    }

    /** The timestamp clock offset of {@code key}'s connections: secret, and the same for every incarnation. */
    private int tsOffset(FlowKey key) {
        return (int) tsOffsets.hash(key.localHi, key.localLo, key.localPort, key.remoteHi, key.remoteLo, key.remotePort, 0);
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

    /** SYNs held for a {@link SynGate} (tests). */
    int heldSyns() {
        return gated.size();
    }

    /** Connections waiting for their gate after the handshake, or registered to (tests). */
    int gatesAfterHandshake() {
        return gateAfterHandshake.size();
    }
}
