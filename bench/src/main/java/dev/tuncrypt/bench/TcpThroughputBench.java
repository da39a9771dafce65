package dev.tuncrypt.bench;

import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpStats;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bulk throughput of one TCP connection: the stack against the kernel through a TUN device in a
 * namespace (both directions; TUN MTU 1500, or the second argument with the stack's MSS raised to
 * match), and the kernel against itself over a veth pair between two namespaces (MTU 1500, the
 * kernel's segmentation offloads on as by default) as the yardstick, in the same run. Both ends
 * are Java: blocking {@link SocketChannel}s on the kernel side, {@link TcpSocket} on the stack
 * side, 256 KiB direct buffers per call.
 */
public final class TcpThroughputBench {
    static final long WARMUP_MILLIS = 1000;

    public static void main(String[] args) throws Exception {
        if (!Bench.rootOrSkip("tcp-throughput")) {
            return;
        }
        long millis = Bench.seconds(args, 3) * 1000L;
        int mtu = args.length > 1 ? Integer.parseInt(args[1]) : 1500;
        Result k2s;
        Result s2k;
        try (TunRig rig = TunRig.open("bthr", mtu, withMss(TcpConfig.DEFAULT, Math.max(1460, mtu - 40)))) {
            k2s = kernelToStack(rig, millis);
            s2k = stackToKernel(rig, millis);
        }
        Transfer k2k = kernelToKernel(millis);
        System.out.printf("tcp-throughput (1 connection, %d s each, TUN MTU %d, offloads %s): kernel->stack %.2f Gbit/s, "
                        + "stack->kernel %.2f Gbit/s, kernel->kernel veth (MTU 1500, GSO) %.2f Gbit/s; stack/kernel ratio %.2f / %.2f; "
                        + "stack loop thread %.0f%% / %.0f%% of a core, machine busy %.1f / %.1f / %.1f of %d cores; retransmits: kernel %d (TUN drops %d) / stack %d; "
                        + "stack->kernel segments per TUN write %.1f, fast recoveries %d, timeouts %d, cwnd %d segments at the end%n",
                millis / 1000, mtu, Bench.offload() ? "on" : "off", k2s.t.gbit(), s2k.t.gbit(), k2k.gbit(), k2s.t.gbit() / k2k.gbit(),
                s2k.t.gbit() / k2k.gbit(), 100 * k2s.t.loops().cpuShare(), 100 * s2k.t.loops().cpuShare(),
                k2s.t.cpu().busyCores(), s2k.t.cpu().busyCores(), k2k.cpu().busyCores(),
                Runtime.getRuntime().availableProcessors(),
                k2s.kernelRetransmits, k2s.tunDrops, s2k.stats.retransmits(), s2k.segmentsPerWrite,
                s2k.stats.fastRetransmits(), s2k.stats.timeouts(), s2k.stats.cwnd() / Math.max(1, s2k.stats.mss()));
    }

    /** {@code c} with another MSS (the default 1460 caps segments whatever the MTU). */
    static TcpConfig withMss(TcpConfig c, int mss) {
        return new TcpConfig(mss, c.sendBuffer(), c.receiveBuffer(), c.minRtoNanos(), c.maxRtoNanos(), c.timeWaitNanos(),
                c.delayedAckNanos(), c.synRetries(), c.dataRetries(), c.keepaliveIdleNanos(), c.keepaliveIntervalNanos(),
                c.keepaliveProbes(), c.congestionControl(), c.windowScaling(), c.timestamps(), c.sack(), c.backlog(),
                c.synBacklog(), c.maxConnections(), c.lossRecovery());
    }

    /** {@code segmentsPerWrite}: TCP segments the stack sent per TUN write (stack to kernel; 0 otherwise). */
    record Result(Transfer t, TcpStats stats, long kernelRetransmits, long tunDrops, double segmentsPerWrite) {}

    /** Kernel client writes, stack server reads. */
    static Result kernelToStack(TunRig rig, long millis) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long retrans0 = rig.kernelRetransmits();
        long drops0 = rig.tunDrops();
        try (TcpListener listener = TcpListener.bind(rig.stack, 5001, 16)) {
            Thread sender = rig.startInNamespace("kernel-sender", failure, () -> {
                try (SocketChannel s = SocketChannel.open(new InetSocketAddress(Bench.STACK_ADDR, 5001))) {
                    pumpKernel(s, stop);
                }
            });
            TcpSocket t = listener.accept(Duration.ofSeconds(5));
            Thread receiver = Bench.start("stack-receiver", failure, () -> drainStack(t, received));
            Transfer result = Transfer.measure(received, WARMUP_MILLIS, millis, new Bench.LoopProbe(rig.stack));
            TcpStats stats = t.stats();
            stop.set(true);
            Bench.join(sender, 10_000);
            Bench.join(receiver, 10_000);
            t.close();
            Bench.check(failure);
            return new Result(result, stats, rig.kernelRetransmits() - retrans0, rig.tunDrops() - drops0, 0);
        }
    }

    /** Stack client writes, kernel server reads. */
    static Result stackToKernel(TunRig rig, long millis) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ServerSocketChannel server = rig.exec(() -> listen(Bench.KERNEL_ADDR, 5002))) {
            Thread receiver = Bench.start("kernel-receiver", failure, () -> {
                try (SocketChannel s = server.accept()) {
                    drainKernel(s, received);
                }
            });
            TcpSocket t = TcpSocket.connect(rig.stack, new InetSocketAddress(Bench.KERNEL_ADDR, 5002), Duration.ofSeconds(5));
            long writes0 = rig.device.queue(0).txPackets();
            Thread sender = Bench.start("stack-sender", failure, () -> pumpStack(t, stop));
            Transfer result = Transfer.measure(received, WARMUP_MILLIS, millis, new Bench.LoopProbe(rig.stack));
            TcpStats stats = t.stats();
            long writes = rig.device.queue(0).txPackets() - writes0;
            stop.set(true);
            Bench.join(sender, 10_000);
            Bench.join(receiver, 10_000);
            Bench.check(failure);
            return new Result(result, stats, 0, 0, (double) stats.segmentsOut() / Math.max(1, writes));
        }
    }

    /** Kernel to kernel over a veth pair between two namespaces: 198.18.0.2 → 198.18.0.1. */
    static Transfer kernelToKernel(long millis) throws Exception {
        TestNamespace a = TunRig.namespace("bvea");
        TestNamespace b = TunRig.namespace("bveb");
        try {
            TunRig.run(a, "ip", "link", "add", "bv0", "type", "veth", "peer", "name", "bv1", "netns", b.name());
            TunRig.run(a, "ip", "addr", "add", "198.18.0.1/30", "dev", "bv0");
            TunRig.run(a, "ip", "link", "set", "bv0", "up");
            TunRig.run(b, "ip", "addr", "add", "198.18.0.2/30", "dev", "bv1");
            TunRig.run(b, "ip", "link", "set", "bv1", "up");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong received = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try (ServerSocketChannel server = a.exec(() -> listen("198.18.0.1", 5003))) {
                Thread receiver = Bench.start("kernel-receiver", failure, () -> {
                    try (SocketChannel s = server.accept()) {
                        drainKernel(s, received);
                    }
                });
                Thread sender = TunRig.startIn(b, "kernel-sender", failure, () -> {
                        try (SocketChannel s = SocketChannel.open(new InetSocketAddress("198.18.0.1", 5003))) {
                        pumpKernel(s, stop);
                    }
                });
                Transfer result = Transfer.measure(received, WARMUP_MILLIS, millis, null);
                stop.set(true);
                Bench.join(sender, 10_000);
                Bench.join(receiver, 10_000);
                Bench.check(failure);
                return result;
            }
        } finally {
            TunRig.delete(b);
            TunRig.delete(a);
        }
    }

    static ServerSocketChannel listen(String address, int port) throws Exception {
        return ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.ofLiteral(address), port), 16);
    }

    static void pumpKernel(SocketChannel out, AtomicBoolean stop) throws Exception {
        ByteBuffer chunk = ByteBuffer.allocateDirect(Transfer.CHUNK);
        while (!stop.get()) {
            chunk.clear();
            while (chunk.hasRemaining()) {
                out.write(chunk);
            }
        }
    }

    static void drainKernel(SocketChannel in, AtomicLong received) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(Transfer.CHUNK);
        int n;
        while ((n = in.read(buf.clear())) >= 0) {
            received.addAndGet(n);
        }
    }

    /** Writes until {@code stop}, then closes (FIN). */
    static void pumpStack(TcpSocket t, AtomicBoolean stop) throws Exception {
        ByteBuffer chunk = ByteBuffer.allocateDirect(Transfer.CHUNK);
        while (!stop.get()) {
            chunk.clear();
            t.write(chunk);
        }
        t.close();
    }

    static void drainStack(TcpSocket t, AtomicLong received) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(Transfer.CHUNK);
        int n;
        while ((n = t.read(buf.clear())) >= 0) {
            received.addAndGet(n);
        }
    }
}
