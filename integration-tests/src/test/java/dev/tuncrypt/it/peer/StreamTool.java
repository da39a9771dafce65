package dev.tuncrypt.it.peer;

import dev.tuncrypt.tcpcrypt.CryptMode;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tun.TunConfig;
import dev.tuncrypt.tun.TunDevice;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many streams over the library's own stack on a TUN device, for the two-peer tests: what
 * {@code tuncrypt nc} cannot do (several connections in one process, so a second one can resume
 * the first one's session; hundreds at once).
 *
 * <pre>
 * serve --tun NAME --tun-addr A/P --stack-addr S --port N --conns K [--crypt MODE]
 * send  --tun NAME --tun-addr A/P --stack-addr S --to HOST:PORT --conns K --bytes TOTAL
 *       [--parallel P] [--crypt MODE]
 * </pre>
 *
 * The sender's connection {@code i} carries {@code i} (4 bytes, big-endian) followed by
 * pseudo-random bytes seeded by {@code i}; {@code TOTAL} is spread over the connections. The
 * server reads each stream to its end, answers {@code "<bytes> <sha256>\n"} and closes. Both
 * print one line per connection:
 * {@code conn=<i> bytes=<n> sha256=<hex> sid=<hex|plain> resumed=<bool> [peer=<bytes> <sha256>]}
 * so the test compares the two sides itself. Exit status 0 when every connection completed.
 */
public final class StreamTool {
    private static final int CHUNK = 64 * 1024;

    private StreamTool() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parse(args);
        String mode = args.length > 0 ? args[0] : "";
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        CryptMode crypt = CryptMode.valueOf(opt.getOrDefault("crypt", "default").toUpperCase(Locale.ROOT));
        String[] tunAddr = opt.get("tun-addr").split("/");
        TunDevice device = TunDevice.open(TunConfig.of(opt.get("tun")));
        int status;
        try (TcpCrypt tcpcrypt = TcpCrypt.create(TcpCryptConfig.DEFAULT.withMode(crypt))) {
            device.addAddress(InetAddress.getByName(tunAddr[0]), Integer.parseInt(tunAddr[1]));
            device.setUp(true);
            NetStack stack = NetStack.builder().link(device.queue(0))
                    .address(InetAddress.getByName(opt.get("stack-addr")))
                    .protection(tcpcrypt.protections()).build();
            stack.start();
            try {
                status = switch (mode) {
                    case "serve" -> serve(stack, opt, out);
                    case "send" -> send(stack, opt, out);
                    default -> {
                        System.err.println("stream-tool: first argument must be serve or send");
                        yield 2;
                    }
                };
                out.println("handshakes=" + tcpcrypt.handshakes() + " resumptions=" + tcpcrypt.resumptions()
                        + " fallbacks=" + tcpcrypt.fallbacks());
            } finally {
                stack.close();
            }
        } finally {
            device.close();
        }
        System.exit(status);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value at '" + args[i] + "'");
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        return m;
    }

    private static int serve(NetStack stack, Map<String, String> opt, PrintStream out) throws Exception {
        int conns = Integer.parseInt(opt.get("conns"));
        AtomicInteger failed = new AtomicInteger();
        try (TcpListener listener = TcpListener.bind(stack, Integer.parseInt(opt.get("port")), 1024);
                ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("conn-", 0).factory())) {
            out.println("listening");
            List<Future<?>> done = new ArrayList<>();
            for (int k = 0; k < conns; k++) {
                TcpSocket s = listener.accept(Duration.ofSeconds(120));
                done.add(pool.submit(() -> {
                    try {
                        serveOne(s, out);
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        out.println("error " + e);
                        s.abort();
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.MINUTES);
            }
        }
        return failed.get() == 0 ? 0 : 1;
    }

    private static void serveOne(TcpSocket s, PrintStream out) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        InputStream in = s.getInputStream();
        byte[] buf = new byte[CHUNK];
        long total = 0;
        int index = -1;
        byte[] head = new byte[4];
        int headLen = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            sha.update(buf, 0, n);
            for (int i = 0; i < n && headLen < 4; i++) {
                head[headLen++] = buf[i];
            }
            total += n;
        }
        if (headLen == 4) {
            index = ByteBuffer.wrap(head).getInt();
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        String sid = session(s);
        OutputStream o = s.getOutputStream();
        o.write((total + " " + digest + "\n").getBytes(StandardCharsets.US_ASCII));
        s.shutdownOutput();
        out.println("conn=" + index + " bytes=" + total + " sha256=" + digest + " " + sid);
        s.close();
    }

    private static int send(NetStack stack, Map<String, String> opt, PrintStream out) throws Exception {
        int conns = Integer.parseInt(opt.get("conns"));
        long total = Long.parseLong(opt.get("bytes"));
        int parallel = Integer.parseInt(opt.getOrDefault("parallel", Integer.toString(conns)));
        String[] to = opt.get("to").split(":");
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(to[0]), Integer.parseInt(to[1]));
        AtomicInteger failed = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(parallel, Thread.ofPlatform().name("send-", 0).factory())) {
            List<Future<?>> done = new ArrayList<>();
            for (int k = 0; k < conns; k++) {
                int index = k;
                long bytes = total / conns + (k < total % conns ? 1 : 0);
                done.add(pool.submit(() -> {
                    try {
                        sendOne(stack, remote, index, bytes, out);
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        out.println("error conn=" + index + " " + e);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.MINUTES);
            }
        }
        return failed.get() == 0 ? 0 : 1;
    }

    private static void sendOne(NetStack stack, InetSocketAddress remote, int index, long bytes, PrintStream out)
            throws IOException, NoSuchAlgorithmException {
        TcpSocket s = TcpSocket.connect(stack, remote, Duration.ofSeconds(30));
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            SplittableRandom random = new SplittableRandom(index);
            OutputStream o = s.getOutputStream();
            byte[] buf = new byte[CHUNK];
            long left = bytes;
            boolean first = true;
            while (left > 0) {
                random.nextBytes(buf);
                if (first) {
                    ByteBuffer.wrap(buf).putInt(index);
                    first = false;
                }
                int n = (int) Math.min(buf.length, left);
                sha.update(buf, 0, n);
                o.write(buf, 0, n);
                left -= n;
            }
            s.shutdownOutput();
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            out.println("conn=" + index + " bytes=" + bytes + " sha256=" + HexFormat.of().formatHex(sha.digest()) + " "
                    + session(s) + " peer=" + reply.replace(' ', ':'));
        } finally {
            s.close();
        }
    }

    /** {@code sid=<hex> resumed=<bool>} or {@code sid=plain resumed=false}, as the socket reports it. */
    private static String session(TcpSocket s) {
        long end = System.nanoTime() + 5_000_000_000L;
        TcpCryptInfo info;
        while ((info = TcpCrypt.info(s)) == null && TcpCrypt.peerCapable(s) && System.nanoTime() < end) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return info == null ? "sid=plain resumed=false" : "sid=" + info.sessionId() + " resumed=" + info.resumed();
    }
}
