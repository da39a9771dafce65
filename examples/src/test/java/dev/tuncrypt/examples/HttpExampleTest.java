package dev.tuncrypt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.client.ShortAuthString;
import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP example through real TUN devices in a namespace this test creates: against the
 * kernel's {@code python3 -m http.server} (plain TCP: the kernel has no tcpcrypt), and against
 * {@link HttpServe} on a second userspace stack (encrypted: the page the server sends names the
 * session and short authentication string it computed, and they equal the client's). The
 * program's {@code main} runs too, as a process, as a user would run it.
 *
 * <pre>
 * ns: HttpFetch 198.18.9.2  ─ tx0 ─ kernel 198.18.9.1 (python3 http.server :8000)
 *     HttpFetch 198.18.11.2 ─ tx1 ─ kernel 198.18.11.1 ─ forwards ─ 198.18.10.1 ─ ty0 ─ HttpServe 198.18.10.2:8080
 * </pre>
 */
class HttpExampleTest {
    private TestNamespace ns;
    private Path www;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void namespace() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("python3", "python3");
        ns = TestNamespace.create("opsh");
        ns.run("sysctl", "-qw", "net.ipv4.ip_forward=1");
        www = Files.createTempDirectory("www");
        Files.writeString(www.resolve("hello.txt"), "hello over a userspace stack\n");
    }

    @AfterEach
    void cleanup() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private EmbeddedStack stack(String tun, String kernel, String stack) throws Exception {
        EmbeddedStack s = ns.exec(() -> EmbeddedStack.open(tun, kernel, 24, stack));
        open.add(s);
        return s;
    }

    private void pythonServer(String address) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), "python3", "-m", "http.server", "--bind",
                address, "--directory", www.toString(), "8000").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p);
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!ns.run("ss", "-Hltn", "sport = :8000").output().contains("LISTEN")) {
            assertThat(p.isAlive()).as("python3 http.server exited").isTrue();
            assertThat(System.nanoTime() < end).as("python3 http.server listening within 20 s").isTrue();
            Thread.sleep(50);
        }
    }

    @Test
    void plainAgainstTheKernelsHttpServer() throws Exception {
        EmbeddedStack client = stack("tx0", "198.18.9.1", "198.18.9.2");
        pythonServer("198.18.9.1");
        HttpFetch.Response r = HttpFetch.fetch(client.stack(), URI.create("http://198.18.9.1:8000/hello.txt"),
                Duration.ofSeconds(10));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.statusLine()).startsWith("HTTP/1.0 200");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("hello over a userspace stack\n");
        assertThat(r.session()).as("the kernel does not speak tcpcrypt").isNull();
        assertThat(HttpFetch.describe(r.session())).contains("plain TCP");
        assertThat(client.tcpcrypt().fallbacks()).isEqualTo(1);
        HttpFetch.Response missing = HttpFetch.fetch(client.stack(), URI.create("http://198.18.9.1:8000/nothing"),
                Duration.ofSeconds(10));
        assertThat(missing.status()).isEqualTo(404);
    }

    @Test
    void encryptedAgainstAServerOnAnotherStackWithTheSameShortAuthString() throws Exception {
        EmbeddedStack server = stack("ty0", "198.18.10.1", "198.18.10.2");
        EmbeddedStack client = stack("tx1", "198.18.11.1", "198.18.11.2");
        HttpServe serve = HttpServe.start(server.stack(), 8080);
        open.add(serve);
        HttpFetch.Response r = HttpFetch.fetch(client.stack(), URI.create("http://198.18.10.2:8080/"),
                Duration.ofSeconds(10));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.session()).isNotNull();
        String sid = r.session().sessionId().toString();
        String sas = ShortAuthString.hexGroups(r.session().sessionId().bytes(), 4);
        assertThat(sas).matches("[0-9A-F]{4}(-[0-9A-F]{4}){3}");
        // what the server computed from its own end of the session
        assertThat(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo("tcpcrypt session " + sid + "\nshort authentication string: " + sas + "\n");
        assertThat(HttpFetch.describe(r.session())).contains(sid).contains(sas);
        assertThat(client.tcpcrypt().handshakes()).isEqualTo(1);
        assertThat(server.tcpcrypt().handshakes()).isEqualTo(1);
    }

    @Test
    void theProgramPrintsTheResponseAndWhetherItWasEncrypted() throws Exception {
        stack("tz0", "198.18.12.1", "198.18.12.2"); // python needs the address to bind to
        pythonServer("198.18.12.1");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), HttpFetch.class.getName(),
                "--tun", "tx2", "--tun-addr", "198.18.13.1/24", "--stack-addr", "198.18.13.2",
                "http://198.18.12.1:8000/hello.txt").start();
        processes.add(p);
        byte[] err = p.getErrorStream().readAllBytes();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String stderr = new String(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(stderr).isZero();
        assertThat(out).startsWith("HTTP/1.0 200 OK\r\n").endsWith("\r\n\r\nhello over a userspace stack\n");
        assertThat(stderr).contains("plain TCP: the server did not negotiate tcpcrypt");
    }
}
