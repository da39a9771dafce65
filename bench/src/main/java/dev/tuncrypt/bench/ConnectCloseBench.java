package dev.tuncrypt.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connection set-up as an application sees it, over kernel sockets (run by {@code tools/bench-connect}
 * on either side of two tuncryptd, or of none): each client repeats connect, one byte each way,
 * close, for a while; the line printed has the connections per second and the median and 99th
 * percentile of one such round.
 *
 * <pre>
 * ConnectCloseBench server ADDRESS PORT
 * ConnectCloseBench client ADDRESS PORT CLIENTS SECONDS LABEL
 * </pre>
 *
 * The server reads the byte, answers one, and closes when the client has (so TIME-WAIT stays
 * with the client, as for most services).
 */
public final class ConnectCloseBench {
    private ConnectCloseBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("server")) {
            serve(new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])));
        } else if (args.length == 6 && args[0].equals("client")) {
            run(new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])),
                    Integer.parseInt(args[3]), Double.parseDouble(args[4]), args[5]);
        } else {
            System.err.println("usage: ConnectCloseBench server ADDRESS PORT | client ADDRESS PORT CLIENTS SECONDS LABEL");
            System.exit(2);
        }
    }

    private static void serve(InetSocketAddress at) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(at, 4096);
            System.out.println("listening");
            System.out.flush();
            while (true) {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> answer(s));
            }
        }
    }

    private static void answer(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            if (in.read() < 0) {
                return;
            }
            s.getOutputStream().write('b');
            while (in.read() >= 0) {
                // until the client closes
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void run(InetSocketAddress server, int clients, double seconds, String label) throws Exception {
        once(server);
        // warm-up, as long as the measurement: the JIT of both daemons, the route, the first keys
        rounds(server, clients, seconds, new AtomicLong());
        AtomicLong failures = new AtomicLong();
        long start = System.nanoTime();
        List<long[]> times = rounds(server, clients, seconds, failures);
        double elapsed = (System.nanoTime() - start) / 1e9;
        report(label, times, elapsed, failures.get());
    }

    /** Each of {@code clients} threads repeats {@link #once} for {@code seconds}; their round times. */
    private static List<long[]> rounds(InetSocketAddress server, int clients, double seconds, AtomicLong failures)
            throws InterruptedException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<long[]> times = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            long[] mine = new long[1 << 20];
            times.add(mine);
            threads.add(Thread.ofPlatform().start(() -> {
                int n = 0;
                while (System.nanoTime() < end && n < mine.length) {
                    long t0 = System.nanoTime();
                    try {
                        once(server);
                        mine[n++] = System.nanoTime() - t0;
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    }
                }
                mine[mine.length - 1] = n; // count kept in the last slot
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return times;
    }

    private static void report(String label, List<long[]> times, double elapsed, long failed) {
        int total = 0;
        for (long[] t : times) {
            total += (int) t[t.length - 1];
        }
        long[] all = new long[total];
        int k = 0;
        for (long[] t : times) {
            int n = (int) t[t.length - 1];
            System.arraycopy(t, 0, all, k, n);
            k += n;
        }
        Arrays.sort(all);
        if (total == 0) {
            System.out.printf("%s: no connection completed (%d failed)%n", label, failed);
            return;
        }
        int slow = 0; // rounds of a second or more: the signature of a lost or ignored SYN, retransmitted after 1 s
        for (long t : all) {
            slow += t >= 1_000_000_000L ? 1 : 0;
        }
        System.out.printf("%s: %,.0f connections/s, median %.3f ms, p99 %.3f ms, max %.3f ms (%d connections, %d of 1 s or more%s)%n",
                label, total / elapsed, all[total / 2] / 1e6, all[Math.min(total - 1, (int) (total * 0.99))] / 1e6,
                all[total - 1] / 1e6, total, slow, failed > 0 ? ", " + failed + " failed" : "");
    }

    /** Connect, one byte each way, close. */
    private static void once(InetSocketAddress server) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(server, 10_000);
            OutputStream out = s.getOutputStream();
            out.write('a');
            if (s.getInputStream().read() < 0) {
                throw new IOException("closed before the answer");
            }
        }
    }
}
