package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.FIN;
import static dev.tuncrypt.tcpstack.wire.TcpView.PSH;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;
import static org.assertj.core.api.Assertions.fail;

import dev.tuncrypt.tcpstack.StackHarness;
import dev.tuncrypt.tcpstack.TestPackets;
import dev.tuncrypt.tcpstack.tcp.ListenEndpoint;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import dev.tuncrypt.tcpstack.wire.Ipv4View;
import dev.tuncrypt.tcpstack.wire.Ipv6View;
import dev.tuncrypt.tcpstack.wire.PseudoHeader;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import dev.tuncrypt.tcpstack.wire.TcpOption;
import dev.tuncrypt.tcpstack.wire.WireError;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The test's end of one TCP connection with the stack: it builds the peer's segments from its own
 * sequence state (SND.NXT of the peer, the stack's data received in order, timestamps once
 * negotiated), injects them, parses everything the stack sends back with the wire layer and keeps
 * a time-stamped log of it for failure messages.
 *
 * <p>Sequence numbers are unsigned 32-bit values in {@code long}s. In messages, the stack's
 * sequence numbers are shown relative to its ISS ("S+1") and the peer's relative to the peer's
 * ISS ("P+1").
 */
public final class Peer {
    public static final int SERVER_PORT = 80;
    public static final int CLIENT_PORT = 40000;
    /** The peer's ISS: above 2^31, so that signed/unsigned mistakes show. */
    public static final long PEER_ISS = 0x9000_0000L;
    public static final InetAddress PEER4 = InetAddress.ofLiteral("198.18.7.1");
    public static final InetAddress PEER6 = InetAddress.ofLiteral("2001:2:0:7::1");
    private static final long MASK = 0xFFFF_FFFFL;
    private static final long TS_BASE = 5_000_000L;

    public final StackHarness h;
    public final boolean v6;
    private final long startNanos;

    /** The peer's port and the stack's port of this flow. */
    public int peerPort;
    public int stackPort;

    /** The peer's sequence space: its ISS and its next sequence number to send. */
    public long peerIss = PEER_ISS;
    public long sndNxt;

    /** The stack's sequence space as the peer sees it: its ISS and the next byte expected in order. */
    public long stackIss = -1;
    public long rcvNxt;

    /** The window field the peer puts on its segments. */
    public int window = 65535;
    /** Timestamps are in use on this connection (the peer then stamps every segment). */
    public boolean ts;
    /** The stack's latest TSval, echoed as TSecr. */
    public long tsRecent;
    /** The stack's SYN or SYN-ACK. */
    public TcpHeader stackSyn;

    public TcpConnection conn;
    public Events events;
    public Acceptor acceptor;
    public ListenEndpoint listener;

    /** Every segment of this flow the stack sent, and when. */
    public final List<TcpHeader> log = new ArrayList<>();
    public final List<Long> logTimes = new ArrayList<>();

    private Peer(StackHarness h, boolean v6) {
        this.h = h;
        this.v6 = v6;
        this.startNanos = h.clock.nanos();
    }

    // ------------------------------------------------------------------ opening

    /** The stack actively opens toward the peer (a server on port 80); returns after the stack's SYN. */
    public static Peer connect(StackHarness h, TcpConfig cfg) {
        return connect(h, cfg, false);
    }

    public static Peer connect(StackHarness h, TcpConfig cfg, boolean v6) {
        Peer p = new Peer(h, v6);
        p.peerPort = SERVER_PORT;
        p.events = new Events();
        p.conn = h.stack.tcp(0).connect(null, new InetSocketAddress(v6 ? PEER6 : PEER4, SERVER_PORT), cfg, p.events);
        p.stackPort = p.conn.flow().localPort();
        TcpHeader syn = p.one(p.poll(), "the stack's SYN after connect()");
        p.check(syn, "the stack's SYN after connect()").flags(SYN);
        return p;
    }

    /** The stack actively opens toward the peer from its own address and {@code localPort}, as a bound socket would. */
    public static Peer connectFrom(StackHarness h, TcpConfig cfg, int localPort) {
        Peer p = new Peer(h, false);
        p.peerPort = SERVER_PORT;
        p.events = new Events();
        p.conn = h.stack.tcp(0).connect(new InetSocketAddress(InetAddress.ofLiteral("198.18.7.2"), localPort),
                new InetSocketAddress(PEER4, SERVER_PORT), cfg, p.events);
        p.stackPort = p.conn.flow().localPort();
        TcpHeader syn = p.one(p.poll(), "the stack's SYN after connect()");
        p.check(syn, "the stack's SYN after connect()").flags(SYN);
        return p;
    }

    /** Answers the stack's SYN with a SYN-ACK carrying {@code o}. */
    public List<TcpHeader> synAck(PeerOptions o) {
        Seg s = raw().seq(peerIss).ack(stackIss + 1).flags(SYN | ACK);
        o.addTo(s, tsVal(), tsRecent);
        ts = o.timestamps() && has(stackSyn, TcpOption.Timestamps.class);
        sndNxt = (peerIss + 1) & MASK;
        return send(s);
    }

    /** Active open completed with a peer offering {@code o}. */
    public static Peer activeOpen(StackHarness h, TcpConfig cfg, PeerOptions o) {
        Peer p = connect(h, cfg);
        TcpHeader ack = p.one(p.synAck(o), "the stack's ACK of the peer's SYN-ACK (RFC 9293 figure 7, line 4)");
        p.check(ack, "third segment of the three-way handshake").flags(ACK).seq(p.stackIss + 1).ack(p.peerIss + 1);
        p.expectState(TcpState.ESTABLISHED, "after the three-way handshake");
        return p;
    }

    /** A listener on port 80 whose accept queue holds {@code backlog} connections. */
    public static Peer listen(StackHarness h, TcpConfig cfg, int backlog) {
        return listen(h, cfg, backlog, false);
    }

    /** As {@link #listen(StackHarness, TcpConfig, int)}; the peer speaks IPv6 if {@code v6}. */
    public static Peer listen(StackHarness h, TcpConfig cfg, int backlog, boolean v6) {
        Peer p = new Peer(h, v6);
        p.peerPort = CLIENT_PORT;
        p.stackPort = SERVER_PORT;
        p.acceptor = new Acceptor(backlog);
        p.listener = new ListenEndpoint(SERVER_PORT, false, cfg, p.acceptor);
        h.stack.tcp(0).addListener(p.listener);
        return p;
    }

    /** Another client of the same listener, from {@code port}, with its own ISS. */
    public Peer client(int port) {
        Peer p = new Peer(h, v6);
        p.peerPort = port;
        p.stackPort = stackPort;
        p.acceptor = acceptor;
        p.listener = listener;
        p.peerIss = (PEER_ISS + 7_919L * port) & MASK;
        return p;
    }

    /** Sends the peer's SYN with {@code o} to the listener. */
    public List<TcpHeader> syn(PeerOptions o) {
        Seg s = raw().seq(peerIss).ack(0).flags(SYN);
        o.addTo(s, tsVal(), 0);
        sndNxt = (peerIss + 1) & MASK;
        List<TcpHeader> out = send(s);
        ts = o.timestamps() && stackSyn != null && has(stackSyn, TcpOption.Timestamps.class);
        return out;
    }

    /** Sends the ACK completing a passive open and takes the connection from the accept queue. */
    public TcpConnection completePassive() {
        List<TcpHeader> out = send(seg());
        if (!out.isEmpty()) {
            fail("the stack answered the handshake-completing ACK with:\n" + fmt(out));
        }
        conn = acceptor.take();
        if (conn == null) {
            fail("no connection reached the accept queue after the handshake; stack segments:\n" + history());
        }
        events = acceptor.events(conn);
        expectState(TcpState.ESTABLISHED, "after the three-way handshake");
        return conn;
    }

    /** Passive open completed with a peer offering {@code o}. */
    public static Peer passiveOpen(StackHarness h, TcpConfig cfg, PeerOptions o) {
        Peer p = listen(h, cfg, 16);
        TcpHeader synAck = p.one(p.syn(o), "the stack's SYN-ACK");
        p.check(synAck, "the stack's SYN-ACK").flags(SYN | ACK).ack(p.peerIss + 1);
        p.completePassive();
        return p;
    }

    // ------------------------------------------------------------------ building and sending

    /** A segment of this flow with no fields filled in but the ports and the window. */
    public Seg raw() {
        return Seg.tcp().v6(v6).from(peerPort).to(stackPort).window(window);
    }

    /** A pure ACK at the peer's current state: SEQ = peer's SND.NXT, ACK = what arrived in order, timestamps if in use. */
    public Seg seg() {
        Seg s = raw().seq(sndNxt).ack(rcvNxt).flags(ACK);
        if (ts) {
            s.ts(tsVal(), tsRecent);
        }
        return s;
    }

    /** The peer's TSval now: a millisecond clock. */
    public long tsVal() {
        return TS_BASE + h.clock.nanos() / 1_000_000L;
    }

    /** The last segment the peer injected, for failure messages. */
    private Seg lastSent;

    /** Injects {@code s} (no peer state changes) and returns what the stack sent. */
    public List<TcpHeader> send(Seg s) {
        lastSent = s;
        h.send(s.build());
        return poll();
    }

    /** Sends {@code n} bytes of data at the peer's SND.NXT and advances it. */
    public List<TcpHeader> data(int n) {
        return data(TestPackets.bytes(n, (int) sndNxt));
    }

    public List<TcpHeader> data(byte[] payload) {
        Seg s = seg().flags(ACK | PSH).payload(payload);
        sndNxt = (sndNxt + payload.length) & MASK;
        return send(s);
    }

    /** Sends FIN,ACK at the peer's SND.NXT and advances it. */
    public List<TcpHeader> fin() {
        Seg s = seg().flags(FIN | ACK);
        sndNxt = (sndNxt + 1) & MASK;
        return send(s);
    }

    /** Sends a pure ACK of everything received in order. */
    public List<TcpHeader> ack() {
        return send(seg());
    }

    // ------------------------------------------------------------------ application side

    /** The application writes {@code data}; returns what the stack sent at once. */
    public List<TcpHeader> appSend(byte[] data) {
        int n = conn.send(ByteBuffer.wrap(data));
        if (n != data.length) {
            fail("send() took " + n + " of " + data.length + " bytes in state " + conn.state());
        }
        return poll();
    }

    public List<TcpHeader> appSend(int n) {
        return appSend(TestPackets.bytes(n, 99));
    }

    /** The application reads everything readable (returns null at end of stream with nothing read). */
    public byte[] appRead() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(65536);
        while (true) {
            b.clear();
            int n = conn.receive(b);
            if (n < 0) {
                return all.size() == 0 ? null : all.toByteArray();
            }
            if (n == 0) {
                return all.toByteArray();
            }
            all.write(b.array(), 0, n);
        }
    }

    // ------------------------------------------------------------------ time

    /** Runs the stack with no time passing; returns what it sent. */
    public List<TcpHeader> poll() {
        return collect(guarded(h::poll));
    }

    /** Moves virtual time by {@code nanos}; returns what the stack sent meanwhile. */
    public List<TcpHeader> advance(long nanos) {
        h.clock.advance(nanos);
        return collect(guarded(h::poll));
    }

    /** How long one turn of the stack's loop may take before the test calls it stuck. */
    private static final long LOOP_WATCHDOG_MILLIS = 5_000;

    /**
     * Runs one step of the stack's loop on a helper thread and waits for it, so that a loop that
     * never returns fails the test with the place it is stuck in instead of hanging the build.
     */
    private List<byte[]> guarded(java.util.function.Supplier<List<byte[]>> step) {
        var result = new java.util.concurrent.atomic.AtomicReference<List<byte[]>>();
        var error = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        Thread t = Thread.ofPlatform().daemon().name("stack-loop-step").start(() -> {
            try {
                result.set(step.get());
            } catch (Throwable e) {
                error.set(e);
            }
        });
        try {
            t.join(LOOP_WATCHDOG_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (t.isAlive()) {
            StringBuilder where = new StringBuilder();
            for (StackTraceElement e : t.getStackTrace()) {
                where.append("\n      at ").append(e);
                if (e.getClassName().startsWith("dev.tuncrypt.tcpstack.tcp.rfc")) {
                    break;
                }
            }
            fail("the stack's loop did not return within " + LOOP_WATCHDOG_MILLIS + " ms (it spins; the loop thread "
                    + "is stuck, the stack is dead). Stuck at:" + where
                    + (lastSent == null ? "" : "\n  the peer's last segment: " + describe(lastSent))
                    + "\n  connection: " + connDescription()
                    + "\n  stack segments so far:\n" + history());
        }
        if (error.get() instanceof RuntimeException re) {
            throw re;
        }
        if (error.get() instanceof Error er) {
            throw er;
        }
        return result.get();
    }

    /** What the stack sent and how long after the call it did. */
    public record Timed(long elapsedNanos, List<TcpHeader> segments) {
        public double elapsedMillis() {
            return elapsedNanos / 1e6;
        }
    }

    /**
     * Moves virtual time from timer deadline to timer deadline until the stack sends something or
     * {@code limitNanos} have passed; the clock then stands at the moment of the output (or at the
     * limit).
     */
    public Timed awaitOutput(long limitNanos) {
        long start = h.clock.nanos();
        long end = start + limitNanos;
        for (int i = 0; i < 100_000; i++) {
            long now = h.clock.nanos();
            long d = h.stack.loop(0).nextDeadline();
            if (d == Long.MAX_VALUE || d - end > 0) {
                return new Timed(end - start, advance(end - now));
            }
            List<TcpHeader> out = d - now > 0 ? advance(d - now) : poll();
            if (!out.isEmpty()) {
                return new Timed(h.clock.nanos() - start, out);
            }
            if (h.stack.loop(0).nextDeadline() - h.clock.nanos() <= 0) {
                out = advance(1_000_000L); // a deadline that stays due: do not spin
                if (!out.isEmpty()) {
                    return new Timed(h.clock.nanos() - start, out);
                }
            }
        }
        throw new AssertionError("the stack's timers did not settle");
    }

    // ------------------------------------------------------------------ parsing

    /**
     * Out-of-order data the peer holds above {@link #rcvNxt}: start → end, as offsets from
     * RCV.NXT's base so that they do not wrap (the peer is a receiver that buffers, like a kernel).
     */
    private final java.util.TreeMap<Long, Long> outOfOrder = new java.util.TreeMap<>();

    /** The peer takes {@code len} sequence numbers from {@code seq}: in order they advance RCV.NXT, else they wait. */
    private void receive(long seq, long len) {
        if (len <= 0) {
            return;
        }
        long start = (seq - rcvNxt) & MASK;
        if (start >= 0x8000_0000L) {
            start -= 0x1_0000_0000L; // before RCV.NXT
        }
        long end = start + len;
        if (end <= 0) {
            return; // a duplicate
        }
        if (start > 0) {
            outOfOrder.merge(start, end, Math::max);
            return;
        }
        long advance = end;
        while (!outOfOrder.isEmpty() && outOfOrder.firstKey() <= advance) {
            advance = Math.max(advance, outOfOrder.pollFirstEntry().getValue());
        }
        java.util.TreeMap<Long, Long> rest = new java.util.TreeMap<>();
        for (var e : outOfOrder.entrySet()) {
            rest.put(e.getKey() - advance, e.getValue() - advance);
        }
        outOfOrder.clear();
        outOfOrder.putAll(rest);
        rcvNxt = (rcvNxt + advance) & MASK;
    }

    /** The peer forgets what it buffered out of order and sets RCV.NXT (a receiver that dropped data). */
    public void forgetReceived(long newRcvNxt) {
        outOfOrder.clear();
        rcvNxt = newRcvNxt & MASK;
    }

    private List<TcpHeader> collect(List<byte[]> packets) {
        List<TcpHeader> out = new ArrayList<>();
        for (byte[] packet : packets) {
            TcpHeader t = parse(packet);
            out.add(t);
            if (!ours(t)) {
                continue;
            }
            log.add(t);
            logTimes.add(h.clock.nanos());
            if ((t.flags() & SYN) != 0) {
                stackSyn = t;
                if (stackIss != t.sequenceNumber()) {
                    stackIss = t.sequenceNumber();
                    rcvNxt = (stackIss + 1) & MASK;
                }
            } else if ((t.flags() & RST) == 0) {
                long len = t.payload().length + ((t.flags() & FIN) != 0 ? 1 : 0);
                receive(t.sequenceNumber(), len);
            }
            for (TcpOption o : t.options()) {
                if (o instanceof TcpOption.Timestamps tso) {
                    tsRecent = tso.tsVal();
                }
            }
        }
        return out;
    }

    /** Parses one packet the stack sent: IPv4 or IPv6 carrying TCP, checksums verified. */
    public static TcpHeader parse(byte[] packet) {
        ByteBuffer b = ByteBuffer.wrap(packet);
        int version = (packet[0] & 0xFF) >>> 4;
        if (version == 4) {
            Ipv4View ip = new Ipv4View();
            WireError e = ip.wrap(b, 0, packet.length);
            if (e != null || ip.protocol() != IpProtocol.TCP) {
                fail("the stack sent a packet that is not IPv4/TCP (" + e + ", protocol " + ip.protocol() + ")");
            }
            return TcpHeader.parse(ByteBuffer.wrap(packet, ip.payloadOffset(), ip.payloadLength()),
                    new PseudoHeader.V4(ip.source(), ip.destination())).orElseThrow();
        }
        Ipv6View ip = new Ipv6View();
        WireError e = ip.wrap(b, 0, packet.length);
        if (e != null || ip.nextHeader() != IpProtocol.TCP) {
            fail("the stack sent a packet that is not IPv6/TCP (" + e + ")");
        }
        return TcpHeader.parse(ByteBuffer.wrap(packet, ip.payloadOffset(), ip.payloadLength()),
                new PseudoHeader.V6(ip.sourceHi(), ip.sourceLo(), ip.destinationHi(), ip.destinationLo())).orElseThrow();
    }

    /** Whether {@code t} belongs to this flow (stack port → peer port). */
    public boolean ours(TcpHeader t) {
        return t.sourcePort() == stackPort && t.destinationPort() == peerPort;
    }

    /** Segments of this flow among {@code out}. */
    public List<TcpHeader> mine(List<TcpHeader> out) {
        return out.stream().filter(this::ours).toList();
    }

    public static boolean has(TcpHeader t, Class<? extends TcpOption> kind) {
        return t != null && t.options().stream().anyMatch(kind::isInstance);
    }

    public static <T extends TcpOption> T option(TcpHeader t, Class<T> kind) {
        return t.options().stream().filter(kind::isInstance).map(kind::cast).findFirst().orElse(null);
    }

    // ------------------------------------------------------------------ checking and describing

    public TcpHeader one(List<TcpHeader> out, String context) {
        if (out.size() != 1) {
            fail(context + ": expected exactly one segment from the stack, it sent " + out.size() + ":\n" + fmt(out)
                    + "\n  connection: " + connDescription());
        }
        return out.get(0);
    }

    public void none(List<TcpHeader> out, String context) {
        if (!out.isEmpty()) {
            fail(context + ": expected the stack to send nothing, it sent:\n" + fmt(out) + "\n  connection: "
                    + connDescription());
        }
    }

    public SegCheck check(TcpHeader s, String context) {
        return new SegCheck(this, s, context);
    }

    public void expectState(TcpState expected, String context) {
        if (conn == null || conn.state() != expected) {
            fail(context + ": expected state " + expected + " but the connection is "
                    + (conn == null ? "absent" : conn.state()) + "\n  events: " + events + "\n  stack segments so far:\n"
                    + history());
        }
    }

    /** Whether the stack still holds a TCB for this flow. */
    public boolean tcbExists() {
        return h.stack.tcp(0).connections().stream()
                .anyMatch(c -> c.flow().localPort() == stackPort && c.flow().remotePort() == peerPort);
    }

    public String connDescription() {
        if (conn != null) {
            return conn.state() + ", events " + events;
        }
        try {
            return h.stack.tcp(0).connections().stream()
                    .filter(c -> c.flow().localPort() == stackPort && c.flow().remotePort() == peerPort)
                    .map(c -> "not accepted yet, TCB " + c.state()).findFirst().orElse("no TCB");
        } catch (RuntimeException e) {
            return "(unknown: " + e + ")";
        }
    }

    public String describe(TcpHeader s) {
        boolean mine = ours(s) && stackIss >= 0;
        String seq = mine ? rel(s.sequenceNumber(), stackIss, "S") : String.valueOf(s.sequenceNumber());
        String ack = (s.flags() & ACK) == 0 ? "-"
                : mine ? rel(s.acknowledgmentNumber(), peerIss, "P") : String.valueOf(s.acknowledgmentNumber());
        return String.format("%s %d>%d seq=%s ack=%s win=%d len=%d options=%s", TcpHeader.flagNames(s.flags()),
                s.sourcePort(), s.destinationPort(), seq, ack, s.window(), s.payload().length, s.options());
    }

    /** The peer's segment in the same notation (its seq relative to P, its ack relative to S). */
    public String describe(Seg seg) {
        TcpHeader s = seg.header();
        String ack = (s.flags() & ACK) == 0 ? "-" : rel(s.acknowledgmentNumber(), stackIss, "S");
        return String.format("%s %d>%d seq=%s ack=%s win=%d len=%d options=%s", TcpHeader.flagNames(s.flags()),
                s.sourcePort(), s.destinationPort(), rel(s.sequenceNumber(), peerIss, "P"), ack, s.window(),
                s.payload().length, s.options());
    }

    private static String rel(long x, long base, String tag) {
        long d = (x - base) & MASK;
        String r = d < 0x8000_0000L ? tag + "+" + d : tag + "-" + ((base - x) & MASK);
        return r + " (" + x + ")";
    }

    public String fmt(List<TcpHeader> out) {
        if (out.isEmpty()) {
            return "    (nothing)";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < out.size(); i++) {
            sb.append(i == 0 ? "" : "\n").append("    #").append(i + 1).append(' ').append(describe(out.get(i)));
        }
        return sb.toString();
    }

    /** Every segment of this flow the stack sent, with times relative to the peer's creation. */
    public String history() {
        if (log.isEmpty()) {
            return "    (nothing)";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < log.size(); i++) {
            sb.append(i == 0 ? "" : "\n").append(String.format("    t=%9.3f ms  ", (logTimes.get(i) - startNanos) / 1e6))
                    .append(describe(log.get(i)));
        }
        return sb.toString();
    }

    public static long add(long seq, long n) {
        return (seq + n) & MASK;
    }
}
