package dev.tuncrypt.bench;

import dev.tuncrypt.tcpstack.StackLoop;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.ConnectionListener;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One TCP connection between two stacks over a fault-free {@link dev.tuncrypt.tun.MemoryLink}
 * (MTU 1500, real time), two ways:
 *
 * <ul>
 *   <li><b>threaded</b>: both stacks started on their own loop threads, the application on two
 *       more threads through the blocking {@link TcpSocket} API (256 KiB per call): four busy
 *       threads on however many cores;
 *   <li><b>one thread</b>: both loops polled in turn by the main thread, which also plays both
 *       applications through the loop-side {@link TcpConnection} API: the stack's own cost, no
 *       hand-offs between threads.
 * </ul>
 *
 * No root needed.
 */
public final class MemoryLinkThroughputBench {
    static final int PORT = 7000;

    public static void main(String[] args) throws Exception {
        long millis = Bench.seconds(args, 3) * 1000L;
        Transfer threaded = threaded(millis);
        Transfer single = singleThread(1000, millis);
        System.out.printf("memorylink-throughput (stack<->stack, 1 connection, MTU 1500, %d s each): "
                        + "threaded TcpSocket API %.2f Gbit/s (loop threads %.0f%% of a core, machine busy %.1f cores), "
                        + "one thread loop-side API %.2f Gbit/s (%.0f k packets/s, %.2f B allocated/packet)%n",
                millis / 1000, threaded.gbit(), 100 * threaded.loops().cpuShare(), threaded.cpu().busyCores(),
                single.gbit(), single.loops().rxPackets() / (single.nanos() / 1e6), single.loops().bytesPerPacket());
    }

    static Transfer threaded(long millis) throws Exception {
        try (MemoryPair p = new MemoryPair(TcpConfig.DEFAULT, 1500)) {
            p.a.start();
            p.b.start();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong received = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try (TcpListener listener = TcpListener.bind(p.b, PORT, 16)) {
                TcpSocket client = TcpSocket.connect(p.a, new InetSocketAddress(MemoryPair.B_ADDR, PORT), Duration.ofSeconds(5));
                TcpSocket server = listener.accept(Duration.ofSeconds(5));
                Thread sender = Bench.start("app-sender", failure, () -> TcpThroughputBench.pumpStack(client, stop));
                Thread receiver = Bench.start("app-receiver", failure, () -> TcpThroughputBench.drainStack(server, received));
                Transfer t = Transfer.measure(received, 1000, millis, new Bench.LoopProbe(p.a, p.b));
                stop.set(true);
                Bench.join(sender, 10_000);
                Bench.join(receiver, 10_000);
                server.close();
                Bench.check(failure);
                return t;
            }
        }
    }

    /** A connection established between two stacks that nobody else drives: poll them yourself. */
    record Driven(MemoryPair pair, StackLoop a, StackLoop b, TcpConnection client, TcpConnection server) {
        void pollBoth() {
            a.poll();
            b.poll();
        }
    }

    static Driven establish(MemoryPair p) throws IOException {
        StackLoop la = p.a.loop(0);
        StackLoop lb = p.b.loop(0);
        TcpListener listener = TcpListener.bind(p.b, PORT, 16);
        lb.poll(); // runs the posted listen
        TcpConnection client = p.a.tcp(0).connect(null, new InetSocketAddress(InetAddress.ofLiteral(MemoryPair.B_ADDR), PORT),
                p.a.tcp(0).config(), new ConnectionListener() {});
        TcpSocket accepted = null;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (accepted == null) {
            la.poll();
            lb.poll();
            try {
                accepted = listener.accept(Duration.ofNanos(1));
            } catch (SocketTimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("no handshake within 5 s");
                }
            }
        }
        listener.close();
        lb.poll();
        TcpConnection server = accepted.connection();
        server.setListener(new ConnectionListener() {});
        if (client.state() != TcpState.ESTABLISHED) {
            throw new IOException("client is " + client.state());
        }
        return new Driven(p, la, lb, client, server);
    }

    /**
     * Bulk transfer with everything on the calling thread: measures bytes per second and the
     * heap bytes this thread allocated per packet (every packet is written by one loop and read by
     * the other, counted once each).
     */
    static Transfer singleThread(long warmupMillis, long millis) throws Exception {
        try (MemoryPair p = new MemoryPair(TcpConfig.DEFAULT, 1500)) {
            Driven d = establish(p);
            ByteBuffer src = ByteBuffer.allocateDirect(Transfer.CHUNK);
            ByteBuffer dst = ByteBuffer.allocateDirect(Transfer.CHUNK);
            long self = Thread.currentThread().threadId();
            long bytes = 0;
            long startBytes = 0;
            long t0 = 0;
            long cpu0 = 0;
            long alloc0 = 0;
            long rx0 = 0;
            long tx0 = 0;
            Bench.CpuTimes machine0 = null;
            long warmEnd = System.nanoTime() + warmupMillis * 1_000_000L;
            long end = warmEnd + millis * 1_000_000L;
            boolean measuring = false;
            while (true) {
                long now = System.nanoTime();
                if (!measuring && now >= warmEnd) {
                    measuring = true;
                    startBytes = bytes;
                    t0 = now;
                    cpu0 = Bench.THREADS.getThreadCpuTime(self);
                    alloc0 = Bench.THREADS.getThreadAllocatedBytes(self);
                    rx0 = d.a().counters().rxPackets() + d.b().counters().rxPackets();
                    tx0 = d.a().counters().txPackets() + d.b().counters().txPackets();
                    machine0 = Bench.CpuTimes.read();
                    Bench.windowStarts();
                }
                if (now >= end) {
                    break;
                }
                if (d.client().writable() > 0) {
                    src.clear();
                    d.client().send(src);
                }
                d.pollBoth();
                int n;
                while ((n = d.server().receive(dst.clear())) > 0) {
                    bytes += n;
                }
            }
            long t1 = System.nanoTime();
            Bench.windowEnds();
            long alloc = Bench.THREADS.getThreadAllocatedBytes(self) - alloc0;
            long cpu = Bench.THREADS.getThreadCpuTime(self) - cpu0;
            long rx = d.a().counters().rxPackets() + d.b().counters().rxPackets() - rx0;
            long tx = d.a().counters().txPackets() + d.b().counters().txPackets() - tx0;
            Bench.CpuTimes machine = Bench.CpuTimes.read().minus(machine0);
            return new Transfer(bytes - startBytes, t1 - t0, new Bench.LoopSample(t1 - t0, cpu, alloc, rx, tx), machine);
        }
    }
}
