package dev.tuncrypt.daemon.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.daemon.control.ConnectionView.Phase;
import dev.tuncrypt.daemon.metrics.StrictExpositionParser.Exposition;
import dev.tuncrypt.tcpcrypt.CryptMode;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpstack.DropReason;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.wire.WireError;
import dev.tuncrypt.tun.Clock;
import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.MemoryLink;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The metrics text is valid exposition format line by line (a strict parser of its own reads it)
 * and its values are the daemon's: connections from the control view, tcpcrypt counters from a
 * real handshake and a real fallback between two stacks, drops and resets from the stack.
 */
class DaemonMetricsTest {
    private static final InetAddress SERVER = InetAddress.ofLiteral("198.18.3.1");
    private static final InetAddress CLIENT = InetAddress.ofLiteral("198.18.3.2");

    @Test
    void connectionsByPhaseAndDialectWithEscapedLabels() {
        FakeControlTarget target = new FakeControlTarget()
                .add(Phase.ENCRYPTED, "tcpcrypt-0.5", 100, 200, 1)
                .add(Phase.ENCRYPTED, "tcpcrypt-0.5", 1_000, 2_000, 2)
                .add(Phase.HANDSHAKING, "tcpcrypt-0.5", 0, 0, 0)
                .add(Phase.PLAIN, "plain", 5, 6, 3)
                .add(Phase.PLAIN, "odd \"dia\\lect\"\nx", 0, 0, 0);
        MemoryLink.Pair link = MemoryLink.pair(Clock.SYSTEM, 1, FaultModel.NONE, FaultModel.NONE);
        try (NetStack stack = NetStack.builder().link(link.a()).address(SERVER).build()) {
            // counted by hand on the (not running) loop, as its handlers would
            stack.loop(0).counters().drop(DropReason.NOT_FOR_US);
            stack.loop(0).counters().drop(DropReason.NOT_FOR_US);
            stack.loop(0).counters().malformed(WireError.BAD_CHECKSUM);
            stack.loop(0).counters().countRx(60);
            stack.loop(0).counters().countTx(40);
            target.status = new dev.tuncrypt.daemon.control.ControlStatus("0.1.0", Duration.ofMillis(12_345), 7,
                    java.util.Map.of("splice_accepted", 12L, "splice_encrypted", 9L, "splice_plain", 2L,
                            "splice_refused", 1L, "splice_bytes_in", 4096L, "odd name \"x\"", 3L));
            Exposition e = StrictExpositionParser.parse(new DaemonMetrics(target, stack, null).scrape());
            // the splicer's counters are typed families; only names without one stay in tuncrypt_status
            assertThat(e.value("tuncrypt_splice_accepted_total")).isEqualTo(12);
            assertThat(e.value("tuncrypt_splice_outcomes_total", "outcome", "encrypted")).isEqualTo(9);
            assertThat(e.value("tuncrypt_splice_outcomes_total", "outcome", "plain")).isEqualTo(2);
            assertThat(e.value("tuncrypt_splice_outcomes_total", "outcome", "refused")).isEqualTo(1);
            assertThat(e.value("tuncrypt_splice_outcomes_total", "outcome", "connect_failed")).isZero();
            assertThat(e.value("tuncrypt_splice_bytes_total", "direction", "in")).isEqualTo(4096);
            assertThat(e.value("tuncrypt_splice_bytes_total", "direction", "out")).isZero();
            assertThat(e.types()).containsEntry("tuncrypt_splice_outcomes_total", "counter")
                    .containsEntry("tuncrypt_splice_bytes_total", "counter");
            assertThat(e.samples().keySet().stream().filter(s -> s.name().equals("tuncrypt_status")))
                    .as("only the name without a family").hasSize(1);
            assertThat(e.value("tuncrypt_status", "name", "odd name \"x\"")).isEqualTo(3);
            assertThat(e.types()).containsEntry("tuncrypt_status", "untyped");

            assertThat(e.value("tuncrypt_connections", "phase", "encrypted", "dialect", "tcpcrypt-0.5")).isEqualTo(2);
            assertThat(e.value("tuncrypt_connections", "phase", "handshaking", "dialect", "tcpcrypt-0.5")).isEqualTo(1);
            assertThat(e.value("tuncrypt_connections", "phase", "plain", "dialect", "tcpcrypt-0.5")).isZero();
            assertThat(e.value("tuncrypt_connections", "phase", "plain", "dialect", "plain")).isEqualTo(1);
            assertThat(e.value("tuncrypt_connections", "phase", "closed", "dialect", "plain")).isZero();
            assertThat(e.value("tuncrypt_connections", "phase", "encrypted", "dialect", "rfc8548")).isZero();
            assertThat(e.value("tuncrypt_connections", "phase", "plain", "dialect", "odd \"dia\\lect\"\nx")).isEqualTo(1);
            assertThat(e.value("tuncrypt_connection_bytes", "direction", "in")).isEqualTo(1_105);
            assertThat(e.value("tuncrypt_connection_bytes", "direction", "out")).isEqualTo(2_206);
            assertThat(e.value("tuncrypt_connection_retransmits")).isEqualTo(6);
            assertThat(e.value("tuncrypt_uptime_seconds")).isEqualTo(12.345);
            assertThat(e.value("tuncrypt_build_info", "version", "0.1.0")).isEqualTo(1);
            // the process and JVM families under their conventional names, with this process's values
            assertThat(e.types()).containsEntry("process_cpu_seconds_total", "counter")
                    .containsEntry("process_resident_memory_bytes", "gauge").containsEntry("jvm_memory_used_bytes", "gauge");
            assertThat(e.value("process_cpu_seconds_total")).isPositive();
            assertThat(e.value("process_resident_memory_bytes")).isGreaterThan(16 << 20);
            assertThat(e.value("process_open_fds")).isGreaterThan(2);
            assertThat(e.value("process_start_time_seconds")).isBetween(
                    System.currentTimeMillis() / 1000.0 - 3600, System.currentTimeMillis() / 1000.0);
            assertThat(e.value("jvm_memory_used_bytes", "area", "heap")).isPositive();
            assertThat(e.value("jvm_threads_current")).isGreaterThan(1);

            assertThat(e.value("tuncrypt_stack_drops_total", "reason", "not_for_us")).isEqualTo(2);
            assertThat(e.value("tuncrypt_stack_drops_total", "reason", "malformed")).isEqualTo(1);
            assertThat(e.value("tuncrypt_stack_drops_total", "reason", "memory_exhausted")).isZero();
            assertThat(e.value("tuncrypt_stack_malformed_total", "check", "bad_checksum")).isEqualTo(1);
            assertThat(e.value("tuncrypt_stack_bytes_total", "direction", "rx")).isEqualTo(60);
            assertThat(e.value("tuncrypt_stack_bytes_total", "direction", "tx")).isEqualTo(40);
            assertThat(e.value("tuncrypt_stack_packets_total", "direction", "rx")).isEqualTo(1);
            // every drop reason is a series, zero or not
            assertThat(e.samples().keySet().stream().filter(s -> s.name().equals("tuncrypt_stack_drops_total")))
                    .hasSize(DropReason.values().length);
            assertThat(e.types()).doesNotContainKey("tuncrypt_tcpcrypt_handshakes_total");
            assertThat(e.types()).containsEntry("tuncrypt_stack_drops_total", "counter")
                    .containsEntry("tuncrypt_connections", "gauge");
        }
    }

    @Test
    void tcpcryptAndStackCountersFromRealConnections() throws Exception {
        FakeControlTarget target = new FakeControlTarget();
        MemoryLink.Pair link = MemoryLink.pair(Clock.SYSTEM, 2, FaultModel.NONE, FaultModel.NONE);
        try (TcpCrypt serverCrypt = TcpCrypt.create(TcpCryptConfig.DEFAULT);
                TcpCrypt clientCrypt = TcpCrypt.create(TcpCryptConfig.DEFAULT);
                NetStack server = NetStack.builder().link(link.a()).address(SERVER)
                        .protection(serverCrypt.protections()).build();
                NetStack client = NetStack.builder().link(link.b()).address(CLIENT)
                        .protection(clientCrypt.protections()).build()) {
            server.start();
            client.start();
            try (TcpListener crypted = TcpListener.bind(server, 7000, 4);
                    TcpListener plain = TcpListener.open(server, 7001, false, 4, null,
                            serverCrypt.protections(TcpCryptConfig.DEFAULT.withMode(CryptMode.NEVER)))) {
                // one encrypted connection: a full handshake on both ends
                try (TcpSocket c = TcpSocket.connect(client, new InetSocketAddress(SERVER, 7000), Duration.ofSeconds(10));
                        TcpSocket s = crypted.accept(Duration.ofSeconds(10))) {
                    awaitHandshake(clientCrypt);
                    awaitHandshake(serverCrypt);
                }
                // one plain connection: the listener answers without ENO, the client falls back
                try (TcpSocket c = TcpSocket.connect(client, new InetSocketAddress(SERVER, 7001), Duration.ofSeconds(10));
                        TcpSocket s = plain.accept(Duration.ofSeconds(10))) {
                    assertThat(TcpCrypt.peerCapable(c)).isFalse();
                }
                // a closed port: the server drops the SYN (counted) and resets
                assertThatThrownBy(() -> TcpSocket.connect(client, new InetSocketAddress(SERVER, 7002),
                        Duration.ofSeconds(10))).isInstanceOf(ConnectException.class);
            }
            long rxBefore = server.counters().rxPackets();
            Exposition c = StrictExpositionParser.parse(new DaemonMetrics(target, client, clientCrypt).scrape());
            Exposition s = StrictExpositionParser.parse(new DaemonMetrics(target, server, serverCrypt).scrape());
            long rxAfter = server.counters().rxPackets();

            assertThat(c.value("tuncrypt_tcpcrypt_handshakes_total")).isEqualTo(1).isEqualTo(clientCrypt.handshakes());
            assertThat(s.value("tuncrypt_tcpcrypt_handshakes_total")).isEqualTo(1);
            assertThat(c.value("tuncrypt_tcpcrypt_resumptions_total")).isZero();
            assertThat(c.value("tuncrypt_tcpcrypt_fallbacks_total", "reason", "no_eno_option")).isEqualTo(1)
                    .isEqualTo(clientCrypt.fallbacks(EnoOutcome.Reason.NO_ENO_OPTION));
            assertThat(c.value("tuncrypt_tcpcrypt_fallbacks_total", "reason", "no_common_tep")).isZero();
            assertThat(c.value("tuncrypt_tcpcrypt_cached_sessions")).isEqualTo(7); // the control view's
            assertThat(c.value("tuncrypt_tcpcrypt_key_agreement_seconds_count")).isEqualTo(1);
            assertThat(c.value("tuncrypt_tcpcrypt_key_agreement_seconds_bucket", "le", "+Inf")).isEqualTo(1);
            assertThat(c.value("tuncrypt_tcpcrypt_key_agreement_seconds_sum"))
                    .isEqualTo(clientCrypt.keyAgreementLatency().sumNanos() / 1e9).isPositive();
            assertThat(c.value("tuncrypt_tcpcrypt_key_agreement_seconds_bucket", "le", "1")).isEqualTo(1);
            assertThat(c.types()).containsEntry("tuncrypt_tcpcrypt_key_agreement_seconds", "histogram");

            assertThat(s.value("tuncrypt_stack_drops_total", "reason", "tcp_no_listener"))
                    .isEqualTo(server.counters().drops(DropReason.TCP_NO_LISTENER)).isPositive();
            assertThat(s.value("tuncrypt_stack_resets_sent_total")).isEqualTo(server.counters().resetsSent()).isPositive();
            assertThat(s.value("tuncrypt_stack_packets_total", "direction", "rx")).isBetween((double) rxBefore, (double) rxAfter);
            assertThat(s.value("tuncrypt_tcp_protection_failures_total")).isZero();
        }
    }

    private static void awaitHandshake(TcpCrypt crypt) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (crypt.handshakes() == 0) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no handshake within 10 s");
            }
            Thread.sleep(1);
        }
    }

    @Test
    void writerRejectsWhatTheFormatForbids() {
        ExpositionWriter w = new ExpositionWriter();
        assertThatThrownBy(() -> w.family("bad-name", ExpositionWriter.Type.GAUGE, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        w.family("ok", ExpositionWriter.Type.GAUGE, "help with \\ and\nnewline");
        assertThatThrownBy(() -> w.sample(1, "__reserved", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.family("ok", ExpositionWriter.Type.GAUGE, "again"))
                .isInstanceOf(IllegalStateException.class);
        w.sample(3, "l", "a\"b");
        Exposition e = StrictExpositionParser.parse(w.text());
        assertThat(e.helps()).containsEntry("ok", "help with \\ and\nnewline");
        assertThat(e.value("ok", "l", "a\"b")).isEqualTo(3);
        assertThat(w.text()).contains("# HELP ok help with \\\\ and\\nnewline\n");
    }

    @Test
    void strictParserCatchesBrokenText() {
        assertThatThrownBy(() -> StrictExpositionParser.parse("x 1\n")).hasMessageContaining("before a TYPE");
        assertThatThrownBy(() -> StrictExpositionParser.parse("# TYPE x gauge\nx{a=\"1\"} one\n"))
                .hasMessageContaining("not a float");
        assertThatThrownBy(() -> StrictExpositionParser.parse("# TYPE x gauge\nx{a=\"\n\"} 1\n"))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> StrictExpositionParser.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
                + "h_bucket{le=\"+Inf\"} 1\nh_sum 0\nh_count 1\n")).hasMessageContaining("cumulative");
        assertThatThrownBy(() -> StrictExpositionParser.parse("# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx 2\n"))
                .isInstanceOf(AssertionError.class);
    }
}
