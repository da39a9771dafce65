package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.KIB;
import static dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.STACK4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.tcp.TcpLayerCounters;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture;
import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture.Digest;
import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tun.Netns;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stack listener under stress from the kernel's side: a handshake whose SYN-ACK is lost (the
 * kernel retransmits its SYN to a half-open connection), and a SYN flood.
 *
 * <p>The flood: 10,000 SYNs crafted with scapy, random source ports, while real kernel clients
 * connect. Once the listener's half-open queue is full it answers with SYN cookies, and clients
 * that complete a cookie handshake get a working connection. The flood's source is the kernel's
 * own address, so the kernel would reset every SYN-ACK it did not ask for and empty the half-open
 * queue at once; an nftables rule drops those resets (only for the flood's source ports, below the
 * kernel's ephemeral range), which makes the flood behave like one from spoofed addresses that
 * never answer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KernelTcpListenerTest {
    static final int PORT = 5400;
    static final int FLOOD = 10_000;
    static final int FLOOD_RATE = 10_000; // SYNs per second
    static final int FLOOD_PORTS_LOW = 1024;
    static final int FLOOD_PORTS_HIGH = 29_999; // below ip_local_port_range (32768-60999)
    static final int CLIENTS = 20;

    private KernelPeerFixture f;
    private ExecutorService threads;
    private Path script;
    private Path floodLog;

    @BeforeEach
    void up() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("nft", "nftables");
        f = KernelPeerFixture.start("tclisten");
        threads = Executors.newVirtualThreadPerTaskExecutor();
        script = Files.createTempFile("synflood-", ".py");
        try (InputStream in = KernelTcpListenerTest.class.getResourceAsStream("synflood.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        floodLog = Files.createTempFile("synflood-", ".log");
    }

    @AfterEach
    void down() throws Exception {
        try {
            if (threads != null) {
                threads.shutdownNow();
            }
            if (f != null) {
                f.close();
            }
        } finally {
            if (script != null) {
                Files.deleteIfExists(script);
            }
            if (floodLog != null) {
                Files.deleteIfExists(floodLog);
            }
        }
    }

    /**
     * The stack's SYN-ACK is lost, so the kernel retransmits its SYN to the stack's half-open
     * (SYN-RECEIVED) connection; the handshake must still complete once SYN-ACKs get through.
     */
    @Test
    void handshakeCompletesWhenTheKernelRetransmitsItsSyn() throws Exception {
        int port = 5401;
        nft("add", "table", "inet", "tclisten");
        nft("add", "chain", "inet", "tclisten", "in", "{ type filter hook input priority 0; policy accept; }");
        nft("add", "rule", "inet", "tclisten", "in", "ip", "saddr", STACK4.getHostAddress(), "tcp", "sport",
                String.valueOf(port), "tcp", "flags", "&", "(syn", "|", "ack)", "==", "syn", "|", "ack", "counter",
                "drop");
        try (TcpListener listener = TcpListener.bind(f.stack(), port, 4)) {
            long synRetransBefore = f.kernelTcpCounters().getOrDefault("TcpExt.TCPSynRetrans", 0L);
            CompletableFuture<Socket> connect = KernelPeerFixture.async(
                    () -> f.kernelSocket(new InetSocketAddress(STACK4, port), Duration.ofSeconds(15)));
            f.await("the kernel to retransmit its SYN", Duration.ofSeconds(5),
                    () -> f.kernelTcpCounters().getOrDefault("TcpExt.TCPSynRetrans", 0L) > synRetransBefore);
            assertThat(nftDropped("in")).as("SYN-ACKs dropped").isPositive();
            nft("flush", "chain", "inet", "tclisten", "in"); // SYN-ACKs get through from now on

            Socket k;
            try {
                k = connect.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the kernel's connect did not complete within 10 s of the SYN-ACKs getting"
                        + " through\n" + f.diagnostics(), e);
            }
            TcpSocket s = listener.accept(Duration.ofSeconds(5));
            CompletableFuture<Void> echo = KernelPeerFixture.async(() -> echo(s));
            Digest sent = KernelPeerFixture.pump(k.getOutputStream(), 256 * KIB, 1);
            k.shutdownOutput();
            assertThat(KernelPeerFixture.drain(k.getInputStream())).isEqualTo(sent);
            echo.get(5, TimeUnit.SECONDS);
            k.close();
            KernelPeerFixture.awaitState(s, EnumSet.of(TcpState.CLOSED), Duration.ofSeconds(5));
            assertThat(s.error()).isNull();
        }
    }

    @Test
    void synFloodRealClientsGetThroughWithSynCookies() throws Exception {
        Requirements.scapy();
        nft("add", "table", "inet", "tclisten");
        nft("add", "chain", "inet", "tclisten", "out", "{ type filter hook output priority 0; policy accept; }");
        nft("add", "rule", "inet", "tclisten", "out", "ip", "daddr", STACK4.getHostAddress(), "tcp", "sport",
                FLOOD_PORTS_LOW + "-" + FLOOD_PORTS_HIGH, "tcp", "flags", "&", "rst", "!=", "0", "counter", "drop");

        try (TcpListener listener = TcpListener.bind(f.stack(), PORT, 64)) {
            Future<?> acceptor = threads.submit(() -> {
                while (true) {
                    TcpSocket s = listener.accept();
                    threads.submit(() -> echo(s));
                }
            });

            Process flood = f.spawn(floodLog, Requirements.PYTHON3, script.toString(), "198.18.7.1",
                    STACK4.getHostAddress(), String.valueOf(PORT), String.valueOf(FLOOD), String.valueOf(FLOOD_RATE),
                    String.valueOf(FLOOD_PORTS_LOW), String.valueOf(FLOOD_PORTS_HIGH));
            f.await("the stack to send SYN cookies", Duration.ofSeconds(15), () -> {
                if (!flood.isAlive() && flood.exitValue() != 0) {
                    throw new AssertionError("synflood.py failed: " + Files.readString(floodLog));
                }
                return f.onLoop(0, l -> l.counters().cookiesSent()) > 0;
            });

            // During the flood.
            boolean floodRunning = flood.isAlive();
            List<Long> during = clients(0);
            long cookiesDuring = f.onLoop(0, l -> l.counters().cookiesSent());

            assertThat(flood.waitFor(30, TimeUnit.SECONDS)).as("flood finished").isTrue();
            String log = Files.readString(floodLog);
            assertThat(flood.exitValue()).as("synflood.py: %s", log).isZero();
            assertThat(log).contains("sent " + FLOOD + " SYNs");

            // After the flood: the half-open queue is still full of its SYNs.
            List<Long> after = clients(CLIENTS);

            long[] c = f.onLoop(0, l -> {
                TcpLayerCounters k = l.counters();
                return new long[] {k.cookiesSent(), k.cookiesAccepted(), k.listenOverflows()};
            });
            long cookiesSent = c[0];
            long cookiesAccepted = c[1];
            long overflows = c[2];
            long rstsDropped = nftDropped("out");
            System.out.printf("flood: %s; running when the clients started: %s; cookies sent %d (%d when the first"
                    + " clients were done), accepted %d; listen overflows %d; kernel resets dropped %d; connect ms"
                    + " during %s, after %s%n", log.strip(), floodRunning, cookiesSent, cookiesDuring, cookiesAccepted,
                    overflows, rstsDropped, during, after);

            // A cookie for nearly every flood SYN beyond the half-open queue (256), and one for each real client.
            assertThat(cookiesSent).isGreaterThanOrEqualTo(FLOOD * 3L / 4);
            assertThat(cookiesAccepted).as("real clients that completed a cookie handshake").isEqualTo(2L * CLIENTS);
            assertThat(rstsDropped).as("kernel resets to the flood's SYN-ACKs, dropped").isGreaterThan(0);
            acceptor.cancel(true);
        }
    }

    /** {@link #CLIENTS} kernel clients at once, each a 64 KiB echo; returns their connect times in ms. */
    private List<Long> clients(int first) throws Exception {
        List<Future<Long>> results = new ArrayList<>();
        for (int i = first; i < first + CLIENTS; i++) {
            long seed = i;
            results.add(threads.submit(() -> {
                long start = System.nanoTime();
                try (Socket s = f.kernelSocket(new InetSocketAddress(STACK4, PORT), Duration.ofSeconds(5))) {
                    long connectMs = (System.nanoTime() - start) / 1_000_000;
                    OutputStream out = s.getOutputStream();
                    Future<Digest> sent = threads.submit(() -> {
                        Digest d = KernelPeerFixture.pump(out, 64 * KIB, seed);
                        s.shutdownOutput();
                        return d;
                    });
                    Digest echoed = KernelPeerFixture.drain(s.getInputStream());
                    assertThat(echoed).as("echo of client %d", seed).isEqualTo(sent.get(10, TimeUnit.SECONDS));
                    return connectMs;
                }
            }));
        }
        List<Long> times = new ArrayList<>();
        for (Future<Long> r : results) {
            times.add(r.get(30, TimeUnit.SECONDS));
        }
        return times;
    }

    private static Void echo(TcpSocket s) throws IOException {
        byte[] buf = new byte[16 * KIB];
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
        }
        s.close();
        return null;
    }

    private void nft(String... args) throws IOException {
        String[] argv = new String[args.length + 1];
        argv[0] = "nft";
        System.arraycopy(args, 0, argv, 1, args.length);
        Netns.Result r = f.ns().run(argv);
        assertThat(r.exitCode()).as("nft %s: %s", String.join(" ", args), r.output()).isZero();
    }

    private long nftDropped(String chain) throws IOException {
        Netns.Result r = f.ns().run("nft", "list", "chain", "inet", "tclisten", chain);
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(r.output());
        assertThat(m.find()).as("nft counter in: %s", r.output()).isTrue();
        return Long.parseLong(m.group(1));
    }
}
