package dev.tuncrypt.tcpstack.sim;

import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.StackCounters;
import dev.tuncrypt.tcpstack.StackLoop;
import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.ManualClock;
import dev.tuncrypt.tun.MemoryLink;
import dev.tuncrypt.tun.PacketBatch;
import dev.tuncrypt.tun.PacketLink;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Two {@link NetStack}s, A and B, joined by one {@link MemoryLink} with a {@link FaultModel} per
 * direction, on one {@link ManualClock}, driven step by step on the calling thread. Every random
 * choice (the link's faults, each stack's randomness) derives from one seed, so a run is replayed
 * exactly by its seed; every failure names it (see {@link SimulationSeeds}).
 *
 * <pre>{@code
 * try (Simulation sim = Simulation.builder(seed).faults(FaultModel.NONE.withLoss(0.05))
 *         .stacks(b -> b.transport(6, tcp)).build()) {
 *     sim.a().loop(0).post(() -> ...);
 *     sim.runUntil(() -> done, 10 * Simulation.SECOND);
 * }
 * }</pre>
 *
 * <p>The stacks are never started: {@link #step()} polls both loops until neither has input or
 * posted tasks, then jumps the clock to the next loop deadline or link delivery.
 */
public final class Simulation implements AutoCloseable {
    public static final long MILLISECOND = 1_000_000L;
    public static final long SECOND = 1_000_000_000L;
    /** Virtual time at which every simulation starts (not 0, so that time arithmetic is exercised). */
    public static final long START_NANOS = 1_000 * SECOND;

    public static final InetAddress A_V4 = InetAddress.ofLiteral("198.18.1.2");
    public static final InetAddress A_V6 = InetAddress.ofLiteral("2001:2:0:1::2");
    public static final InetAddress B_V4 = InetAddress.ofLiteral("198.18.1.3");
    public static final InetAddress B_V6 = InetAddress.ofLiteral("2001:2:0:1::3");

    private final long seed;
    private final String replay;
    private final ManualClock clock = new ManualClock(START_NANOS);
    private final MemoryLink.Pair link;
    private final TaskAwareLink endA;
    private final TaskAwareLink endB;
    private final NetStack a;
    private final NetStack b;
    private final StackLoop loopA;
    private final StackLoop loopB;
    private final long maxRounds;
    private final long wallDeadline;
    private final Duration wallLimit;
    private long steps;
    private long rounds;

    private Simulation(Builder builder) {
        this.seed = builder.seed;
        SimulationSeeds.noteSeed(seed);
        this.replay = SimulationSeeds.replay(seed);
        SplittableRandom root = new SplittableRandom(seed);
        this.link = MemoryLink.pair(clock, root.nextLong(), builder.aToB, builder.bToA, builder.mtu);
        this.endA = new TaskAwareLink(link.a(), builder.tamperAToB, builder.segmentationOffload);
        this.endB = new TaskAwareLink(link.b(), builder.tamperBToA, builder.segmentationOffload);
        this.a = stack(endA, root.nextLong(), A_V4, A_V6, builder.customizeA);
        this.b = stack(endB, root.nextLong(), B_V4, B_V6, builder.customizeB);
        if (a.loopCount() != 1 || b.loopCount() != 1) {
            throw new IllegalStateException("a simulated stack has exactly one link (its loop 0)");
        }
        this.loopA = a.loop(0);
        this.loopB = b.loop(0);
        this.maxRounds = builder.maxRounds;
        this.wallLimit = builder.wallLimit;
        this.wallDeadline = System.nanoTime() + builder.wallLimit.toNanos();
    }

    private NetStack stack(PacketLink end, long stackSeed, InetAddress v4, InetAddress v6,
            Consumer<NetStack.Builder> customizer) {
        NetStack.Builder sb = NetStack.builder().link(end).address(v4).address(v6).clock(clock).seed(stackSeed);
        customizer.accept(sb);
        return sb.build();
    }

    /** A simulation whose randomness all derives from {@code seed}. */
    public static Builder builder(long seed) {
        return new Builder(seed);
    }

    public long seed() {
        return seed;
    }

    public ManualClock clock() {
        return clock;
    }

    /** Current virtual time (starts at {@link #START_NANOS}). */
    public long now() {
        return clock.nanos();
    }

    /** Virtual time since the simulation started. */
    public long elapsedNanos() {
        return clock.nanos() - START_NANOS;
    }

    public NetStack a() {
        return a;
    }

    public NetStack b() {
        return b;
    }

    /** Writes A's stack made to its link (a super-packet is one) and the packets they became. */
    public long[] writesAndPacketsA() {
        return new long[] {endA.writes, endA.packets};
    }

    /** The link; its ends are also the stacks' links (behind a thin wrapper). */
    public MemoryLink.Pair link() {
        return link;
    }

    public MemoryLink.Direction aToB() {
        return link.aToB();
    }

    public MemoryLink.Direction bToA() {
        return link.bToA();
    }

    /** A's counters (a copy). */
    public StackCounters countersA() {
        return a.counters();
    }

    /** B's counters (a copy). */
    public StackCounters countersB() {
        return b.counters();
    }

    /** Steps taken so far (each one a clock decision). */
    public long steps() {
        return steps;
    }

    /**
     * Polls both loops until nothing is due now (no packet to read, no posted task, no deadline
     * reached); then moves the clock to the earliest loop deadline or link delivery.
     *
     * @return false if nothing at all is pending (quiescent); the clock is then left unchanged
     */
    public boolean step() {
        return step(Long.MAX_VALUE);
    }

    /** Like {@link #step()} but never moves the clock past {@code horizon}. */
    private boolean step(long horizon) {
        steps++;
        drain();
        return advance(horizon);
    }

    /** Moves the clock to the next event, at most to {@code horizon}; false if nothing is pending. */
    private boolean advance(long horizon) {
        long next = nextEvent();
        if (next == Long.MAX_VALUE) {
            return false;
        }
        long target = Math.min(next, horizon);
        if (target > clock.nanos()) {
            clock.set(target);
        }
        return true;
    }

    private void drain() {
        boolean again;
        do {
            guard();
            endA.tasksPosted = false;
            int n = loopA.poll();
            endB.tasksPosted = false;
            n += loopB.poll();
            long now = clock.nanos();
            again = n > 0 || endA.tasksPosted || endB.tasksPosted || nextEvent() <= now;
        } while (again);
    }

    private long nextEvent() {
        return Math.min(Math.min(loopA.nextDeadline(), loopB.nextDeadline()),
                Math.min(link.a().nextDeliveryNanos(), link.b().nextDeliveryNanos()));
    }

    private void guard() {
        if (++rounds > maxRounds) {
            throw failure("livelock: more than " + maxRounds + " polling rounds");
        }
        if ((rounds & 0xff) == 0 && System.nanoTime() - wallDeadline > 0) {
            throw failure("wall-clock limit of " + wallLimit + " exceeded");
        }
    }

    /**
     * Steps until {@code condition} holds.
     *
     * @return the virtual time at which it held
     * @throws AssertionError naming the seed if {@code maxVirtualNanos} of virtual time pass or
     *     the simulation goes quiescent first
     */
    public long runUntil(BooleanSupplier condition, long maxVirtualNanos) {
        return runUntil(condition, maxVirtualNanos, "condition");
    }

    /** Like {@link #runUntil(BooleanSupplier, long)}, naming what was awaited in the failure. */
    public long runUntil(BooleanSupplier condition, long maxVirtualNanos, String what) {
        long limit = deadline(maxVirtualNanos);
        // The condition is checked after everything due at the current time ran and before the
        // clock moves on, so the time returned is the first virtual time at which it held.
        while (!condition.getAsBoolean()) {
            steps++;
            drain();
            if (condition.getAsBoolean()) {
                break;
            }
            if (clock.nanos() >= limit) {
                throw failure(what + " not met within " + seconds(maxVirtualNanos) + " of virtual time");
            }
            if (!advance(limit)) {
                throw failure(what + " not met, and the simulation is quiescent (nothing left to happen)");
            }
        }
        return clock.nanos();
    }

    /** Runs everything due in the next {@code nanos} of virtual time; the clock ends exactly there. */
    public void runFor(long nanos) {
        long end = deadline(nanos);
        while (clock.nanos() < end && step(end)) {
            // step
        }
        if (clock.nanos() < end) {
            clock.set(end); // quiescent early: nothing to do until then
        }
        drain();
    }

    /**
     * Steps until nothing is pending (no packet in flight, no deadline on either loop).
     *
     * @return the virtual time of quiescence
     * @throws AssertionError naming the seed if that takes more than {@code maxVirtualNanos}
     */
    public long runUntilQuiescent(long maxVirtualNanos) {
        long limit = deadline(maxVirtualNanos);
        while (step(limit)) {
            if (clock.nanos() >= limit) {
                drain();
                if (nextEvent() != Long.MAX_VALUE) {
                    throw failure("not quiescent after " + seconds(maxVirtualNanos) + " of virtual time");
                }
                break;
            }
        }
        return clock.nanos();
    }

    private long deadline(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("negative duration: " + nanos);
        }
        long now = clock.nanos();
        return now + nanos < now ? Long.MAX_VALUE : now + nanos;
    }

    /** An AssertionError whose message is {@code message} plus the seed, the replay and the state. */
    public AssertionError failure(String message) {
        return new AssertionError(message + "\n" + describe());
    }

    /** Seed, replay, virtual time, link and stack counters: what a failure message shows. */
    public String describe() {
        return "seed=" + seed + " at virtual time +" + seconds(elapsedNanos()) + " (" + steps + " steps, "
                + rounds + " rounds)\n"
                + "  replay: " + replay + "\n"
                + "  link A->B " + describe(link.aToB()) + "\n"
                + "  link B->A " + describe(link.bToA()) + "\n"
                + "  stack A " + countersA() + ", next deadline " + relative(loopA.nextDeadline()) + "\n"
                + "  stack B " + countersB() + ", next deadline " + relative(loopB.nextDeadline());
    }

    private static String describe(MemoryLink.Direction d) {
        return "{sent " + d.sent() + ", delivered " + d.delivered() + ", lost " + d.lost() + ", duplicated "
                + d.duplicated() + ", reordered " + d.reordered() + ", corrupted " + d.corrupted()
                + ", queue-dropped " + d.queueDropped() + ", in flight " + d.inFlight() + "} " + d.faults();
    }

    private String relative(long time) {
        return time == Long.MAX_VALUE ? "none" : "+" + seconds(time - START_NANOS);
    }

    private static String seconds(long nanos) {
        return String.format("%d.%09d s", nanos / SECOND, Math.abs(nanos % SECOND));
    }

    @Override
    public String toString() {
        return "Simulation[seed=" + seed + ", t=+" + seconds(elapsedNanos()) + "]";
    }

    /** Takes the link down (the stacks were never started: there are no threads to stop). */
    @Override
    public void close() {
        a.close();
        b.close();
        link.a().close();
        link.b().close();
    }

    /** Builds a {@link Simulation}. */
    public static final class Builder {
        private final long seed;
        private FaultModel aToB = FaultModel.NONE;
        private FaultModel bToA = FaultModel.NONE;
        private int mtu = MemoryLink.DEFAULT_MTU;
        private Tamper tamperAToB;
        private Tamper tamperBToA;
        private boolean segmentationOffload;
        private Consumer<NetStack.Builder> customizeA = sb -> {};
        private Consumer<NetStack.Builder> customizeB = sb -> {};
        private long maxRounds = 50_000_000L;
        private Duration wallLimit = Duration.ofMinutes(5);

        private Builder(long seed) {
            this.seed = seed;
        }

        /** The same fault model in both directions. */
        public Builder faults(FaultModel both) {
            return faults(both, both);
        }

        public Builder faults(FaultModel aToB, FaultModel bToA) {
            this.aToB = Objects.requireNonNull(aToB);
            this.bToA = Objects.requireNonNull(bToA);
            return this;
        }

        /** An attacker on the wire for packets A sends (see {@link Tamper}). */
        public Builder tamperAToB(Tamper tamper) {
            this.tamperAToB = tamper;
            return this;
        }

        /** An attacker on the wire for packets B sends. */
        public Builder tamperBToA(Tamper tamper) {
            this.tamperBToA = tamper;
            return this;
        }

        /**
         * Both ends offer checksum and segmentation offload, as a TUN device with a vnet header:
         * a super-packet written is cut into MTU-sized segments here, as the kernel cuts it.
         */
        public Builder segmentationOffload(boolean on) {
            this.segmentationOffload = on;
            return this;
        }

        public Builder mtu(int mtu) {
            this.mtu = mtu;
            return this;
        }

        /** Adjusts A's builder (after the link, addresses, clock and seed are set), e.g. {@code transport(...)}. */
        public Builder stackA(Consumer<NetStack.Builder> customizer) {
            this.customizeA = customizeA.andThen(customizer);
            return this;
        }

        public Builder stackB(Consumer<NetStack.Builder> customizer) {
            this.customizeB = customizeB.andThen(customizer);
            return this;
        }

        /** Adjusts both stacks' builders alike. */
        public Builder stacks(Consumer<NetStack.Builder> customizer) {
            return stackA(customizer).stackB(customizer);
        }

        /** Livelock guard: most polling rounds (of both loops) before failing. */
        public Builder maxRounds(long maxRounds) {
            this.maxRounds = maxRounds;
            return this;
        }

        /** Wall-clock guard for the whole simulation. */
        public Builder wallClockLimit(Duration limit) {
            this.wallLimit = Objects.requireNonNull(limit);
            return this;
        }

        public Simulation build() {
            return new Simulation(this);
        }
    }

    /**
     * An attacker between the stacks: sees each IP packet one side sends, may change it in place
     * (limit included), drop it (return false) or inject more packets.
     */
    @FunctionalInterface
    public interface Tamper {
        boolean onSend(ByteBuffer packet, Consumer<ByteBuffer> inject);
    }

    /**
     * A stack's end of the link, noting {@link #wakeup()}: a loop's {@code post} wakes its link, so
     * the simulation knows a loop has tasks to run.
     */
    private static final class TaskAwareLink implements PacketLink {
        private final MemoryLink link;
        private final Tamper tamper;
        private final boolean offload;
        volatile boolean tasksPosted;
        long writes;
        long packets;

        TaskAwareLink(MemoryLink link, Tamper tamper, boolean offload) {
            this.link = link;
            this.tamper = tamper;
            this.offload = offload;
        }

        @Override
        public boolean checksumOffload() {
            return offload;
        }

        @Override
        public boolean segmentationOffload() {
            return offload;
        }

        /**
         * Completes the partial TCP checksum and, with {@code gsoSize > 0}, cuts the super-packet
         * as Linux's tcp_gso_segment does: each segment a copy of the headers with its sequence
         * number, lengths, IPv4 ID (consecutive) and checksums fixed up, FIN and PSH on the last
         * segment only.
         */
        @Override
        public boolean sendOffloaded(ByteBuffer packet, int checksumStart, int checksumOffset, int gsoSize)
                throws IOException {
            writes++;
            byte[] in = new byte[packet.remaining()];
            packet.get(packet.position(), in);
            ByteBuffer whole = ByteBuffer.wrap(in);
            boolean v4 = (in[0] >> 4) == 4;
            int tcpHeader = ((in[checksumStart + 12] >> 4) & 0xF) * 4;
            int headers = checksumStart + tcpHeader;
            int payload = in.length - headers;
            int step = gsoSize > 0 ? gsoSize : Math.max(payload, 1);
            int seq = whole.getInt(checksumStart + 4);
            int id = v4 ? whole.getShort(4) & 0xFFFF : 0;
            boolean ok = true;
            for (int off = 0, i = 0; off == 0 || off < payload; off += step, i++) {
                int len = Math.min(step, payload - off);
                ByteBuffer out = ByteBuffer.allocate(headers + len);
                out.put(in, 0, headers).put(in, headers + off, len).flip();
                out.putInt(checksumStart + 4, seq + off);
                if (off + len < payload) {
                    out.put(checksumStart + 13, (byte) (in[checksumStart + 13] & ~0x09)); // FIN, PSH: last only
                }
                int pseudo;
                if (v4) {
                    out.putShort(2, (short) (headers + len));
                    out.putShort(4, (short) (id + i));
                    out.putShort(10, (short) 0);
                    out.putShort(10, (short) Checksum.compute(out, 0, checksumStart));
                    pseudo = Checksum.pseudoHeaderIpv4(out.getInt(12), out.getInt(16), 6, tcpHeader + len);
                } else {
                    out.putShort(4, (short) (tcpHeader + len));
                    pseudo = Checksum.pseudoHeaderIpv6(out.getLong(8), out.getLong(16), out.getLong(24),
                            out.getLong(32), 6, tcpHeader + len);
                }
                out.putShort(checksumStart + checksumOffset, (short) 0);
                out.putShort(checksumStart + checksumOffset,
                        (short) Checksum.compute(out, checksumStart, tcpHeader + len, pseudo));
                packets++;
                ok &= deliver(out);
            }
            return ok;
        }

        @Override
        public int mtu() {
            return link.mtu();
        }

        @Override
        public int receive(PacketBatch batch) throws IOException {
            return link.receive(batch);
        }

        @Override
        public boolean send(ByteBuffer packet) throws IOException {
            writes++;
            packets++;
            return deliver(packet);
        }

        private boolean deliver(ByteBuffer packet) throws IOException {
            if (tamper == null) {
                return link.send(packet);
            }
            ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
            copy.put(packet.duplicate()).flip();
            java.util.List<ByteBuffer> extra = new java.util.ArrayList<>();
            boolean keep = tamper.onSend(copy, extra::add);
            for (ByteBuffer e : extra) {
                link.send(e);
            }
            return !keep || link.send(copy);
        }

        @Override
        public void await(long timeoutNanos) throws IOException {
            link.await(timeoutNanos);
        }

        @Override
        public void wakeup() {
            tasksPosted = true;
            link.wakeup();
        }

        @Override
        public void close() {
            link.close();
        }
    }
}
