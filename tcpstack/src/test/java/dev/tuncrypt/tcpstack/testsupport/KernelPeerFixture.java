package dev.tuncrypt.tcpstack.testsupport;

import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.tcp.TcpStats;
import dev.tuncrypt.tun.Netns;
import dev.tuncrypt.tun.TunConfig;
import dev.tuncrypt.tun.TunDevice;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The Linux kernel as the peer of the stack, through a real TUN device in a namespace the
 * fixture creates and always deletes:
 *
 * <pre>
 * ns:  kernel 198.18.7.1/24, 2001:2:0:7::1/64 ── tk0 ── stack 198.18.7.2, 2001:2:0:7::2
 * </pre>
 *
 * Kernel sockets must be created by a thread inside the namespace ({@link #kernelSocket},
 * {@link #kernelChannels}, {@link #kernelServer}); once created they can be used from any
 * thread. Everything the fixture opened or started (sockets, processes, stack, device,
 * namespace) goes in {@link #close()}.
 */
public final class KernelPeerFixture implements AutoCloseable {
    public static final int KIB = 1 << 10;
    public static final int MIB = 1 << 20;
    public static final String DEVICE = "tk0";
    public static final InetAddress KERNEL4 = InetAddress.ofLiteral("198.18.7.1");
    public static final InetAddress STACK4 = InetAddress.ofLiteral("198.18.7.2");
    public static final InetAddress KERNEL6 = InetAddress.ofLiteral("2001:2:0:7::1");
    public static final InetAddress STACK6 = InetAddress.ofLiteral("2001:2:0:7::2");

    private final TestNamespace ns;
    private TunDevice device;
    private NetStack stack;
    private final List<AutoCloseable> owned = new CopyOnWriteArrayList<>();
    private final List<Process> processes = new CopyOnWriteArrayList<>();

    private KernelPeerFixture(TestNamespace ns) {
        this.ns = ns;
    }

    /** Checks root and TUN (skip or, in CI, fail), then builds the topology with default TCP settings. */
    public static KernelPeerFixture start(String prefix) throws Exception {
        return start(prefix, TcpConfig.DEFAULT);
    }

    public static KernelPeerFixture start(String prefix, TcpConfig tcp) throws Exception {
        return start(prefix, tcp, 1);
    }

    /** As {@link #start(String, TcpConfig)} on a device with {@code queues} queues, one stack loop each. */
    public static KernelPeerFixture start(String prefix, TcpConfig tcp, int queues) throws Exception {
        return start(prefix, tcp, queues, false);
    }

    /** As {@link #start(String, TcpConfig, int)}, with the device's TCP offloads on or off (super-packets both ways). */
    public static KernelPeerFixture start(String prefix, TcpConfig tcp, int queues, boolean offloads) throws Exception {
        Requirements.rootAndTun();
        KernelPeerFixture f = new KernelPeerFixture(TestNamespace.create(prefix));
        try {
            f.device = f.ns.exec(() -> TunDevice.open(TunConfig.of(DEVICE).withQueues(queues).withTcpOffloads(offloads)));
            f.device.addAddress(KERNEL4, 24);
            f.device.addAddress(KERNEL6, 64);
            f.device.setUp(true);
            // Bringing the link up runs IPv6 address setup on a kernel work queue: until it has,
            // the address is "tentative" and bind() to it fails with EADDRNOTAVAIL (even without DAD).
            poll("IPv6 address " + KERNEL6.getHostAddress() + " usable", Duration.ofSeconds(5),
                    () -> f.ns.run("ip", "-6", "-o", "addr", "show", "dev", DEVICE, "tentative").output().isBlank());
            NetStack.Builder builder = NetStack.builder();
            for (int q = 0; q < queues; q++) {
                builder.link(f.device.queue(q));
            }
            f.stack = builder
                    .address(STACK4)
                    .address(STACK6)
                    .tcp(tcp)
                    .build();
            f.stack.start();
            return f;
        } catch (Exception | Error e) {
            try {
                f.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public TestNamespace ns() {
        return ns;
    }

    public NetStack stack() {
        return stack;
    }

    public TunDevice device() {
        return device;
    }

    // ------------------------------------------------------------------ kernel sockets

    /** Runs {@code task} on a thread inside the namespace. */
    public <T> T inNamespace(Callable<T> task) throws Exception {
        return ns.exec(task);
    }

    /** A kernel TCP socket connected to {@code remote} (closed by the fixture at the latest). */
    public Socket kernelSocket(InetSocketAddress remote, Duration timeout) throws Exception {
        Socket s = ns.exec(() -> {
            Socket socket = new Socket();
            try {
                socket.connect(remote, (int) timeout.toMillis());
                return socket;
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        });
        owned.add(s);
        return s;
    }

    /**
     * {@code n} unconnected blocking kernel socket channels of {@code family}, created in the
     * namespace (connect them from any thread, e.g. {@code ch.socket().connect(addr, ms)}).
     */
    public List<SocketChannel> kernelChannels(int n, ProtocolFamily family) throws Exception {
        List<SocketChannel> list = ns.exec(() -> {
            List<SocketChannel> l = new ArrayList<>(n);
            try {
                for (int i = 0; i < n; i++) {
                    l.add(SocketChannel.open(family));
                }
                return l;
            } catch (IOException e) {
                for (SocketChannel c : l) {
                    c.close();
                }
                throw e;
            }
        });
        owned.addAll(list);
        return list;
    }

    /** A kernel listening socket on {@code address}:{@code port} (closed by the fixture at the latest). */
    public ServerSocket kernelServer(InetAddress address, int port, int backlog) throws Exception {
        ServerSocket s = ns.exec(() -> new ServerSocket(port, backlog, address));
        owned.add(s);
        return s;
    }

    public static ProtocolFamily familyOf(InetAddress a) {
        return a.getAddress().length == 4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    /**
     * The kernel's TCP counters in the namespace ({@code /proc/net/snmp} "Tcp:" and
     * {@code /proc/net/netstat} "TcpExt:"), keyed "Tcp.OutRsts", "TcpExt.TCPAbortOnData", ...
     */
    public Map<String, Long> kernelTcpCounters() throws IOException {
        Netns.Result r = ns.run("cat", "/proc/net/snmp", "/proc/net/netstat");
        if (!r.ok()) {
            throw new IOException("cannot read the namespace's TCP counters: " + r.output());
        }
        Map<String, Long> out = new LinkedHashMap<>();
        List<String> lines = r.output().lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
            String[] names = lines.get(i).trim().split("\\s+");
            String[] values = lines.get(i + 1).trim().split("\\s+");
            boolean tcp = names[0].equals("Tcp:") || names[0].equals("TcpExt:");
            if (names.length < 2 || !names[0].equals(values[0]) || !tcp) {
                continue;
            }
            if (values.length > 1 && !values[1].matches("-?\\d+")) {
                continue; // a header line followed by another header line
            }
            String prefix = names[0].substring(0, names[0].length() - 1);
            for (int k = 1; k < names.length && k < values.length; k++) {
                out.put(prefix + "." + names[k], Long.parseLong(values[k]));
            }
            i++;
        }
        return out;
    }

    /**
     * A counter of the TUN device from {@code /sys/class/net/tk0/statistics/} in the namespace,
     * e.g. "tx_dropped": packets the kernel meant for the stack but dropped because the device's
     * queue toward the stack ({@code txqueuelen}) was full; "tx_packets": those it queued.
     */
    public long deviceStatistic(String name) throws IOException {
        Netns.Result r = ns.run("cat", "/sys/class/net/" + DEVICE + "/statistics/" + name);
        if (!r.ok()) {
            throw new IOException("cannot read " + DEVICE + "'s " + name + ": " + r.output());
        }
        return Long.parseLong(r.output().trim());
    }

    /** The TUN device's queue length toward the stack ({@code txqueuelen}), as the kernel reports it. */
    public int deviceTxQueueLength() throws IOException {
        Netns.Result r = ns.run("cat", "/sys/class/net/" + DEVICE + "/tx_queue_len");
        if (!r.ok()) {
            throw new IOException("cannot read " + DEVICE + "'s tx_queue_len: " + r.output());
        }
        return Integer.parseInt(r.output().trim());
    }

    /**
     * Kernel TCP sockets of the namespace in {@code state} (an {@code ss} state, e.g.
     * "established", "time-wait", "connected", "all"), one line each, optionally narrowed by an
     * {@code ss} filter expression such as {@code "sport = :5200"}.
     */
    public List<String> kernelSockets(String state, String... filter) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ss", "-Htan", "state", state));
        argv.addAll(List.of(filter));
        Netns.Result r = ns.run(argv.toArray(String[]::new));
        if (!r.ok()) {
            throw new IOException("ss failed: " + r.output());
        }
        return r.output().lines().filter(l -> !l.isBlank()).toList();
    }

    // ------------------------------------------------------------------ processes

    /**
     * Starts {@code command} inside the namespace with stdout and stderr going to {@code log};
     * the fixture kills it at the latest in {@link #close()}.
     */
    public Process spawn(Path log, String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        argv.addAll(List.of(command));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    // ------------------------------------------------------------------ stack side

    /** Runs {@code query} on loop {@code i}'s TCP layer (on the loop thread while the stack runs). */
    public <T> T onLoop(int i, Function<TcpLayer, T> query) throws Exception {
        TcpLayer layer = stack.tcp(i);
        if (!stack.isRunning()) {
            return query.apply(layer);
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        stack.loop(i).post(() -> {
            try {
                f.complete(query.apply(layer));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("stack loop " + i + " did not run a posted task within 5 s (stuck or"
                    + " livelocked); its thread now:" + loopThreadStack(i), e);
        }
    }

    private static String loopThreadStack(int i) {
        StringBuilder b = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, trace) -> {
            if (t.getName().equals("tuncrypt-loop-" + i)) {
                for (int k = 0; k < Math.min(trace.length, 12); k++) {
                    b.append("\n\tat ").append(trace[k]);
                }
            }
        });
        return b.isEmpty() ? " (no thread named tuncrypt-loop-" + i + ")" : b.toString();
    }

    /** Connections the stack holds (in any state, TIME-WAIT included) on every loop. */
    public int stackConnectionCount() throws Exception {
        int n = 0;
        for (int i = 0; i < stack.loopCount(); i++) {
            n += this.<Integer>onLoop(i, TcpLayer::connectionCount);
        }
        return n;
    }

    /**
     * What a failure message needs: the device's packet counts (drops included), the kernel's
     * sockets with their TCP internals and its non-zero TCP counters, and the stack's counters
     * and connections.
     */
    public String diagnostics() {
        StringBuilder b = new StringBuilder();
        try {
            b.append("device:\n").append(ns.run("ip", "-s", "-s", "link", "show", DEVICE).output());
            b.append("kernel sockets:\n").append(ns.run("ss", "-Htani").output());
            b.append("kernel TCP counters (non-zero): ");
            kernelTcpCounters().forEach((k, v) -> {
                if (v != 0) {
                    b.append(k).append('=').append(v).append(' ');
                }
            });
            b.append('\n');
        } catch (IOException e) {
            b.append("(kernel side unreadable: ").append(e).append(")\n");
        }
        b.append("stack counters: ").append(stack.counters()).append('\n');
        b.append("stack connections:\n").append(describeStackConnections());
        return b.toString();
    }

    /** Every stack connection with its state and statistics, one a line (for failure messages). */
    public String describeStackConnections() {
        StringBuilder b = new StringBuilder();
        try {
            for (int i = 0; i < stack.loopCount(); i++) {
                b.append(this.<String>onLoop(i, layer -> {
                    StringBuilder s = new StringBuilder();
                    for (var c : layer.connections()) {
                        s.append(c).append(' ').append(c.stats()).append('\n');
                    }
                    return s.toString();
                }));
            }
        } catch (Exception | AssertionError e) {
            b.append("(cannot read the stack's connections: ").append(e.getMessage()).append(")\n");
        }
        return b.toString();
    }

    /** Waits until the socket's connection is in one of {@code states}; returns its last statistics. */
    public static TcpStats awaitState(TcpSocket s, Set<TcpState> states, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        TcpStats st = s.stats();
        while (!states.contains(st.state())) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("connection " + s.localAddress() + " -> " + s.remoteAddress()
                        + " still " + st.state() + " after " + timeout.toMillis() + " ms, not in " + states
                        + " (error " + s.error() + "): " + st);
            }
            Thread.sleep(5);
            st = s.stats();
        }
        return st;
    }

    /** Polls {@code condition} every 10 ms until it holds; fails with {@code what} after {@code timeout}. */
    public static void poll(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** As {@link #poll}, with the fixture's {@link #diagnostics()} in the failure message. */
    public void await(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        try {
            poll(what, timeout, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + diagnostics(), e);
        }
    }

    /**
     * Runs {@code task} on a thread of its own. (Not the common pool: these tasks block on
     * sockets, and a small machine's common pool runs one task at a time.)
     */
    public static <T> CompletableFuture<T> async(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).name("kernel-peer-task").start(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    // ------------------------------------------------------------------ payloads

    /** Bytes counted and their SHA-256. */
    public record Digest(long bytes, String sha256) {}

    /** Writes {@code bytes} pseudo-random bytes from {@code seed} (64 KiB at a time); returns their digest. */
    public static Digest pump(OutputStream out, long bytes, long seed) throws IOException {
        MessageDigest sha = sha256();
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] chunk = new byte[64 * KIB];
        ByteBuffer longs = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        long left = bytes;
        while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            for (int i = 0; i < chunk.length; i += 8) {
                longs.putLong(i, rnd.nextLong());
            }
            out.write(chunk, 0, n);
            sha.update(chunk, 0, n);
            left -= n;
        }
        return new Digest(bytes, HexFormat.of().formatHex(sha.digest()));
    }

    /** Reads to end of stream; returns what came. */
    public static Digest drain(InputStream in) throws IOException {
        return drain(in, Long.MAX_VALUE);
    }

    /** Reads to end of stream or {@code limit} bytes, whichever first. */
    public static Digest drain(InputStream in, long limit) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[64 * KIB];
        long count = 0;
        int n;
        while (count < limit && (n = in.read(buf, 0, (int) Math.min(buf.length, limit - count))) >= 0) {
            sha.update(buf, 0, n);
            count += n;
        }
        return new Digest(count, HexFormat.of().formatHex(sha.digest()));
    }

    /** The digest {@link #pump} produces for {@code bytes} from {@code seed}, without sending. */
    public static Digest expected(long bytes, long seed) throws IOException {
        return pump(OutputStream.nullOutputStream(), bytes, seed);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ cleanup

    /** Kills processes, closes kernel sockets, stops the stack, removes the device and the namespace. */
    @Override
    public void close() throws Exception {
        Exception first = null;
        for (Process p : processes) {
            try {
                if (p.isAlive()) {
                    p.destroy();
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        p.waitFor(5, TimeUnit.SECONDS);
                    }
                }
            } catch (Exception e) {
                first = keep(first, e);
            }
        }
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                first = keep(first, e);
            }
        }
        try {
            if (stack != null) {
                stack.close();
            }
        } catch (Exception e) {
            first = keep(first, e);
        }
        try {
            if (device != null) {
                device.close();
            }
        } catch (Exception e) {
            first = keep(first, e);
        }
        try {
            ns.close();
        } catch (Exception e) {
            first = keep(first, e);
        }
        if (first != null) {
            throw first;
        }
    }

    private static Exception keep(Exception first, Exception e) {
        if (first == null) {
            return e;
        }
        first.addSuppressed(e);
        return first;
    }
}
