package dev.tuncrypt.bench;

import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpStats;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bulk throughput of one TCP connection: the stack against the kernel through a TUN device in a
 * namespace (both directions, MTU 1500), and the kernel against itself over a veth pair between
 * two namespaces (MTU 1500, the kernel's GSO/GRO on as by default) as the yardstick. Both ends
 * are Java: blocking {@link Socket} streams on the kernel side, {@link TcpSocket} on the stack
 * side, 256 KiB per call.
 */
public final class TcpThroughputBench {
    static final long WARMUP_MILLIS = 1000;

    public static void main(String[] args) throws Exception {
        if (!Bench.rootOrSkip("tcp-throughput")) {
            return;
        }
        long millis = Bench.seconds(args, 3) * 1000L;
        Result k2s;
        Result s2k;
        try (TunRig rig = TunRig.open("bthr", 1500, TcpConfig.DEFAULT)) {
            k2s = kernelToStack(rig, millis);
            s2k = stackToKernel(rig, millis);
        }
        Transfer k2k = kernelToKernel(millis);
        System.out.printf("tcp-throughput (1 connection, %d s each, MTU 1500): kernel->stack %.2f Gbit/s, "
                        + "stack->kernel %.2f Gbit/s, kernel->kernel veth %.2f Gbit/s; stack/kernel ratio %.2f / %.2f; "
                        + "stack loop CPU %.0f%% / %.0f%% of a core; retransmits %d / %d%n",
                millis / 1000, k2s.t.gbit(), s2k.t.gbit(), k2k.gbit(), k2s.t.gbit() / k2k.gbit(),
                s2k.t.gbit() / k2k.gbit(), 100 * k2s.t.loops().cpuShare(), 100 * s2k.t.loops().cpuShare(),
                k2s.stats.retransmits(), s2k.stats.retransmits());
    }

    record Result(Transfer t, TcpStats stats) {}

    /** Kernel client writes, stack server reads. */
    static Result kernelToStack(TunRig rig, long millis) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (TcpListener listener = TcpListener.bind(rig.stack, 5001, 16)) {
            Thread sender = rig.startInNamespace("kernel-sender", failure, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(Bench.STACK_ADDR, 5001), 3000);
                    pumpKernel(s.getOutputStream(), stop);
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
            return new Result(result, stats);
        }
    }

    /** Stack client writes, kernel server reads. */
    static Result stackToKernel(TunRig rig, long millis) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ServerSocket server = rig.exec(() -> new ServerSocket(5002, 16, InetAddress.ofLiteral(Bench.KERNEL_ADDR)))) {
            Thread receiver = Bench.start("kernel-receiver", failure, () -> {
                try (Socket s = server.accept()) {
                    drainKernel(s.getInputStream(), received);
                }
            });
            TcpSocket t = TcpSocket.connect(rig.stack, new InetSocketAddress(Bench.KERNEL_ADDR, 5002), Duration.ofSeconds(5));
            Thread sender = Bench.start("stack-sender", failure, () -> pumpStack(t, stop));
            Transfer result = Transfer.measure(received, WARMUP_MILLIS, millis, new Bench.LoopProbe(rig.stack));
            TcpStats stats = t.stats();
            stop.set(true);
            Bench.join(sender, 10_000);
            Bench.join(receiver, 10_000);
            Bench.check(failure);
            return new Result(result, stats);
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
            try (ServerSocket server = a.exec(() -> new ServerSocket(5003, 16, InetAddress.ofLiteral("198.18.0.1")))) {
                Thread receiver = Bench.start("kernel-receiver", failure, () -> {
                    try (Socket s = server.accept()) {
                        drainKernel(s.getInputStream(), received);
                    }
                });
                Thread sender = TunRig.startIn(b, "kernel-sender", failure, () -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("198.18.0.1", 5003), 3000);
                        pumpKernel(s.getOutputStream(), stop);
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

    static void pumpKernel(OutputStream out, AtomicBoolean stop) throws Exception {
        byte[] chunk = new byte[Transfer.CHUNK];
        java.util.Arrays.fill(chunk, (byte) 0x5a);
        while (!stop.get()) {
            out.write(chunk);
        }
    }

    static void drainKernel(InputStream in, AtomicLong received) throws Exception {
        byte[] buf = new byte[Transfer.CHUNK];
        int n;
        while ((n = in.read(buf)) >= 0) {
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
