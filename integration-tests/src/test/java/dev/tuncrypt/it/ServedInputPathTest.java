package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * The served path ({@code --serve}) goes through the host's normal input path: host A (198.18.0.1)
 * steers B's address into its stack, host B (198.18.0.2) serves port 8080, and B's service is a
 * kernel socket that logs every client it accepts. B's stack opens leg 2 from the client's own
 * address only after leg 1's TCP and tcpcrypt handshakes are done, so B's nftables input rules
 * see the real client, the service logs it, and SYNs that never complete their handshake never
 * reach the service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServedInputPathTest {
    static final String A_ADDR = "198.18.0.1";
    static final String B_ADDR = "198.18.0.2";
    /** B's service: logs "CLIENT address port" per accepted connection, answers "HELLO " + what it read. */
    private static final String SERVICE = """
            import socket, sys
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], 8080))
            s.listen(512)
            print('LISTENING', flush=True)
            while True:
                c, a = s.accept()
                print('CLIENT', a[0], a[1], flush=True)
                c.settimeout(5)
                try:
                    c.sendall(b'HELLO ' + c.recv(100))
                except OSError:
                    pass
                c.close()
            """;
    /** A's client: prints what the service answered, or how the connection ended. */
    private static final String CLIENT = """
            import socket, sys
            c = socket.create_connection((sys.argv[1], 8080), timeout=15)
            try:
                c.sendall(b'ping')
                data = c.recv(100)
                print('ANSWER', data.decode() if data else '<eof>', flush=True)
            except OSError as e:
                print('FAILED', type(e).__name__, flush=True)
            """;

    private VethHosts hosts;
    private TestNamespace a;
    private TestNamespace b;
    private Path dir;
    private final List<Daemon> daemons = new ArrayList<>();
    private Process service;
    private Path serviceLog;

    /** One pair of hosts and daemons for the class (starting them is most of each test's time). */
    @BeforeAll
    void hostsAndDaemons() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("nft", "nftables");
        Requirements.scapy();
        hosts = VethHosts.create("sia", "sib", A_ADDR + "/24", B_ADDR + "/24");
        a = hosts.a();
        b = hosts.b();
        dir = Files.createTempDirectory("served");
        bothDaemons();
    }

    /** A fresh service (and log) for each test. */
    @BeforeEach
    void service(TestInfo test) throws Exception {
        serviceLog = dir.resolve(test.getTestMethod().orElseThrow().getName() + ".log");
        service = new ProcessBuilder("ip", "netns", "exec", b.name(), Requirements.PYTHON3, "-c", SERVICE, B_ADDR)
                .redirectErrorStream(true).redirectOutput(serviceLog.toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!serviceLog().contains("LISTENING")) {
            assertThat(System.nanoTime()).as("B's service did not start: %s", serviceLog()).isLessThan(end);
            Thread.sleep(50);
        }
    }

    @AfterEach
    void stopService() throws Exception {
        if (service != null) {
            service.destroyForcibly();
            service.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    void cleanup() throws Exception {
        for (Daemon d : daemons) {
            d.close();
        }
        if (hosts != null) {
            hosts.close();
        }
    }

    /** A steers B's address into its stack; B serves 8080 (leg 2 gives up after 3 s). */
    private void bothDaemons() throws Exception {
        Daemon da = start(a, "--tun", "ta0", "--tun-addr", "198.18.1.1/24", "--stack-addr", "198.18.1.2", "-u",
                dir.resolve("a.ctl").toString(), "--steer", B_ADDR + "/32");
        Daemon db = start(b, "--tun", "tb0", "--tun-addr", "198.18.2.1/24", "--stack-addr", "198.18.2.2", "-u",
                dir.resolve("b.ctl").toString(), "--serve", "8080", "--serve-on", "veb", "--connect-timeout", "3");
        da.awaitReady(Duration.ofSeconds(30));
        db.awaitReady(Duration.ofSeconds(30));
    }

    private Daemon start(TestNamespace ns, String... args) throws Exception {
        Daemon d = Daemon.start(ns.name(), args);
        daemons.add(d);
        return d;
    }

    private String serviceLog() throws Exception {
        return Files.readString(serviceLog);
    }

    /** The clients B's service accepted, one "address port" per connection. */
    private List<String> clients() throws Exception {
        return serviceLog().lines().filter(l -> l.startsWith("CLIENT ")).map(l -> l.substring(7)).toList();
    }

    /** A's unmodified client: what it printed. */
    private String client() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", a.name(), Requirements.PYTHON3, "-c", CLIENT, B_ADDR)
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** B's netstat: the rows of connections to its served port. */
    private String bNetstat() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", b.name(), Daemon.ROOT.resolve("bin/tuncrypt").toString(),
                "netstat", "-u", dir.resolve("b.ctl").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void theServiceSeesTheClientsOwnAddress() throws Exception {
        assertThat(client()).contains("ANSWER HELLO ping");
        // the connection was B's stack's (encrypted leg 1) ...
        assertThat(bNetstat()).containsPattern(B_ADDR + ":8080\\s+" + A_ADDR.replace(".", "\\.") + ":\\d+\\s+[0-9A-F]{66}");
        // ... and the service saw A, not the stack
        assertThat(clients()).hasSize(1);
        assertThat(clients().get(0)).startsWith(A_ADDR + " ");
    }

    @Test
    void anInputRuleDroppingTheClientDropsItsEncryptedConnectionToo() throws Exception {
        // B's own firewall: A may not reach port 8080
        b.run("nft", "add", "table", "inet", "fw");
        try {
            b.run("nft", "add", "chain", "inet", "fw", "input", "{ type filter hook input priority 0; policy accept; }");
            b.run("nft", "add", "rule", "inet", "fw", "input", "ip", "saddr", A_ADDR, "tcp", "dport", "8080", "counter",
                    "drop");
            String outcome = client();
            assertThat(outcome).doesNotContain("HELLO").containsAnyOf("FAILED", "ANSWER <eof>");
            assertThat(clients()).as(serviceLog()).isEmpty();
            // the rule saw leg 2 (from A's address): the stack's connection took the input path
            String rule = b.run("nft", "list", "chain", "inet", "fw", "input").output();
            Matcher m = Pattern.compile("counter packets (\\d+)").matcher(rule);
            assertThat(m.find()).as(rule).isTrue();
            assertThat(Long.parseLong(m.group(1))).as(rule).isPositive();
        } finally {
            b.run("nft", "delete", "table", "inet", "fw");
        }
    }

    @Test
    void synsThatNeverCompleteTheirHandshakeNeverReachTheService() throws Exception {
        // 300 ENO SYNs (tcpcrypt 0.5's option: kind 253, ExID 0x454E, TEP 0x21) from spoofed
        // neighbours that never answer B's SYN-ACK.
        Process scapy = new ProcessBuilder("ip", "netns", "exec", a.name(), Requirements.PYTHON3, "-c", """
                from scapy.all import *
                conf.verb = 0
                pkts = [Ether(dst=getmacbyip('%s'))/IP(src='198.18.0.%%d' %% (100 + i %% 100), dst='%s')
                        /TCP(sport=20000 + i, dport=8080, flags='S', seq=i * 7919,
                             options=[('MSS', 1460), (253, b'\\x45\\x4e\\x21')]) for i in range(300)]
                sendp(pkts, iface='vea')
                print('SENT', len(pkts), flush=True)
                """.formatted(B_ADDR, B_ADDR)).redirectErrorStream(true).start();
        assertThat(scapy.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String sent = new String(scapy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sent).contains("SENT 300");
        // they reached B's stack (the serving rule's counter) ...
        String served = b.run("nft", "list", "table", "netdev", "tuncrypt").output();
        Matcher diverted = Pattern.compile("counter packets (\\d+)").matcher(served);
        assertThat(diverted.find()).as(served).isTrue();
        assertThat(Long.parseLong(diverted.group(1))).as(served).isGreaterThanOrEqualTo(300);
        // ... and a real client afterwards still gets through, and is the only one the service saw
        assertThat(client()).contains("ANSWER HELLO ping");
        Thread.sleep(1000);
        assertThat(clients()).as(serviceLog()).hasSize(1);
        assertThat(clients().get(0)).startsWith(A_ADDR + " ");
    }
}
