package dev.tuncrypt.it.peer;

import dev.tuncrypt.client.ControlAddress;
import dev.tuncrypt.client.ControlClient;
import dev.tuncrypt.client.ControlException;
import dev.tuncrypt.client.wire.ConnectionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link StreamTool}'s streams over the kernel's own sockets ({@code java.net.Socket}), for the
 * daemon scenarios: an unmodified JVM application whose connections tuncryptd splices. With
 * {@code --control PATH} each end asks the daemon for its socket's tcpcrypt session through the
 * client library ({@link ControlClient#session(Socket)}), as libtcpcrypt's
 * {@code tcpcrypt_getsessid} does.
 *
 * <pre>
 * serve --bind ADDR --port N --conns K [--control PATH]
 * send  --to HOST:PORT --conns K --bytes TOTAL [--parallel P] [--control PATH] [--hold FILE]
 *       [--ramp-ms MS]
 * </pre>
 *
 * Output lines as {@link StreamTool}'s:
 * {@code conn=<i> bytes=<n> sha256=<hex> sid=<hex|plain|-> resumed=<bool> [peer=<bytes>:<sha256>]}
 ({@code -} without {@code --control}; each end asks once its stream has crossed), and on the
 * sender, as soon as a connection is up, {@code connected conn=<i> local=<ip:port>
 * remote=<ip:port>}. With {@code --hold FILE} each sender connection waits after that line until
 * FILE exists before it sends (the test inspects the open connection meanwhile). With
 * {@code --ramp-ms} the connections start that many milliseconds apart. Exit status 0
 * when every connection completed.
 */
public final class KernelStreams {
    private static final int CHUNK = 64 * 1024;

    private KernelStreams() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parse(args);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        int status = switch (args.length > 0 ? args[0] : "") {
            case "serve" -> serve(opt, out);
            case "send" -> send(opt, out);
            default -> {
                System.err.println("kernel-streams: first argument must be serve or send");
                yield 2;
            }
        };
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

    private static int serve(Map<String, String> opt, PrintStream out) throws Exception {
        int conns = Integer.parseInt(opt.get("conns"));
        String control = opt.get("control");
        AtomicInteger failed = new AtomicInteger();
        try (ServerSocket listener = new ServerSocket()) {
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getByName(opt.get("bind")), Integer.parseInt(opt.get("port"))),
                    1024);
            listener.setSoTimeout(120_000);
            out.println("listening");
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> done = new ArrayList<>();
                for (int k = 0; k < conns; k++) {
                    Socket s = listener.accept();
                    done.add(pool.submit(() -> {
                        try (s) {
                            serveOne(s, control, out);
                        } catch (Exception e) {
                            failed.incrementAndGet();
                            out.println("error " + e);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(10, TimeUnit.MINUTES);
                }
            }
        }
        return failed.get() == 0 ? 0 : 1;
    }

    private static void serveOne(Socket s, String control, PrintStream out) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        InputStream in = s.getInputStream();
        byte[] buf = new byte[CHUNK];
        long total = 0;
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
        // asked once the stream has arrived: a served connection's local service accepts as soon
        // as the daemon's clear leg is up, before the encrypted leg has finished its handshake
        String sid = session(s, control);
        int index = headLen == 4 ? ByteBuffer.wrap(head).getInt() : -1;
        String digest = HexFormat.of().formatHex(sha.digest());
        OutputStream o = s.getOutputStream();
        o.write((total + " " + digest + "\n").getBytes(StandardCharsets.US_ASCII));
        s.shutdownOutput();
        out.println("conn=" + index + " bytes=" + total + " sha256=" + digest + " " + sid);
    }

    private static int send(Map<String, String> opt, PrintStream out) throws Exception {
        int conns = Integer.parseInt(opt.get("conns"));
        long total = Long.parseLong(opt.get("bytes"));
        int parallel = Integer.parseInt(opt.getOrDefault("parallel", Integer.toString(conns)));
        String control = opt.get("control");
        Path hold = opt.containsKey("hold") ? Path.of(opt.get("hold")) : null;
        long rampMillis = Long.parseLong(opt.getOrDefault("ramp-ms", "0"));
        String[] to = opt.get("to").split(":");
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(to[0]), Integer.parseInt(to[1]));
        AtomicInteger failed = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(parallel, Thread.ofPlatform().name("send-", 0).factory())) {
            List<Future<?>> done = new ArrayList<>();
            for (int k = 0; k < conns; k++) {
                int index = k;
                long bytes = total / conns + (k < total % conns ? 1 : 0);
                if (k > 0 && rampMillis > 0) {
                    Thread.sleep(rampMillis);
                }
                done.add(pool.submit(() -> {
                    try {
                        sendOne(remote, index, bytes, control, hold, out);
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

    private static void sendOne(InetSocketAddress remote, int index, long bytes, String control, Path hold,
            PrintStream out) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(remote, 30_000);
            out.println("connected conn=" + index + " local=" + hostPort(s.getLocalSocketAddress()) + " remote="
                    + hostPort(s.getRemoteSocketAddress()));
            while (hold != null && !Files.exists(hold)) {
                Thread.sleep(20);
            }
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
            // asked once the streams have crossed: right after connect() returns, the daemon may not
            // have registered the connection yet (docs/testing.md, known gaps)
            String sid = session(s, control);
            out.println("conn=" + index + " bytes=" + bytes + " sha256=" + HexFormat.of().formatHex(sha.digest()) + " "
                    + sid + " peer=" + reply.replace(' ', ':'));
        }
    }

    private static String hostPort(java.net.SocketAddress a) {
        InetSocketAddress i = (InetSocketAddress) a;
        return i.getAddress().getHostAddress() + ":" + i.getPort();
    }

    /**
     * {@code sid=<hex> resumed=<bool> phase=<phase> dialect=<name>} as the daemon reports the
     * socket's connection; {@code sid=plain ...} when it runs in the clear; {@code sid=- ...}
     * without a control socket.
     */
    private static String session(Socket s, String control) throws ControlException {
        if (control == null) {
            return "sid=- resumed=false";
        }
        try (ControlClient c = ControlClient.open(new ControlAddress.UnixPath(Path.of(control)), Duration.ofSeconds(10))) {
            ConnectionRecord r = c.session(s);
            // an ended connection (phase closed) keeps its session ID while the daemon still lists it
            return "sid=" + (r.sessionId().length > 0 ? r.sessionIdHex() : "plain") + " resumed=" + r.resumed() + " phase="
                    + r.phase().name().toLowerCase() + " dialect=" + r.dialect();
        }
    }
}
