package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.it.harness.Capture;
import dev.tuncrypt.it.harness.Pcap;
import dev.tuncrypt.it.harness.Peer;
import dev.tuncrypt.it.harness.PeerLogs;
import dev.tuncrypt.it.harness.Service;
import dev.tuncrypt.it.harness.TwoPeers;
import dev.tuncrypt.tcpstack.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two hosts as containers on one Docker network: peer a (TUN subnet 198.18.1.0/24, stack at
 * .2) and peer b (198.18.2.0/24), each routing the other's TUN subnet via its address on the
 * network. Every test is one scenario; a failed one prints its peers' logs (PeerLogs) and
 * leaves inputs, outputs and captures under target/peers/TwoPeerScenariosTest/&lt;method&gt;/.
 */
@ExtendWith(PeerLogs.class)
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class TwoPeerScenariosTest {
    static final Pattern SESSION = Pattern.compile("tcpcrypt session ([0-9A-F]{66})");
    /** A SYN with TCP-ENO in either dialect: option kind 69 (rfc8548) or kind 253 with ExID 0x454E (tcpcrypt-0.5). */
    static final String ENO = "(tcp.options.experimental.exid == 0x454e || tcp.option_kind == 69)";
    static final String ENO_SYN = "tcp.flags.syn == 1 && tcp.flags.ack == 0 && " + ENO;
    /** The magic numbers that open Init1 and Init2, the same in both dialects (RFC 8548 §4.3, docs/tcpcrypt-0.5.md §3). */
    static final String INIT1 = "15:10:1a:0e";
    static final String INIT2 = "09:71:05:e0";

    private TwoPeers peers;

    @BeforeEach
    void peers(TestInfo info) throws Exception {
        Requirements.command("tshark", "tshark");
        peers = TwoPeers.start(info);
    }

    @AfterEach
    void stop() {
        if (peers != null) {
            peers.close();
        }
    }

    /**
     * Scenario 1, library mode: {@code tuncrypt nc} in each peer on its own TUN device; b
     * listens, a sends 16 MiB. Byte-exact (sha256), the same session ID at both ends, ENO in
     * a's SYN on b's wire, never the plaintext marker.
     */
    @Test
    void scenario1_libraryModeNcEncrypted16MiB() throws Exception {
        Peer a = peers.a;
        Peer b = peers.b;
        String marker = "PLAINTEXT-MARKER-5c3e";
        Path input = a.file("in");
        try (var w = Files.newBufferedWriter(input)) {
            long n = 0;
            for (int i = 0; n < 16 << 20; i++) {
                String line = marker + " " + i + "\n";
                w.write(line);
                n += line.length();
            }
        }
        Capture wire = b.capture("wire", "eth0", "tcp");
        Service server = b.tuncryptNc("nc-server", "tb0", null, "-l", "5000");
        awaitStack(a, b);
        Service client = a.tuncryptNc("nc-client", "ta0", "in", b.stackAddress(), "5000");
        assertThat(client.await(Duration.ofSeconds(120))).as("a: %s", client.err()).isZero();
        assertThat(server.await(Duration.ofSeconds(30))).as("b: %s", server.err()).isZero();
        Pcap pcap = wire.stop();

        assertThat(sha256(server.stdout())).as("sha256 of what b received").isEqualTo(sha256(input));
        String sid = session(client.err());
        assertThat(session(server.err())).as("b's session ID").isEqualTo(sid);
        assertThat(sid).startsWith("2"); // a full (not resumed) P-256/P-521 session: TEP 0x21/0x22
        assertThat(pcap.count(ENO_SYN)).as("SYNs with TCP-ENO on b's eth0").isEqualTo(1);
        // the capture saw the whole transfer: b acknowledged more than 16 MiB (frames add overhead)
        assertThat(maxAck(pcap, b.stackAddress())).as("highest ACK b sent").isGreaterThan(16L << 20);
        assertThat(pcap.containsBytes(marker)).as("plaintext marker on the wire").isFalse();
    }

    /**
     * Scenario 2, resumption: the library tool makes two connections in turn from one stack;
     * the second resumes the first one's session: a different session ID (TEP|0x80 prefix), the
     * same ID at both ends, and no Init1/Init2 on the wire for it.
     */
    @Test
    void scenario2_secondConnectionResumesWithNewSessionIdAndNoInitMessages() throws Exception {
        Peer a = peers.a;
        Peer b = peers.b;
        Capture wire = b.capture("wire", "eth0", "tcp");
        Service server = b.streamTool("serve", "tb0", "serve", "--port", "5001", "--conns", "2")
                .awaitOutput("listening", Duration.ofSeconds(60));
        Service client = a.streamTool("send", "ta0", "send", "--to", b.stackAddress() + ":5001", "--conns", "2",
                "--bytes", Integer.toString(2 << 20), "--parallel", "1");
        assertThat(client.await(Duration.ofSeconds(120))).as("a: %s%s", client.out(), client.err()).isZero();
        assertThat(server.await(Duration.ofSeconds(30))).as("b: %s%s", server.out(), server.err()).isZero();
        Pcap pcap = wire.stop();

        Map<Integer, Conn> sent = conns(client.out(), 2);
        Map<Integer, Conn> received = conns(server.out(), 2);
        checkSameStreams(sent, received);
        assertThat(sent.get(0).resumed).as("first connection resumed").isFalse();
        assertThat(sent.get(1).resumed).as("second connection resumed").isTrue();
        assertThat(received.get(1).resumed).as("b: second connection resumed").isTrue();
        assertThat(sent.get(1).sid).as("resumed session ID").isNotEqualTo(sent.get(0).sid).startsWith("A");
        assertThat(client.out()).contains("handshakes=1 resumptions=1");

        // on the wire: two connections, Init1 and Init2 only in the first
        List<String[]> syns = pcap.fields(ENO_SYN, "tcp.stream");
        assertThat(syns).as("SYNs with ENO").hasSize(2);
        String first = syns.get(0)[0];
        String second = syns.get(1)[0];
        assertThat(streams(pcap, "tcp.payload contains " + INIT1)).as("streams with Init1").containsExactly(first);
        assertThat(streams(pcap, "tcp.payload contains " + INIT2)).as("streams with Init2").containsExactly(first);
        assertThat(streams(pcap, "tcp.len > 0")).as("streams with data").contains(first, second);
    }

    /**
     * Scenario 3, one side plain: {@code tuncrypt nc} (default mode) in a against the kernel's
     * {@code nc -l} in b: a offers ENO, b's kernel ignores it, a falls back to plain TCP and the
     * data arrives intact.
     */
    @Test
    void scenario3_defaultModeAgainstPlainKernelPeerFallsBackToPlain() throws Exception {
        Peer a = peers.a;
        Peer b = peers.b;
        Path input = a.file("in");
        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        Files.write(input, data);
        Capture wire = b.capture("wire", "eth0", "tcp port 6000");
        Service kernel = b.start("kernel-nc", "nc", "-4", "-l", "6000");
        awaitListening(b, 6000);
        Service client = a.tuncryptNc("nc-client", "ta0", "in", "--crypt", "default", b.address(), "6000");
        assertThat(client.await(Duration.ofSeconds(60))).as("a: %s", client.err()).isZero();
        assertThat(kernel.await(Duration.ofSeconds(30))).as("b's nc: %s", kernel.err()).isZero();
        Pcap pcap = wire.stop();

        assertThat(client.err()).contains("plain TCP");
        assertThat(sha256(kernel.stdout())).as("sha256 of what b's kernel received").isEqualTo(sha256(input));
        assertThat(pcap.count(ENO_SYN)).as("a offered ENO").isEqualTo(1);
        assertThat(pcap.count("tcp.flags.syn == 1 && tcp.flags.ack == 1 && tcp.option_kind == 253"))
                .as("ENO in b's SYN-ACK").isZero();
    }

    /**
     * Scenario 4, require mode against a plain peer: {@code tuncrypt nc --crypt always} refuses
     * the kernel's listener promptly, exits 1 with a clear error and sends it no data.
     */
    @Test
    void scenario4_alwaysModeAgainstPlainPeerFailsPromptly() throws Exception {
        Peer a = peers.a;
        Peer b = peers.b;
        Files.writeString(a.file("in"), "must never arrive\n");
        Capture wire = b.capture("wire", "eth0", "tcp port 6001");
        Service kernel = b.start("kernel-nc", "nc", "-4", "-l", "6001");
        awaitListening(b, 6001);
        long start = System.nanoTime();
        Service client = a.tuncryptNc("nc-client", "ta0", "in", "--crypt", "always", b.address(), "6001");
        int rc = client.await(Duration.ofSeconds(60));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(rc).as("exit status; stderr: %s", client.err()).isEqualTo(1);
        assertThat(client.err()).contains("does not support the required encryption");
        // the JVM starts in ~1-2 s; the refusal itself comes with b's SYN-ACK
        assertThat(took).as("time to refuse").isLessThan(Duration.ofSeconds(15));
        kernel.stop(Duration.ofSeconds(5));
        Pcap pcap = wire.stop();
        assertThat(kernel.out()).as("what b's kernel received").isEmpty();
        assertThat(pcap.count(ENO_SYN)).as("a's SYN with ENO").isEqualTo(1);
        assertThat(pcap.count("tcp.len > 0")).as("data segments on the wire").isZero();
        // a answers b's SYN-ACK (no ENO) with a reset: b's kernel drops the half-open connection
        assertThat(pcap.count("tcp.flags.reset == 1 && ip.src == " + a.stackAddress())).as("a's RST").isEqualTo(1);
    }

    /**
     * Scenario 5, load: 200 concurrent connections from one stack to another carry 1 GiB in
     * all, every stream byte-exact (sha256 on both ends) and encrypted with the same session ID
     * at both ends.
     */
    @Test
    void scenario5_load200ConcurrentConnections1GiB() throws Exception {
        Peer a = peers.a;
        Peer b = peers.b;
        int conns = 200;
        long total = 1L << 30;
        Service server = b.streamTool("serve", "tb0", "serve", "--port", "5002", "--conns", Integer.toString(conns))
                .awaitOutput("listening", Duration.ofSeconds(60));
        long start = System.nanoTime();
        Service client = a.streamTool("send", "ta0", "send", "--to", b.stackAddress() + ":5002", "--conns",
                Integer.toString(conns), "--bytes", Long.toString(total), "--parallel", Integer.toString(conns));
        assertThat(client.await(Duration.ofMinutes(8))).as("a: %s%s", tail(client.out()), client.err()).isZero();
        assertThat(server.await(Duration.ofSeconds(60))).as("b: %s%s", tail(server.out()), server.err()).isZero();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("load: %d connections, %d bytes in %.1f s (%.0f Mbit/s incl. JVM start)%n", conns, total,
                seconds, total * 8 / seconds / 1e6);

        Map<Integer, Conn> sent = conns(client.out(), conns);
        Map<Integer, Conn> received = conns(server.out(), conns);
        checkSameStreams(sent, received);
        assertThat(sent.values().stream().mapToLong(c -> c.bytes).sum()).isEqualTo(total);
        assertThat(sent.values().stream().map(c -> c.sid).distinct().count()).as("distinct session IDs")
                .isEqualTo(conns);
    }

    /**
     * The daemon in a peer: {@code tuncryptd} in b on its TUN subnet answers a's ping across the
     * network and resets a's kernel TCP connect to a port nothing listens on; SIGTERM stops it
     * cleanly and its device is gone.
     */
    @Test
    void daemon_tuncryptdInPeerAnswersPingAndResetsAcrossTheNetwork() throws Exception {
        Peer a = peers.a;
        Peer b = peers.b;
        Service daemon = b.tuncryptd("--tun", "tb0", "--tun-addr", b.tunKernelCidr(), "--stack-addr", b.stackAddress());
        assertThat(a.exec("ping", "-c", "2", "-W", "2", b.stackAddress()).getExitCode()).as("ping b's stack").isZero();
        var refused = a.exec("nc", "-zv", "-w", "5", b.stackAddress(), "7");
        assertThat(refused.getExitCode()).as("connect to a closed port").isNotZero();
        assertThat(refused.getStderr()).contains("refused");
        assertThat(daemon.stop(Duration.ofSeconds(20))).as("exit status after SIGTERM; log: %s", daemon.err()).isZero();
        assertThat(b.exec("ip", "link", "show", "tb0").getExitCode()).as("tb0 after the daemon stopped").isNotZero();
    }

    // ---- helpers

    /** One line of StreamTool's output. */
    record Conn(int index, long bytes, String sha256, String sid, boolean resumed, String peer) {}

    static final Pattern CONN = Pattern.compile(
            "conn=(-?\\d+) bytes=(\\d+) sha256=([0-9a-f]{64}) sid=(\\S+) resumed=(true|false)(?: peer=(\\S+))?");

    static Map<Integer, Conn> conns(String output, int expected) {
        Map<Integer, Conn> m = new HashMap<>();
        for (String line : output.split("\n")) {
            Matcher x = CONN.matcher(line);
            if (x.matches()) {
                Conn c = new Conn(Integer.parseInt(x.group(1)), Long.parseLong(x.group(2)), x.group(3), x.group(4),
                        Boolean.parseBoolean(x.group(5)), x.group(6));
                assertThat(m.put(c.index, c)).as("connection %d reported twice", c.index).isNull();
            }
        }
        assertThat(m.keySet()).as("connections reported").hasSize(expected);
        return m;
    }

    /** Each stream arrived whole (length and sha256 on both ends) and both ends name one encrypted session. */
    static void checkSameStreams(Map<Integer, Conn> sent, Map<Integer, Conn> received) {
        assertThat(received.keySet()).isEqualTo(sent.keySet());
        for (Conn s : sent.values()) {
            Conn r = received.get(s.index);
            assertThat(r.bytes).as("bytes of connection %d", s.index).isEqualTo(s.bytes);
            assertThat(r.sha256).as("sha256 of connection %d", s.index).isEqualTo(s.sha256);
            assertThat(s.peer).as("b's answer on connection %d", s.index).isEqualTo(r.bytes + ":" + r.sha256);
            assertThat(s.sid).as("session of connection %d", s.index).isNotEqualTo("plain").isEqualTo(r.sid);
        }
    }

    /** Waits until a's ping reaches b's stack through both kernels (b's nc is up and routed). */
    static void awaitStack(Peer a, Peer b) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            if (a.exec("ping", "-c", "1", "-W", "1", b.stackAddress()).getExitCode() == 0) {
                Thread.sleep(300); // the stack answers pings once it runs; its listener follows at once
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("b's stack at " + b.stackAddress() + " never answered a's ping");
    }

    static void awaitListening(Peer p, int port) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!p.exec("ss", "-ltnH", "sport = :" + port).getStdout().contains("LISTEN")) {
            if (System.nanoTime() > end) {
                throw new AssertionError(p.name() + ": nothing listens on " + port);
            }
            Thread.sleep(50);
        }
    }

    static String session(String stderr) {
        Matcher m = SESSION.matcher(stderr);
        assertThat(m.find()).as("session ID in: %s", stderr).isTrue();
        return m.group(1);
    }

    static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The highest relative acknowledgment number {@code from} sent: how much of the stream it received. */
    static long maxAck(Pcap pcap, String from) throws IOException, InterruptedException {
        return pcap.fields("tcp.flags.ack == 1 && ip.src == " + from, "tcp.ack").stream()
                .mapToLong(r -> Long.parseLong(r[0])).max().orElse(0);
    }

    static TreeSet<String> streams(Pcap pcap, String filter) throws IOException, InterruptedException {
        return pcap.fields(filter, "tcp.stream").stream().map(r -> r[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    static String tail(String s) {
        return s.length() <= 3000 ? s : "..." + s.substring(s.length() - 3000);
    }
}
