package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tcpstack.tcp.SegmentProtection;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import dev.tuncrypt.tun.Clock;
import dev.tuncrypt.tun.PacketLink;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/**
 * A userspace IP stack: one {@link StackLoop} per {@link PacketLink} (one per TUN queue), each
 * owning the flows that reach it. Clock and randomness are injected so tests and simulations
 * run deterministically.
 *
 * <pre>{@code
 * NetStack stack = NetStack.builder().link(tun.queue(0)).address(InetAddress.ofLiteral("198.18.7.2")).build();
 * stack.start();
 * }</pre>
 */
public final class NetStack implements AutoCloseable {
    private final StackLoop[] loops;
    private final StackAddresses addresses;
    private final java.util.concurrent.atomic.AtomicInteger nextLoop = new java.util.concurrent.atomic.AtomicInteger();
    private Thread[] threads;
    private final MemoryBudget memory;

    private NetStack(Builder b) {
        this.memory = b.memory;
        this.addresses = new StackAddresses(b.addresses);
        this.loops = new StackLoop[b.links.size()];
        FlowDirectory<Object> flows = new FlowDirectory<>(loops.length);
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new StackLoop(i, b.links.get(i), b.clock, b.random.apply(i), addresses, b.config, b.transports,
                    flows);
        }
    }

    /** The memory budget of the connections' buffers. */
    public MemoryBudget memory() {
        return memory;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts one thread per loop. */
    public synchronized void start() {
        if (threads != null) {
            throw new IllegalStateException("already started");
        }
        threads = new Thread[loops.length];
        for (int i = 0; i < loops.length; i++) {
            StackLoop loop = loops[i];
            threads[i] = Thread.ofPlatform().name("tuncrypt-loop-" + i).daemon(true).unstarted(loop::run);
            threads[i].start();
        }
    }

    /** Whether {@link #start()} has run and {@link #close()} has not. */
    public synchronized boolean isRunning() {
        return threads != null;
    }

    public int loopCount() {
        return loops.length;
    }

    /** Loop {@code i}, e.g. to drive it step by step in a simulation. */
    public StackLoop loop(int i) {
        return loops[i];
    }

    public StackAddresses addresses() {
        return addresses;
    }

    /** The TCP layer of loop {@code i}. */
    public TcpLayer tcp(int i) {
        return (TcpLayer) loops[i].handler(IpProtocol.TCP);
    }

    /** A loop for a new outgoing connection (round robin). */
    public StackLoop pickLoop() {
        return loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
    }

    /**
     * The loop whose thread calls this (e.g. a {@link dev.tuncrypt.tcpstack.tcp.SynGate} that
     * wants leg 2 of a splice on leg 1's loop), or null when called from elsewhere.
     */
    public StackLoop currentLoop() {
        for (StackLoop loop : loops) {
            if (loop.inLoop()) {
                return loop;
            }
        }
        return null;
    }

    /** Sum of every loop's counters, read safely on each loop when the stack is running. */
    public StackCounters counters() {
        StackCounters sum = new StackCounters();
        for (StackLoop loop : loops) {
            sum.add(snapshot(loop));
        }
        return sum;
    }

    private StackCounters snapshot(StackLoop loop) {
        if (!isRunning()) {
            return loop.counters().copy();
        }
        CompletableFuture<StackCounters> f = new CompletableFuture<>();
        loop.post(() -> f.complete(loop.counters().copy()));
        try {
            return f.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return loop.counters().copy();
        } catch (ExecutionException | TimeoutException e) {
            return loop.counters().copy();
        }
    }

    /** Stops every loop and waits for its thread. Idempotent. */
    @Override
    public synchronized void close() {
        if (threads == null) {
            return;
        }
        for (StackLoop loop : loops) {
            loop.stop();
        }
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads = null;
    }

    /** Builds a {@link NetStack}. */
    public static final class Builder {
        private final List<PacketLink> links = new ArrayList<>();
        private final List<InetAddress> addresses = new ArrayList<>();
        private final Map<Integer, ProtocolHandler.Factory> transports = new LinkedHashMap<>();
        private Clock clock = Clock.SYSTEM;
        private IntFunction<RandomGenerator> random = i -> new SecureRandom();
        private StackConfig config = StackConfig.DEFAULT;

        private TcpConfig tcpConfig = TcpConfig.DEFAULT;
        private SegmentProtection.Factory protections = (flow, active) -> SegmentProtection.NONE;
        private MemoryBudget memory = MemoryBudget.unlimited();

        private Builder() {
            transports.put(IpProtocol.UDP, UdpHandler::new);
        }

        /** TCP settings (default {@link TcpConfig#DEFAULT}). */
        public Builder tcp(TcpConfig config) {
            this.tcpConfig = config;
            return this;
        }

        /** The memory budget of every loop's connection buffers (default: the JVM's limit only). */
        public Builder memory(MemoryBudget budget) {
            this.memory = budget;
            return this;
        }

        /** The segment protection every TCP connection gets (default: none, plain TCP). */
        public Builder protection(SegmentProtection.Factory factory) {
            this.protections = factory;
            return this;
        }

        /** Adds a link; each gets its own loop. */
        public Builder link(PacketLink link) {
            links.add(link);
            return this;
        }

        /** Adds an address the stack owns. */
        public Builder address(InetAddress address) {
            addresses.add(address);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Randomness per loop (loop index → generator); default: a SecureRandom each. */
        public Builder random(IntFunction<RandomGenerator> random) {
            this.random = random;
            return this;
        }

        /** Deterministic randomness from one seed, for tests and simulations. */
        public Builder seed(long seed) {
            this.random = i -> new SplittableRandom(seed + 0x9E3779B97F4A7C15L * i);
            return this;
        }

        public Builder config(StackConfig config) {
            this.config = config;
            return this;
        }

        /** Plugs a transport protocol in (replacing the default handler for that protocol number). */
        public Builder transport(int protocol, ProtocolHandler.Factory factory) {
            if (protocol == IpProtocol.ICMP || protocol == IpProtocol.ICMPV6) {
                throw new IllegalArgumentException("ICMP is part of the IP layer");
            }
            transports.put(protocol, factory);
            return this;
        }

        public NetStack build() {
            if (links.isEmpty()) {
                throw new IllegalStateException("a stack needs at least one link");
            }
            if (addresses.isEmpty()) {
                throw new IllegalStateException("a stack needs at least one address");
            }
            transports.putIfAbsent(IpProtocol.TCP, TcpLayer.factory(tcpConfig, protections, memory));
            return new NetStack(this);
        }
    }
}
