package dev.tuncrypt.daemon.perf;

import dev.tuncrypt.daemon.perf.PerfTransport.Connection;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * {@code tuncrypt perf -s}: accepts connections until stopped and serves each test of
 * {@link PerfProtocol} on its own thread, printing one line per served stream (none for the
 * connect test, whose connections are counted by the client).
 */
final class PerfServer {
    private final PerfTransport transport;
    private final PrintWriter out;
    private final int port;

    PerfServer(PerfTransport transport, int port, PrintWriter out) {
        this.transport = transport;
        this.port = port;
        this.out = out;
    }

    /** Serves until the process is stopped or accepting fails. */
    void run() throws IOException {
        try (PerfTransport.Acceptor acceptor = transport.listen(port)) {
            line("Server listening on " + port + " (" + transport.name() + ")");
            while (true) {
                Connection c = acceptor.accept();
                Thread.ofPlatform().name("perf-serve").daemon(true).start(() -> serve(c));
            }
        }
    }

    private void serve(Connection c) {
        try (c) {
            DataInputStream in = new DataInputStream(c.in());
            OutputStream o = c.out();
            int test = in.read();
            if (test < 0) {
                return;
            }
            switch ((byte) test) {
                case PerfProtocol.CONNECT -> {
                    o.write(1);
                    o.flush();
                }
                case PerfProtocol.SEND -> {
                    long start = System.nanoTime();
                    long n = PerfProtocol.drain(in, new byte[128 * 1024]);
                    DataOutputStream d = new DataOutputStream(o);
                    d.writeLong(n);
                    d.flush();
                    report(c, "received", n, System.nanoTime() - start);
                    awaitEof(in);
                }
                case PerfProtocol.RECEIVE, PerfProtocol.BIDIR -> sendFor(c, in, o, test == PerfProtocol.BIDIR);
                case PerfProtocol.ECHO -> echo(c, in, o);
                default -> line("unknown test byte " + test + " from " + Addresses.text(c.remote()));
            }
        } catch (IOException e) {
            line("connection from " + Addresses.text(c.remote()) + ": " + e.getMessage());
        }
    }

    private void sendFor(Connection c, DataInputStream in, OutputStream o, boolean alsoRead) throws IOException {
        int millis = in.readInt();
        int size = PerfProtocol.readSize(in);
        long start = System.nanoTime();
        long[] received = new long[1];
        Thread reader = null;
        if (alsoRead) {
            reader = Thread.ofPlatform().name("perf-read").daemon(true).start(() -> {
                try {
                    received[0] = PerfProtocol.drain(in, new byte[128 * 1024]);
                } catch (IOException e) {
                    // the writer reports the failure
                }
            });
        }
        long sent = PerfProtocol.fill(o, new byte[size], start + Duration.ofMillis(millis).toNanos());
        c.shutdownOutput();
        if (reader != null) {
            join(reader);
            report(c, "received", received[0], System.nanoTime() - start);
        } else {
            awaitEof(in);
        }
        report(c, "sent", sent, System.nanoTime() - start);
    }

    private void echo(Connection c, DataInputStream in, OutputStream o) throws IOException {
        c.noDelay();
        byte[] msg = new byte[PerfProtocol.readSize(in)];
        long count = 0;
        while (PerfProtocol.readFully(in, msg)) {
            o.write(msg);
            o.flush();
            count++;
        }
        line("[" + Addresses.text(c.remote()) + "] echoed " + count + " round trips; "
                + c.security(Duration.ZERO).describe());
    }

    private void report(Connection c, String what, long bytes, long nanos) {
        line("[" + Addresses.text(c.remote()) + "] " + what + " " + Units.bytes(bytes) + " in "
                + String.format("%.2f", nanos / 1e9) + " s = " + Units.bitrate(bytes, nanos) + "; "
                + c.security(Duration.ZERO).describe());
    }

    /** Waits for the client's FIN so this side's close does not reset data still in flight. */
    private static void awaitEof(InputStream in) throws IOException {
        PerfProtocol.drain(in, new byte[4096]);
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void line(String s) {
        out.println(s);
        out.flush();
    }
}
