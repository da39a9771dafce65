package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SYN attacks on a served port (issue 13, items 1 and 2), through two daemons: host A
 * (198.18.0.1, {@code --steer} B) and host B (198.18.0.2, {@code --serve 8080}, a kernel service
 * on 8080 that logs every connection it accepts), one veth between them. Crafted SYNs (scapy)
 * leave A's veth with spoofed sources in 198.18.128.0/17 and offer TCP-ENO (kind 253, ExID
 * 0x454E), so B's daemon takes them into its stack; nobody ever answers their SYN-ACKs.
 * Real clients are unmodified kernel sockets in A, carried by A's daemon. "Encrypted" means: the
 * same session ID on both daemons' netstat rows of the connection, both in phase encrypted.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SynAttackScenariosTest {
    private static final String A_ADDR = "198.18.0.1";
    private static final String B_ADDR = "198.18.0.2";
    private static final int PORT = 8080;
    private static final ObjectMapper JSON = new ObjectMapper();

    private VethHosts hosts;
    private TestNamespace a;
    private TestNamespace b;
    private Path dir;
    private final List<Daemon> daemons = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void hosts() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("nft", "nftables");
        Requirements.scapy();
        hosts = VethHosts.create("syna", "synb", A_ADDR + "/24", B_ADDR + "/24");
        a = hosts.a();
        b = hosts.b();
        dir = Files.createTempDirectory("synattack");
        Files.writeString(dir.resolve("backend.py"), BACKEND);
        Files.writeString(dir.resolve("clients.py"), CLIENTS);
        Files.writeString(dir.resolve("flood.py"), FLOOD);
        processes.add(start(b, "backend", Requirements.PYTHON3, dir.resolve("backend.py").toString(), B_ADDR,
                "" + PORT, dir.resolve("backend.log").toString()));
        awaitListener(b, PORT);
        // both daemons start at once (index 0 is B's, 1 is A's)
        daemons.add(Daemon.start(b.name(), "--tun", "tb0", "--tun-addr", "198.18.2.1/24", "--stack-addr", "198.18.2.2",
                "-u", dir.resolve("b.ctl").toString(), "--serve", "" + PORT, "--serve-on", "veb"));
        daemons.add(Daemon.start(a.name(), "--tun", "ta0", "--tun-addr", "198.18.1.1/24", "--stack-addr", "198.18.1.2",
                "-u", dir.resolve("a.ctl").toString(), "--steer", B_ADDR + "/32"));
        for (Daemon d : daemons) {
            d.awaitReady(Duration.ofSeconds(40));
        }
    }

    @AfterEach
    void cleanup() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Daemon d : daemons) {
            d.close();
        }
        if (hosts != null) {
            hosts.close();
        }
    }

    /**
     * (a) 300 SYNs offering ENO with MSS 0 at B's served port, then a real connection from A:
     * encrypted. Before the fix each such SYN left a half-open connection that nothing removed,
     * B's listener stayed in SYN-cookie mode, and the real connection went out in plaintext.
     */
    @Test
    void mssZeroEnoSynsThenARealConnectionIsEncrypted() throws Exception {
        Process flood = flood(300, 0, 1);
        assertThat(flood.waitFor(40, TimeUnit.SECONDS)).as("scapy sent its SYNs").isTrue();
        assertThat(flood.exitValue()).as(Files.readString(dir.resolve("flood.log"))).isZero();
        Thread.sleep(300); // B's stack has taken them all
        Process clients = clients(1, 0);
        Map<Integer, String> greeted = awaitClients(clients, 1, 30);
        assertEncrypted(greeted.keySet());
    }

    /**
     * (b) 10,000 spoofed SYNs offering ENO (random sources in 198.18.128.0/17) at B's served port
     * while real clients in A connect: every real client is encrypted (a SYN retransmission is
     * allowed), and B's service sees no connection for a SYN whose handshake never completed.
     */
    @Test
    void spoofedSynFloodDowngradesNoRealClientAndReachesNoBackend() throws Exception {
        int real = 8;
        Process flood = flood(10_000, 1460, 2);
        awaitLine(dir.resolve("flood.log"), "sending", 40);
        Process clients = clients(real, 150);
        Map<Integer, String> greeted = awaitClients(clients, real, 45);
        assertThat(flood.waitFor(40, TimeUnit.SECONDS)).as("scapy sent its SYNs").isTrue();
        assertThat(flood.exitValue()).as(Files.readString(dir.resolve("flood.log"))).isZero();
        assertEncrypted(greeted.keySet());
        Thread.sleep(500);
        List<String> peers = backendPeers();
        assertThat(peers).as("B's service accepted only the real clients' connections").hasSize(real);
        assertThat(peers).as("no backend connection from a spoofed source")
                .allSatisfy(p -> assertThat(p).isIn(A_ADDR, "198.18.2.2"));
    }

    // ------------------------------------------------------------------ helpers

    private Process start(TestNamespace ns, String name, String... cmd) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        argv.addAll(List.of(cmd));
        return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
    }

    /** {@code count} crafted ENO SYNs with MSS {@code mss} from spoofed sources, out of A's veth to B's MAC. */
    private Process flood(int count, int mss, int seed) throws Exception {
        String mac = b.run("cat", "/sys/class/net/veb/address").output().trim();
        Process p = start(a, "flood", Requirements.PYTHON3, dir.resolve("flood.py").toString(), "vea", mac, B_ADDR,
                "" + PORT, "" + count, "" + mss, "" + seed);
        processes.add(p);
        return p;
    }

    /** {@code n} kernel sockets in A connecting to B's served port, {@code gapMillis} apart, held open. */
    private Process clients(int n, int gapMillis) throws Exception {
        Process p = start(a, "clients", Requirements.PYTHON3, dir.resolve("clients.py").toString(), B_ADDR, "" + PORT,
                "" + n, "" + gapMillis, dir.resolve("release").toString());
        processes.add(p);
        return p;
    }

    /** The clients' local ports and greetings, once all {@code n} have been greeted by the service. */
    private Map<Integer, String> awaitClients(Process clients, int n, int seconds) throws Exception {
        Path log = dir.resolve("clients.log");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            Map<Integer, String> greeted = new HashMap<>();
            for (String line : Files.readAllLines(log)) {
                String[] f = line.trim().split(" ");
                if (f.length == 2 && f[1].equals("HELLO")) {
                    greeted.put(Integer.parseInt(f[0]), f[1]);
                }
            }
            if (greeted.size() == n) {
                return greeted;
            }
            if (!clients.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not every client was greeted: " + Files.readString(log) + "\nA's daemon:\n"
                + tail(daemons.get(1).log()) + "\nB's daemon:\n" + tail(daemons.get(0).log()));
    }

    /**
     * Each client's connection (by the local port of its kernel socket, whose address is A's
     * TUN address): encrypted in A's netstat, and B's netstat has one row with the same session
     * ID, encrypted too.
     */
    private void assertEncrypted(Iterable<Integer> ports) throws Exception {
        List<JsonNode> na = netstat(a, "a.ctl");
        List<JsonNode> nb = netstat(b, "b.ctl");
        for (int port : ports) {
            List<JsonNode> m = na.stream().filter(c -> c.get("local").asText().endsWith(":" + port)
                    && c.get("foreign").asText().equals(B_ADDR + ":" + PORT)).toList();
            assertThat(m).as("A's row of the client on port %d in %s", port, na).hasSize(1);
            JsonNode atA = m.get(0);
            assertThat(atA.get("phase").asText()).as("A: phase of %s", atA).isEqualTo("encrypted");
            String sid = atA.get("sid").asText();
            assertThat(sid).as("A: session ID of %s", atA).matches("[0-9A-F]{66}");
            JsonNode atB = one(nb, "sid", sid, "B's row with A's session ID of port " + port);
            assertThat(atB.get("phase").asText()).as("B: phase of %s", atB).isEqualTo("encrypted");
        }
    }

    /** The daemon's netstat rows (asked up to three times: the machine running the tests may be loaded). */
    private List<JsonNode> netstat(TestNamespace ns, String ctl) throws Exception {
        String out = "";
        int status = -1;
        for (int attempt = 0; attempt < 3 && status != 0; attempt++) {
            Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(),
                    Daemon.ROOT.resolve("bin/tuncrypt").toString(), "netstat", "-u", dir.resolve(ctl).toString(),
                    "--json", "--wide").redirectErrorStream(true).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            status = p.waitFor();
        }
        assertThat(status).as(out).isZero();
        List<JsonNode> list = new ArrayList<>();
        JSON.readTree(out).get("connections").forEach(list::add);
        return list;
    }

    private static JsonNode one(List<JsonNode> rows, String field, String value, String what) {
        List<JsonNode> m = rows.stream().filter(c -> c.get(field).asText().equals(value)).toList();
        assertThat(m).as("%s in netstat %s", what, rows).hasSize(1);
        return m.get(0);
    }

    /** The source address of every connection B's service accepted. */
    private List<String> backendPeers() throws Exception {
        return Files.readAllLines(dir.resolve("backend.log")).stream().filter(l -> l.startsWith("PEER "))
                .map(l -> l.split(" ")[1]).toList();
    }

    private static void awaitListener(TestNamespace ns, int port) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            if (ns.run("ss", "-ltn", "sport = :" + port).output().contains("LISTEN")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing listens on " + port);
    }

    private static void awaitLine(Path log, String text, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + text + "' in " + (Files.exists(log) ? Files.readString(log) : "(none)"));
    }

    private static String tail(String s) {
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }

    /** B's service: logs each accepted connection's source, greets it, holds it until the client closes. */
    private static final String BACKEND = """
            import socket, sys, threading
            addr, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            log = open(path, "a", buffering=1)
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, port))
            s.listen(4096)
            def serve(c):
                try:
                    c.sendall(b"HELLO\\n")
                    while c.recv(4096):
                        pass
                except OSError:
                    pass
                finally:
                    c.close()
            while True:
                c, peer = s.accept()
                log.write("PEER %s %d\\n" % peer)
                threading.Thread(target=serve, args=(c,), daemon=True).start()
            """;

    /** Real clients: connect one by one, print "localport HELLO" when greeted, hold until released. */
    private static final String CLIENTS = """
            import os, socket, sys, time
            host, port, n, gap, release = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
            held = []
            for i in range(n):
                s = socket.create_connection((host, port), timeout=40)
                data = b""
                while not data.endswith(b"\\n"):
                    chunk = s.recv(100)
                    if not chunk:
                        break
                    data += chunk
                print(s.getsockname()[1], data.decode().strip(), flush=True)
                held.append(s)
                time.sleep(gap / 1000.0)
            while not os.path.exists(release):
                time.sleep(0.2)
            """;

    /** Crafted SYNs offering TCP-ENO (kind 253, ExID 0x454E, RFC 6994) from spoofed sources. */
    private static final String FLOOD = """
            import random, sys
            from scapy.all import Ether, IP, TCP, sendp, conf
            iface, mac, dst, dport, count, mss, seed = sys.argv[1:8]
            conf.verb = 0
            r = random.Random(int(seed))
            eno = (253, b"\\x45\\x4e\\x21")
            pkts = [Ether(dst=mac) / IP(src="198.18.%d.%d" % (r.randint(128, 255), r.randint(1, 254)), dst=dst)
                    / TCP(sport=r.randint(1024, 65535), dport=int(dport), flags="S", seq=r.getrandbits(32),
                          options=[("MSS", int(mss)), eno])
                    for _ in range(int(count))]
            print("sending", len(pkts), flush=True)
            sendp(pkts, iface=iface, verbose=0)
            print("sent", flush=True)
            """;
}
