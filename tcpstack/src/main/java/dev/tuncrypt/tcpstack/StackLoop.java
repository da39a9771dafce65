package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tcpstack.ip.IcmpErrors;
import dev.tuncrypt.tcpstack.ip.IpOutput;
import dev.tuncrypt.tcpstack.ip.Ipv4Reassembler;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import dev.tuncrypt.tcpstack.wire.Ipv4View;
import dev.tuncrypt.tcpstack.wire.Ipv6View;
import dev.tuncrypt.tcpstack.wire.WireError;
import dev.tuncrypt.tun.Clock;
import dev.tuncrypt.tun.PacketBatch;
import dev.tuncrypt.tun.PacketLink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop over one {@link PacketLink}: it owns every piece of state of the flows that
 * reach it (no locks on the packet path). Each {@link #poll} reads a batch of packets, runs the
 * IP input path, fires due timers and runs posted tasks. A thread drives it with {@link #run};
 * a simulation drives it step by step on virtual time.
 */
public final class StackLoop implements LoopContext {
    private static final Logger log = LoggerFactory.getLogger(StackLoop.class);
    private static final int BATCH = 64;
    /** Batch size when buffers hold 64 KiB super-packets. */
    private static final int LARGE_BATCH = 16;
    /**
     * Full batches read back to back in one turn before its output: 8 x 64 packets cover the
     * kernel's default TUN queue (500), and bound the turn so timers and tasks still run.
     */
    static final int DRAIN_BATCHES = 8;
    /** Packets written between two reads ahead: each may draw an ACK and a few segments into the queue. */
    static final int SENDS_PER_READ_AHEAD = 32;
    /** Spare batches for reading ahead: 512 packets (800 KB), or 32 super-packets (2 MiB) with offloads. */
    private static final int AHEAD_BATCHES = 8;
    /** Tasks a turn still runs once its spare batches are full (see {@link #poll}). */
    static final int TASKS_WHEN_BEHIND = 8;
    private static final int AHEAD_BATCHES_LARGE = 2;

    private final int index;
    private final FlowDirectory<Object> flows;
    private final PacketLink link;
    private final Clock clock;
    private final RandomGenerator random;
    private final StackAddresses addresses;
    private final StackCounters counters = new StackCounters();
    private final IpOutput output;
    private final IcmpErrors icmpErrors;
    private final Ipv4Reassembler reassembler;
    private final InboundReader inbound;
    /** The batch being processed (offload facts of its slots). */
    private PacketBatch batch;
    private final Ipv4View ipv4 = new Ipv4View();
    private final Ipv6View ipv6 = new Ipv6View();
    private final InboundPacket packet = new InboundPacket();
    private final ProtocolHandler[] handlers4 = new ProtocolHandler[256];
    private final ProtocolHandler[] handlers6 = new ProtocolHandler[256];
    private final ProtocolHandler[] distinct;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean running;
    /** The batch slot being processed, -1 for packets from elsewhere (reinjected, forwarded). */
    private int slot = -1;
    /** The thread running {@link #run}, or null (a simulation polls it itself). */
    private volatile Thread thread;

    StackLoop(int index, PacketLink link, Clock clock, RandomGenerator random, StackAddresses addresses,
            StackConfig config, java.util.Map<Integer, ProtocolHandler.Factory> transports, FlowDirectory<Object> flows) {
        this.flows = flows;
        this.index = index;
        this.link = link;
        this.clock = clock;
        this.random = random;
        this.addresses = addresses;
        this.output = new IpOutput(link, counters, random.nextInt());
        this.icmpErrors = new IcmpErrors(output, addresses, counters, clock, config.icmpErrorsPerSecond(),
                config.icmpErrorBurst());
        this.reassembler = new Ipv4Reassembler(config.reassembly(), counters);
        this.reassembler.onTimeout(icmpErrors::reassemblyTimeoutV4);
        // with segmentation offload a read may bring 64 KiB: fewer, larger buffers (1 MiB a loop)
        int packetSize = Math.max(link.maxPacketSize(), Math.max(link.mtu(), 1500)) + 64;
        boolean large = packetSize > 16_384;
        this.inbound = new InboundReader(link, large ? LARGE_BATCH : BATCH, packetSize,
                large ? AHEAD_BATCHES_LARGE : AHEAD_BATCHES, counters);
        if (link.receiveQueuePackets() > 0) {
            // a link that drops past a queue: read it between writes (the kernel answers them into it)
            output.afterSends(SENDS_PER_READ_AHEAD, inbound::readAhead);
        }
        handlers4[IpProtocol.ICMP] = new dev.tuncrypt.tcpstack.icmp.IcmpV4Handler(this);
        handlers6[IpProtocol.ICMPV6] = new dev.tuncrypt.tcpstack.icmp.IcmpV6Handler(this);
        java.util.List<ProtocolHandler> all = new java.util.ArrayList<>();
        all.add(handlers4[IpProtocol.ICMP]);
        all.add(handlers6[IpProtocol.ICMPV6]);
        for (var e : transports.entrySet()) {
            ProtocolHandler h = e.getValue().create(this);
            handlers4[e.getKey()] = h;
            handlers6[e.getKey()] = h;
            all.add(h);
        }
        this.distinct = all.toArray(ProtocolHandler[]::new);
    }

    /**
     * One turn of the loop: input, timers, tasks. Input is what was read ahead during the last
     * turn's writes ({@link InboundReader}), then what the link has; a read that fills the batch
     * is followed by another at once, up to {@link #DRAIN_BATCHES} batches a turn, before
     * anything is written: packets left in the device's queue while the turn writes its ACKs
     * (each of which lets the peer send more into that same queue) would be dropped by the
     * kernel once it is full.
     *
     * @return the number of packets read (0 means the loop may sleep until {@link #nextDeadline()})
     */
    public int poll() {
        int n = 0;
        PacketBatch in = inbound.next();
        if (in.count() > 0) {
            // drain what was readable before answering: ACKs and the data they release go out
            // once per connection per turn (the handlers hold them until endBatch)
            for (ProtocolHandler h : distinct) {
                h.beginBatch();
            }
            try {
                int batches = 0;
                while (true) {
                    batch = in;
                    for (int i = 0; i < in.count(); i++) {
                        ByteBuffer b = in.get(i);
                        slot = i;
                        counters.countRx(b.limit());
                        process(b, b.limit());
                    }
                    slot = -1;
                    n += in.count();
                    if (in.count() < in.capacity() && !inbound.hasHeld()) {
                        break;
                    }
                    if (++batches >= DRAIN_BATCHES) {
                        counters.countDrainLimit();
                        break;
                    }
                    counters.countDrainRead();
                    in = inbound.next();
                    if (in.count() == 0) {
                        break;
                    }
                }
            } finally {
                slot = -1;
                inbound.release();
                for (ProtocolHandler h : distinct) {
                    h.endBatch();
                }
            }
        }
        long now = clock.nanos();
        if (reassembler.nextDeadline() - now <= 0) {
            reassembler.expire(now);
        }
        for (ProtocolHandler h : distinct) {
            if (h.nextDeadline() - now <= 0) {
                h.onTimer(now);
            }
        }
        Runnable task;
        // Once input read ahead during this turn has filled every spare batch, that input comes
        // first: only TASKS_WHEN_BEHIND more tasks (application reads and writes, which write in
        // turn) run this turn, so that tasks still progress when every turn's output fills them.
        int whenBehind = TASKS_WHEN_BEHIND;
        while ((!inbound.aheadFull() || whenBehind-- > 0) && (task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException | OutOfMemoryError e) {
                // a failing application request must not take the loop (and every other flow) down
                counters.drop(DropReason.INTERNAL_ERROR);
                log.error("loop {}: a posted task failed", index, e);
            }
        }
        return n;
    }

    /** Earliest time something is due on this loop, or Long.MAX_VALUE. */
    public long nextDeadline() {
        long d = reassembler.nextDeadline();
        for (ProtocolHandler h : distinct) {
            d = Math.min(d, h.nextDeadline());
        }
        return d;
    }

    /** Thread body: polls until {@link #stop()}, sleeping on the link when idle. */
    void run() {
        thread = Thread.currentThread();
        running = true;
        try {
            while (running) {
                int n = poll();
                if (n == 0 && tasks.isEmpty() && !inbound.hasHeld()) {
                    long deadline = nextDeadline();
                    long wait = deadline == Long.MAX_VALUE ? -1 : Math.max(0, deadline - clock.nanos());
                    link.await(wait);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            if (running) {
                log.error("loop {} stopped: {}", index, e.getMessage());
            }
        } finally {
            for (ProtocolHandler h : distinct) {
                h.close();
            }
        }
    }

    /** Whether the caller is this loop's own thread (false in a simulation that polls it). */
    public boolean inLoop() {
        return thread == Thread.currentThread();
    }

    void stop() {
        running = false;
        link.wakeup();
    }

    @Override
    public void reinject(ByteBuffer buf, int length) {
        process(buf, length);
    }

    /** A packet another loop received for a flow this loop owns. */
    void inputForwarded(ByteBuffer buf, int length) {
        process(buf, length); // already counted as received by the loop that read it
    }

    private void process(ByteBuffer buf, int length) {
        if (length < 1) {
            counters.malformed(WireError.TRUNCATED);
            return;
        }
        try {
            switch ((buf.get(0) & 0xff) >>> 4) {
                case 4 -> inputV4(buf, length);
                case 6 -> inputV6(buf, length);
                default -> counters.drop(DropReason.UNSUPPORTED_IP_VERSION);
            }
        } catch (RuntimeException e) {
            counters.drop(DropReason.INTERNAL_ERROR);
            log.error("loop {}: packet handling failed", index, e);
        } catch (OutOfMemoryError e) {
            // direct memory for a connection's ring ran out: drop the packet (TCP will send it
            // again) and keep the loop alive for every other connection
            counters.drop(DropReason.MEMORY_EXHAUSTED);
            log.warn("loop {}: out of memory handling a packet: {}", index, e.getMessage());
        }
    }

    private void inputV4(ByteBuffer buf, int length) {
        WireError error = ipv4.wrap(buf, 0, length);
        if (error != null) {
            counters.malformed(error);
            return;
        }
        int src = ipv4.source();
        int dst = ipv4.destination();
        if (!unicastSource4(src)) {
            counters.drop(DropReason.BAD_SOURCE);
            return;
        }
        boolean local = addresses.isLocal4(dst);
        ProtocolHandler handler = handlers4[ipv4.protocol()];
        if (!local && (handler == null || !handler.acceptsForeignDestinations() || !unicastDestination4(dst))) {
            counters.drop(DropReason.NOT_FOR_US);
            return;
        }
        if (ipv4.isFragment()) {
            int whole = reassembler.offer(ipv4, clock.nanos());
            if (whole < 0) {
                return;
            }
            error = ipv4.wrap(reassembler.assembled(), 0, whole);
            if (error != null) {
                counters.malformed(error);
                return;
            }
        }
        packet.buffer = ipv4.buffer();
        packet.ipOffset = ipv4.offset();
        packet.ipLength = ipv4.totalLength();
        packet.v6 = false;
        packet.protocol = ipv4.protocol();
        packet.transportOffset = ipv4.payloadOffset();
        packet.transportLength = ipv4.payloadLength();
        packet.source4 = src;
        packet.destination4 = dst;
        packet.hopLimit = ipv4.ttl();
        packet.destinationLocal = local;
        offloadFacts(IpProtocol.TCP == packet.protocol && !ipv4.isFragment());
        if (handler == null) {
            counters.drop(DropReason.UNSUPPORTED_PROTOCOL);
            icmpErrors.unreachable(packet, IcmpErrors.UNREACH_PROTOCOL);
            return;
        }
        handler.input(packet);
    }

    private void inputV6(ByteBuffer buf, int length) {
        WireError error = ipv6.wrap(buf, 0, length);
        if (error != null) {
            counters.malformed(error);
            return;
        }
        long sh = ipv6.sourceHi();
        long sl = ipv6.sourceLo();
        long dh = ipv6.destinationHi();
        long dl = ipv6.destinationLo();
        if ((sh >>> 56) == 0xff || (sh == 0 && sl == 0) || addresses.isLocal6(sh, sl)) {
            counters.drop(DropReason.BAD_SOURCE);
            return;
        }
        boolean local = addresses.isLocal6(dh, dl);
        int next = ipv6.nextHeader();
        ProtocolHandler handler = handlers6[next];
        if (!local && (handler == null || !handler.acceptsForeignDestinations() || (dh >>> 56) == 0xff)) {
            counters.drop(DropReason.NOT_FOR_US);
            return;
        }
        if (ipv6.isFragment()) {
            counters.drop(DropReason.IPV6_FRAGMENT);
            return;
        }
        packet.buffer = buf;
        packet.ipOffset = ipv6.offset();
        packet.ipLength = ipv6.totalLength();
        packet.v6 = true;
        packet.protocol = next;
        packet.transportOffset = ipv6.payloadOffset();
        packet.transportLength = ipv6.payloadLength();
        packet.sourceHi = sh;
        packet.sourceLo = sl;
        packet.destinationHi = dh;
        packet.destinationLo = dl;
        packet.hopLimit = ipv6.hopLimit();
        packet.destinationLocal = local;
        offloadFacts(IpProtocol.TCP == next);
        if (handler == null) {
            counters.drop(DropReason.UNSUPPORTED_PROTOCOL);
            // RFC 8200 §4: unrecognized Next Header → Parameter Problem code 1 pointing at it.
            icmpErrors.unknownNextHeaderV6(packet, ipv6.extensionHeadersLength() == 0 ? 6 : 40 + ipv6.extensionHeadersLength());
            return;
        }
        handler.input(packet);
    }

    /**
     * What the link said about the packet in the current batch slot: a partial checksum stays
     * partial (trusted) for TCP, which checks for it; other protocols get it completed here.
     */
    private void offloadFacts(boolean tcp) {
        packet.checksumPartial = false;
        packet.gsoSize = 0;
        if (slot < 0) {
            return;
        }
        if (batch.checksumPartial(slot)) {
            if (tcp && batch.checksumStart(slot) == packet.transportOffset && batch.checksumOffset(slot) == 16) {
                packet.checksumPartial = true;
            } else {
                batch.completeChecksum(slot);
            }
        }
        if (tcp) {
            packet.gsoSize = batch.gsoSize(slot);
        }
    }

    /** RFC 1122 §3.2.1.3: a source must be a unicast host address (not 0, broadcast, loopback, multicast, ours). */
    private boolean unicastSource4(int src) {
        int first = src >>> 24;
        return src != 0 && src != -1 && first != 127 && (first & 0xf0) != 0xe0 && !addresses.isLocal4(src);
    }

    private static boolean unicastDestination4(int dst) {
        return dst != -1 && ((dst >>> 24) & 0xf0) != 0xe0;
    }

    @Override
    public int loopIndex() {
        return index;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    @Override
    public StackAddresses addresses() {
        return addresses;
    }

    /** This loop's counters; read them from the loop thread or when it is stopped. */
    @Override
    public StackCounters counters() {
        return counters;
    }

    @Override
    public IpOutput output() {
        return output;
    }

    @Override
    public IcmpErrors icmpErrors() {
        return icmpErrors;
    }

    @Override
    public void post(Runnable task) {
        tasks.add(task);
        link.wakeup();
    }

    /**
     * Runs {@code task} on this loop after the work at hand (the rest of the packet batch and
     * the tasks before it): for a callback that wants to act on a connection after the segment
     * being processed is done with. From the loop's own thread it skips the wakeup.
     */
    public void defer(Runnable task) {
        if (inLoop()) {
            tasks.add(task);
        } else {
            post(task);
        }
    }

    /** The handler of IP protocol {@code protocol} (IPv4 table), or null. */
    public ProtocolHandler handler(int protocol) {
        return handlers4[protocol];
    }

    @Override
    public FlowDirectory<Object> flows() {
        return flows;
    }

    @Override
    public StackLoop loop() {
        return this;
    }

    @Override
    public ProtocolHandler transport(int protocol) {
        return handlers4[protocol & 0xff];
    }

    /** The link this loop drives. */
    public PacketLink link() {
        return link;
    }

    /** Fragment reassembly state, for tests and diagnostics. */
    public Ipv4Reassembler reassembler() {
        return reassembler;
    }
}
