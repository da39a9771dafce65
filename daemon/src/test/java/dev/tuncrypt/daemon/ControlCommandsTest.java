package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.client.ControlAddress;
import dev.tuncrypt.client.ShortAuthString;
import dev.tuncrypt.daemon.control.ConnectionView.Phase;
import dev.tuncrypt.daemon.control.ControlServer;
import dev.tuncrypt.daemon.control.FakeTarget;
import dev.tuncrypt.daemon.control.SocketPermissions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tuncrypt netstat / sid / status / flush against a control server with a fake target. */
class ControlCommandsTest {
    @TempDir
    Path dir;

    FakeTarget target;
    ControlServer server;
    String ctl;

    record Result(int status, String out, String err) {}

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = TuncryptMain.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(status, out.toString(), err.toString());
    }

    @BeforeEach
    void setUp() throws Exception {
        target = new FakeTarget();
        target.add(new FakeTarget.FakeView("198.18.0.1", 52774, "198.18.0.2", 7777, Phase.ENCRYPTED, 1, 0));
        target.add(new FakeTarget.FakeView("198.18.0.1", 52775, "198.18.0.3", 80, Phase.PLAIN, 2, 0));
        target.add(new FakeTarget.FakeView("2001:2::1", 40000, "2001:2::2", 443, Phase.ENCRYPTED, 3, 0));
        ctl = dir.resolve("ctl").toString();
        server = ControlServer.start(ControlAddress.parse(ctl), target, SocketPermissions.DEFAULT);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    static String hex(byte[] b) {
        return HexFormat.of().withUpperCase().formatHex(b);
    }

    @Test
    void netstatPrintsTcnetstatsTable() {
        Result r = run("netstat", "-u", ctl);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Local address\t\tForeign address\t\tSID\n"
                + "198.18.0.1:52774     \t198.18.0.2:7777      \t" + hex(FakeTarget.sid(1)) + "\n"
                + "[2001:2::1]:40000    \t[2001:2::2]:443      \t" + hex(FakeTarget.sid(3)) + "\n");
    }

    @Test
    @SuppressWarnings("unchecked")
    void netstatJsonIsValidAndCarriesEveryField() {
        Result r = run("netstat", "-u", ctl, "--json", "--wide");
        assertThat(r.status()).as(r.err()).isZero();
        Map<String, Object> doc = (Map<String, Object>) StrictJson.parse(r.out());
        List<Map<String, Object>> conns = (List<Map<String, Object>>) doc.get("connections");
        assertThat(conns).hasSize(3);
        Map<String, Object> first = conns.get(0);
        assertThat(first).containsEntry("local", "198.18.0.1:52774").containsEntry("foreign", "198.18.0.2:7777")
                .containsEntry("phase", "encrypted").containsEntry("sid", hex(FakeTarget.sid(1)))
                .containsEntry("tep", "ECDHE_P256").containsEntry("cipher", "AES_128_GCM")
                .containsEntry("srtt_us", 12_000L).containsEntry("cwnd_bytes", 14_480L)
                .containsEntry("retransmits", 2L).containsEntry("bytes_in", 1000L).containsEntry("bytes_out", 2000L)
                .containsEntry("age_ms", 42_000L).containsEntry("peer_app_aware", true);
        Map<String, Object> plain = conns.get(1);
        assertThat(plain).containsEntry("phase", "plain").containsEntry("sid", "")
                .containsEntry("plain_reason", "peer sent no ENO");
        // without --wide only encrypted connections, as in the table
        Map<String, Object> narrow = (Map<String, Object>) StrictJson.parse(run("netstat", "-u", ctl, "--json").out());
        assertThat((List<?>) narrow.get("connections")).hasSize(2);
    }

    @Test
    @SuppressWarnings("unchecked")
    void watchPrintsOneJsonDocumentPerLineUntilInterrupted() throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        int[] status = {-1};
        Thread t = new Thread(() -> status[0] = TuncryptMain.run(
                new String[] {"netstat", "-u", ctl, "--json", "--watch", "--interval", "0.05"},
                new PrintWriter(out, true), new PrintWriter(new StringWriter())));
        t.start();
        long until = System.nanoTime() + 10_000_000_000L;
        while (out.toString().lines().count() < 3 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        target.views.remove(0);
        long before = out.toString().lines().count();
        while (out.toString().lines().count() < before + 2 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        t.interrupt();
        t.join(5000);
        assertThat(t.isAlive()).isFalse();
        assertThat(status[0]).isEqualTo(1);
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.size()).isGreaterThanOrEqualTo(5);
        for (String line : lines) {
            assertThat(StrictJson.parse(line)).isInstanceOf(Map.class);
        }
        Map<String, Object> last = (Map<String, Object>) StrictJson.parse(lines.get(lines.size() - 1));
        assertThat((List<?>) last.get("connections")).hasSize(1);
        Map<String, Object> first = (Map<String, Object>) StrictJson.parse(lines.get(0));
        assertThat((List<?>) first.get("connections")).hasSize(2);
    }

    @Test
    void ipv6IsPrintedInRfc5952Form() throws Exception {
        for (String[] c : new String[][] {{"2001:db8:0:0:0:0:2:1", "2001:db8::2:1"}, {"0:0:0:0:0:0:0:1", "::1"},
                {"0:0:0:0:0:0:0:0", "::"}, {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
                {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"}, {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
                {"fe80:0:0:0:0:0:0:0", "fe80::"}}) {
            assertThat(NetstatCommand.ipv6(java.net.InetAddress.getByName(c[0]).getAddress())).isEqualTo(c[1]);
        }
    }

    @Test
    void jsonEscapesStrings() {
        String s = new JsonText().beginObject().member("a\"b", "line\nbreak\t\\ \u0001 \u00e9 \ud83d\ude00")
                .name("n").beginArray().value(1).value(-2).value(true).endArray().endObject().toString();
        assertThat(StrictJson.parse(s)).isEqualTo(Map.of("a\"b", "line\nbreak\t\\ \u0001 \u00e9 \ud83d\ude00",
                "n", List.of(1L, -2L, true)));
    }

    @Test
    void wideTableHasOneLinePerConnection() {
        Result r = run("netstat", "-u", ctl, "--wide");
        assertThat(r.status()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).startsWith("Local address").contains("Dialect", "TEP", "Cipher", "RTT(ms)", "cwnd",
                "Retx", "Bytes in", "Bytes out", "Age(s)");
        assertThat(lines[1]).contains("198.18.0.1:52774", "encrypted", "ESTABLISHED", "tcpcrypt-0.5", "ECDHE_P256",
                "12.0", "14480", hex(FakeTarget.sid(1)));
        assertThat(lines[2]).contains("plain", "peer sent no ENO");
    }

    @Test
    void sidPrintsTheSessionIdAndShortStrings() {
        Result r = run("sid", "-u", ctl, "198.18.0.1:52774", "198.18.0.2:7777", "--sas");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(hex(FakeTarget.sid(1)) + "\n"
                + "sas-hex   " + ShortAuthString.hexGroups(FakeTarget.sid(1), 4) + "\n"
                + "sas-words " + ShortAuthString.words(FakeTarget.sid(1), 5) + "\n");
        Result v6 = run("sid", "-u", ctl, "[2001:2::1]:40000", "[2001:2::2]:443");
        assertThat(v6.out().trim()).isEqualTo(hex(FakeTarget.sid(3)));
    }

    @Test
    void sidOfPlainOrUnknownConnectionFailsWithOneLine() {
        Result plain = run("sid", "-u", ctl, "198.18.0.1:52775", "198.18.0.3:80");
        assertThat(plain.status()).isEqualTo(1);
        assertThat(plain.err()).isEqualTo(
                "tuncrypt sid: connection 198.18.0.1:52775 -> 198.18.0.3:80 is not encrypted (plain: peer sent no ENO)\n");
        Result none = run("sid", "-u", ctl, "198.18.0.1:1", "198.18.0.3:80");
        assertThat(none.status()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("tuncrypt sid: no connection 198.18.0.1:1 -> 198.18.0.3:80\n");
        Result bad = run("sid", "-u", ctl, "nonsense", "198.18.0.3:80");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err().lines()).hasSize(1);
    }

    @Test
    void statusAndFlush() {
        Result s = run("status", "-u", ctl);
        assertThat(s.status()).as(s.err()).isZero();
        assertThat(s.out()).contains("tuncryptd 0.1.0-test, up 01:02:03, 7 cached sessions", "device: ta0 (created)",
                "  queues: 2", "routing:\n  steer 198.18.0.2/32", "peer: 198.18.0.2\n  dialect: rfc8548",
                "  latest handshake: ", "  connections: 2 open; since start 5 encrypted, 1 plain, 1 refused, 0 failed",
                "  transfer: 2.00 KiB received, 100 B sent", "handshakes", "control.requests");
        Result j = run("status", "-u", ctl, "--json");
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) StrictJson.parse(j.out());
        assertThat(doc).containsEntry("cached_sessions", 7L).containsEntry("uptime_ms", 3_723_000L);
        assertThat(doc.get("device")).isEqualTo(Map.of("device", "ta0 (created)", "queues", "2"));
        assertThat(doc.get("routing")).isEqualTo(List.of("steer 198.18.0.2/32"));
        assertThat(doc.get("peers").toString()).contains("address=198.18.0.2", "encrypted=5", "refused=1",
                "bytes_in=2048", "last_handshake_ms=1000");
        dev.tuncrypt.daemon.control.RootRequirement.require("flush needs root");
        Result f = run("flush", "-u", ctl);
        assertThat(f.status()).as(f.err()).isZero();
        assertThat(f.out()).isEqualTo("flushed 7 cached sessions\n");
        assertThat(target.flushes.get()).isEqualTo(1);
    }

    /** tuncrypt reload: the daemon's answer, exit 0 when applied, 1 (and the reason) when not. */
    @Test
    void reloadPrintsTheDaemonsAnswer() {
        Result none = run("reload", "-u", ctl);
        assertThat(none.status()).isEqualTo(1); // no reload handler (or not root): refused
        dev.tuncrypt.daemon.control.RootRequirement.require("reload needs root");
        java.util.concurrent.atomic.AtomicBoolean ok = new java.util.concurrent.atomic.AtomicBoolean(true);
        server.onReload(() -> java.util.concurrent.CompletableFuture.completedFuture(ok.get()
                ? new ControlServer.ReloadResult(true, "configuration reloaded: crypt default; routing: rules/routes +1 -1")
                : new ControlServer.ReloadResult(false, "reload: configuration not applied, the running one stays in force:"
                        + " --config /etc/t.conf line 8: --steer '198.18.5.0/33': prefix length must be 0-32")));
        Result r = run("reload", "-u", ctl);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("configuration reloaded: crypt default; routing: rules/routes +1 -1\n");
        ok.set(false);
        Result bad = run("reload", "-u", ctl);
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.out()).contains("--config /etc/t.conf line 8:");
    }

    @Test
    void missingDaemonIsOneClearLine() {
        for (String cmd : List.of("netstat", "status", "flush")) {
            Result r = run(cmd, "-u", dir.resolve("absent").toString());
            assertThat(r.status()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("tuncrypt " + cmd + ": tuncryptd is not running (nothing listens at "
                    + dir.resolve("absent") + ")\n");
        }
        Result bad = run("netstat", "-u", "nowhere");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).startsWith("tuncrypt: ").contains("control address must be").hasLineCount(1);
    }
}
