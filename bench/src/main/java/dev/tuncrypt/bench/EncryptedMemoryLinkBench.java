package dev.tuncrypt.bench;

import dev.tuncrypt.tcpcrypt.CryptMode;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.StackLoop;
import dev.tuncrypt.tcpstack.tcp.ConnectionListener;
import dev.tuncrypt.tcpstack.tcp.ListenEndpoint;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.InstantSource;

/**
 * tcpcrypt (tcpcrypt-0.5, or rfc8548 with X25519 and AES-128-GCM when the second argument is
 * {@code rfc8548}) between two stacks over a fault-free MemoryLink (MTU 1500), everything on one
 * thread (both loops polled in turn, key agreement inline): the cost of the encrypted segment
 * paths themselves. Reports bulk goodput of one encrypted connection, full handshakes per second
 * (P-256, session cache off) and resumed handshakes per second (cache on, one byte each way per
 * connection so that the session becomes cacheable), with default and with small buffers (the
 * per-connection rings are allocated and zeroed on first data). No root needed.
 */
public final class EncryptedMemoryLinkBench {
    static final int PORT = 7100;

    /** The settings measured: tcpcrypt-0.5's defaults, or rfc8548 with X25519 and AES-128-GCM. */
    private static TcpCryptConfig base = TcpCryptConfig.DEFAULT;
    private static String label = "tcpcrypt-0.5, P-256, AES-128-GCM";

    public static void main(String[] args) throws Exception {
        long millis = Bench.seconds(args, 3) * 1000L;
        if (args.length > 1 && args[1].equals("rfc8548")) {
            base = TcpCryptConfig.DEFAULT.withDialects(java.util.List.of(dev.tuncrypt.tcpcrypt.Dialect.RFC8548))
                    .withTeps(java.util.List.of(dev.tuncrypt.tcpcrypt.Tep.ECDHE_X25519));
            label = "rfc8548, X25519, AES-128-GCM";
        } else if (args.length > 1 && !args[1].equals("tcpcrypt-0.5")) {
            throw new IllegalArgumentException("dialect must be tcpcrypt-0.5 or rfc8548, not " + args[1]);
        }
        double gbit = throughput(millis);
        double full = handshakes(millis, false, TcpConfig.DEFAULT);
        double resumed = handshakes(millis, true, TcpConfig.DEFAULT);
        TcpConfig small = TcpConfig.DEFAULT.withBuffers(64 << 10, 64 << 10);
        double fullSmall = handshakes(millis, false, small);
        double resumedSmall = handshakes(millis, true, small);
        double plainFirst = firstByteMicros(false);
        double cryptFirst = firstByteMicros(true);
        System.out.printf("encrypted-memorylink (%s, stack<->stack, one thread, %d s each): "
                + "%.2f Gbit/s goodput; handshakes/s with 1 MiB buffers: %.0f full, %.0f resumed; "
                + "with 64 KiB buffers: %.0f full, %.0f resumed; first byte after connect (median of 200, no link "
                + "delay): plain %.0f us, tcpcrypt full handshake %.0f us%n",
                label, millis / 1000, gbit, full, resumed, fullSmall, resumedSmall, plainFirst, cryptFirst);
    }

    private static TcpCrypt crypt(boolean cache) {
        return TcpCrypt.create(base.withMode(CryptMode.ALWAYS).withSessionCache(cache),
                new SecureRandom(), Runnable::run, InstantSource.system());
    }

    /** B's listener hands each connection to {@code into[0]}. */
    private static void listen(MemoryPair p, TcpConnection[] into) {
        TcpLayer bl = p.b.tcp(0);
        bl.addListener(new ListenEndpoint(PORT, false, bl.config(), new ListenEndpoint.AcceptSink() {
            @Override
            public boolean full() {
                return false;
            }

            @Override
            public void accept(TcpConnection c, TcpLayer layer) {
                c.setListener(new ConnectionListener() {});
                into[0] = c;
            }
        }));
    }

    private static TcpConnection dial(MemoryPair p) {
        return p.a.tcp(0).connect(null, new InetSocketAddress(InetAddress.ofLiteral(MemoryPair.B_ADDR), PORT),
                p.a.tcp(0).config(), new ConnectionListener() {});
    }

    /** Polls both loops until both ends have keys. */
    private static void awaitKeys(StackLoop la, StackLoop lb, TcpConnection a, TcpConnection[] b) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (b[0] == null || TcpCrypt.info(a) == null || TcpCrypt.info(b[0]) == null) {
            la.poll();
            lb.poll();
            if (a.state() == TcpState.CLOSED || System.nanoTime() > deadline) {
                throw new IllegalStateException("no tcpcrypt session: " + a);
            }
        }
    }

    static double throughput(long millis) throws Exception {
        try (TcpCrypt ca = crypt(false); TcpCrypt cb = crypt(false);
                MemoryPair p = new MemoryPair(TcpConfig.DEFAULT, 1500, ca.protections(), cb.protections())) {
            StackLoop la = p.a.loop(0);
            StackLoop lb = p.b.loop(0);
            TcpConnection[] b = new TcpConnection[1];
            listen(p, b);
            TcpConnection a = dial(p);
            awaitKeys(la, lb, a, b);
            ByteBuffer src = ByteBuffer.allocateDirect(Transfer.CHUNK);
            ByteBuffer dst = ByteBuffer.allocateDirect(Transfer.CHUNK);
            long bytes = 0;
            long start = 0;
            long warmEnd = System.nanoTime() + 1_000_000_000L;
            long end = warmEnd + millis * 1_000_000L;
            long t0 = 0;
            boolean measuring = false;
            while (true) {
                long now = System.nanoTime();
                if (!measuring && now >= warmEnd) {
                    measuring = true;
                    start = bytes;
                    t0 = now;
                }
                if (now >= end) {
                    break;
                }
                if (a.writable() > 0) {
                    a.send(src.clear());
                }
                la.poll();
                lb.poll();
                int n;
                while ((n = b[0].receive(dst.clear())) > 0) {
                    bytes += n;
                }
            }
            return (bytes - start) * 8.0 / (System.nanoTime() - t0);
        }
    }

    static double handshakes(long millis, boolean resume, TcpConfig config) throws Exception {
        try (TcpCrypt ca = crypt(resume); TcpCrypt cb = crypt(resume);
                MemoryPair p = new MemoryPair(config.withTimeWait(1_000_000L), 1500, ca.protections(),
                        cb.protections())) {
            StackLoop la = p.a.loop(0);
            StackLoop lb = p.b.loop(0);
            TcpConnection[] b = new TcpConnection[1];
            listen(p, b);
            ByteBuffer one = ByteBuffer.allocate(1);
            long count = 0;
            long warmEnd = System.nanoTime() + 1_000_000_000L;
            long end = warmEnd + millis * 1_000_000L;
            long t0 = 0;
            while (System.nanoTime() < end) {
                if (t0 == 0 && System.nanoTime() >= warmEnd) {
                    t0 = System.nanoTime();
                    count = 0;
                }
                b[0] = null;
                TcpConnection a = dial(p);
                awaitKeys(la, lb, a, b);
                TcpCryptInfo info = TcpCrypt.info(a);
                if (resume && count > 2 && !info.resumed()) {
                    throw new IllegalStateException("a session was not resumed");
                }
                // one byte each way: the peer's first frame authenticated makes the session cacheable
                a.send(one.clear());
                b[0].send(one.clear());
                while (b[0].readable() == 0 || a.readable() == 0) {
                    la.poll();
                    lb.poll();
                }
                a.receive(one.clear());
                b[0].receive(one.clear());
                a.abort();
                b[0].abort();
                la.poll();
                lb.poll();
                count++;
            }
            return count * 1e9 / (System.nanoTime() - t0);
        }
    }

    /**
     * Median time from {@code connect} until B's application has the first byte A wrote right
     * after it: the added latency of the key exchange (no link delay: CPU cost only).
     */
    static double firstByteMicros(boolean encrypted) throws Exception {
        try (TcpCrypt ca = crypt(false); TcpCrypt cb = crypt(false);
                MemoryPair p = encrypted
                        ? new MemoryPair(TcpConfig.DEFAULT.withTimeWait(1_000_000L), 1500, ca.protections(), cb.protections())
                        : new MemoryPair(TcpConfig.DEFAULT.withTimeWait(1_000_000L), 1500)) {
            StackLoop la = p.a.loop(0);
            StackLoop lb = p.b.loop(0);
            TcpConnection[] b = new TcpConnection[1];
            listen(p, b);
            ByteBuffer one = ByteBuffer.allocate(1);
            long[] samples = new long[400];
            for (int i = 0; i < samples.length; i++) {
                b[0] = null;
                long t0 = System.nanoTime();
                TcpConnection a = dial(p);
                a.send(one.clear()); // queued until the handshake (and key exchange) allow it
                while (b[0] == null || b[0].readable() == 0) {
                    la.poll();
                    lb.poll();
                }
                samples[i] = System.nanoTime() - t0;
                b[0].receive(one.clear());
                a.abort();
                b[0].abort();
                la.poll();
                lb.poll();
            }
            long[] measured = java.util.Arrays.copyOfRange(samples, 200, 400); // the first 200 warm up
            java.util.Arrays.sort(measured);
            return measured[measured.length / 2] / 1000.0;
        }
    }
}
