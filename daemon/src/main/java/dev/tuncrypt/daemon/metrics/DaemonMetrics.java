package dev.tuncrypt.daemon.metrics;

import dev.tuncrypt.daemon.Version;
import dev.tuncrypt.daemon.control.ConnectionView;
import dev.tuncrypt.daemon.control.ControlStatus;
import dev.tuncrypt.daemon.control.ControlTarget;
import dev.tuncrypt.daemon.metrics.ExpositionWriter.Type;
import dev.tuncrypt.tcpcrypt.LatencyHistogram;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.v05.Tcpcrypt05;
import dev.tuncrypt.tcpstack.DropReason;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.StackCounters;
import dev.tuncrypt.tcpstack.tcp.OpenFailure;
import dev.tuncrypt.tcpstack.tcp.TcpLayerCounters;
import dev.tuncrypt.tcpstack.wire.WireError;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's metrics in the Prometheus text format: connections by phase and dialect (the
 * control view), tcpcrypt handshakes, resumptions, fallbacks by reason and key-agreement
 * latency ({@link TcpCrypt}), and the stack's packets, bytes and drops by reason
 * ({@link StackCounters}, {@link TcpLayerCounters}), and the daemon's own named counters
 * ({@link ControlStatus#counters()}). Every family is written on every scrape,
 * zero or not, so series never appear and vanish. Thread-safe: reads only snapshots.
 */
public final class DaemonMetrics {
    /** Dialects always written (as {@link ConnectionView.ConnectionDetails#dialect()} names them); others when seen. */
    private static final String[] DIALECTS = {Tcpcrypt05.DIALECT, "rfc8548", "plain"};

    private final ControlTarget target;
    private final NetStack stack;
    private final TcpCrypt crypt;

    /**
     * @param target the daemon's connections and status
     * @param stack the daemon's stack
     * @param crypt the daemon's tcpcrypt, or null when the daemon runs without it (its families
     *     are then left out)
     */
    public DaemonMetrics(ControlTarget target, NetStack stack, TcpCrypt crypt) {
        this.target = target;
        this.stack = stack;
        this.crypt = crypt;
    }

    /** One scrape: the whole exposition text. */
    public String scrape() {
        ExpositionWriter w = new ExpositionWriter();
        ControlStatus status = target.status();
        w.family("tuncrypt_build_info", Type.GAUGE, "Version of the running daemon (the value is always 1).")
                .sample(1, "version", Version.NUMBER);
        w.family("tuncrypt_uptime_seconds", Type.GAUGE, "Seconds since the daemon started.")
                .sample("", status.uptime().toMillis() / 1000.0);
        connections(w);
        splices(w, status.counters());
        Map<String, Long> rest = new TreeMap<>(status.counters());
        rest.keySet().removeAll(TYPED_STATUS);
        if (!rest.isEmpty()) {
            // named counters that have no family of their own yet, as 'tuncrypt status' shows them
            w.family("tuncrypt_status", Type.UNTYPED,
                    "The daemon's other named status counters, as 'tuncrypt status' shows them (name = counter).");
            rest.forEach((name, value) -> w.sample(value, "name", name));
        }
        if (crypt != null) {
            tcpcrypt(w, status);
        }
        stack(w);
        new ProcessMetrics(java.nio.file.Path.of("/proc/self")).write(w);
        return w.text();
    }

    /** Status counters written as typed families (by {@link #splices}, or already elsewhere). */
    private static final java.util.Set<String> TYPED_STATUS = java.util.Set.of("splice_accepted", "splice_encrypted",
            "splice_plain", "splice_refused", "splice_connect_failed", "splice_resets_propagated",
            "splice_idle_timeouts", "splice_bytes_in", "splice_bytes_out", "splice_pending", "splice_pending_refused",
            "tcpcrypt_handshakes",
            "tcpcrypt_resumptions", "tcpcrypt_fallbacks", "connections");

    /** The splicer's counters since start, as typed counter families (zero when the daemon has no splicer). */
    private static void splices(ExpositionWriter w, Map<String, Long> counters) {
        w.family("tuncrypt_splice_accepted_total", Type.COUNTER,
                "Connections the splicer accepted from the TUN device (steered or served), since start.")
                .sample(counters.getOrDefault("splice_accepted", 0L));
        w.family("tuncrypt_splice_outcomes_total", Type.COUNTER,
                "Spliced connections by outcome, since start; one per application connection (leg 1 + leg 2), counted"
                        + " once by the daemon that splices it, by its crypt leg: encrypted, plain, refused (tcpcrypt"
                        + " required but not negotiated, or a plain SYN to a served port), connect_failed (leg 2 could"
                        + " not be opened). tuncrypt netstat lists the same connections.");
        for (String outcome : new String[] {"encrypted", "plain", "refused", "connect_failed"}) {
            w.sample(counters.getOrDefault("splice_" + outcome, 0L), "outcome", outcome);
        }
        w.family("tuncrypt_splice_pending_connects", Type.GAUGE,
                "Leg 2 connects opened for a steered SYN whose client has not completed its handshake yet.")
                .sample(counters.getOrDefault("splice_pending", 0L));
        w.family("tuncrypt_splice_pending_refused_total", Type.COUNTER,
                "Steered SYNs refused because the bound on pending leg 2 connects was reached (global or per source).")
                .sample(counters.getOrDefault("splice_pending_refused", 0L));
        w.family("tuncrypt_splice_resets_propagated_total", Type.COUNTER,
                "Resets carried from one leg of a spliced connection to the other.")
                .sample(counters.getOrDefault("splice_resets_propagated", 0L));
        w.family("tuncrypt_splice_idle_timeouts_total", Type.COUNTER, "Spliced connections reset for being idle.")
                .sample(counters.getOrDefault("splice_idle_timeouts", 0L));
        w.family("tuncrypt_splice_bytes_total", Type.COUNTER,
                "Payload bytes carried by spliced connections since start: in = toward the local application,"
                        + " out = from it.")
                .sample(counters.getOrDefault("splice_bytes_in", 0L), "direction", "in")
                .sample(counters.getOrDefault("splice_bytes_out", 0L), "direction", "out");
    }

    private void connections(ExpositionWriter w) {
        Map<String, Map<ConnectionView.Phase, Long>> byDialect = new TreeMap<>();
        for (String d : DIALECTS) {
            byDialect.put(d, new EnumMap<>(ConnectionView.Phase.class));
        }
        long bytesIn = 0;
        long bytesOut = 0;
        long retransmits = 0;
        for (ConnectionView c : target.connections()) {
            ConnectionView.ConnectionDetails d = c.details();
            byDialect.computeIfAbsent(d.dialect(), k -> new EnumMap<>(ConnectionView.Phase.class))
                    .merge(c.phase(), 1L, Long::sum);
            bytesIn += d.bytesIn();
            bytesOut += d.bytesOut();
            retransmits += d.retransmits();
        }
        w.family("tuncrypt_connections", Type.GAUGE,
                "Connections the daemon carries now, by phase (handshaking, encrypted, plain, closed) and dialect.");
        byDialect.forEach((dialect, phases) -> {
            for (ConnectionView.Phase p : ConnectionView.Phase.values()) {
                w.sample(phases.getOrDefault(p, 0L), "phase", lower(p), "dialect", dialect);
            }
        });
        w.family("tuncrypt_connection_bytes", Type.GAUGE,
                "Payload bytes of the connections carried now: in = delivered to applications, out = sent by them"
                        + " (closed connections leave the sum).")
                .sample(bytesIn, "direction", "in")
                .sample(bytesOut, "direction", "out");
        w.family("tuncrypt_connection_retransmits", Type.GAUGE,
                "Segments retransmitted by the connections carried now (closed connections leave the sum).")
                .sample(retransmits);
    }

    private void tcpcrypt(ExpositionWriter w, ControlStatus status) {
        w.family("tuncrypt_tcpcrypt_handshakes_total", Type.COUNTER, "Full tcpcrypt key exchanges completed.")
                .sample(crypt.handshakes());
        w.family("tuncrypt_tcpcrypt_resumptions_total", Type.COUNTER, "tcpcrypt sessions resumed from the cache.")
                .sample(crypt.resumptions());
        w.family("tuncrypt_tcpcrypt_fallbacks_total", Type.COUNTER,
                "Connections left in plain TCP because TCP-ENO did not negotiate tcpcrypt, by reason.");
        for (EnoOutcome.Reason r : EnoOutcome.Reason.values()) {
            w.sample(crypt.fallbacks(r), "reason", lower(r));
        }
        w.family("tuncrypt_tcpcrypt_cached_sessions", Type.GAUGE, "Sessions in the resumption cache.")
                .sample(status.cachedSessions());
        LatencyHistogram.Snapshot h = crypt.keyAgreementLatency();
        w.family("tuncrypt_tcpcrypt_key_agreement_seconds", Type.HISTOGRAM,
                "Time from handing a peer's Init message to a worker until the keys are agreed (queueing included).");
        long[] bounds = h.boundsNanos();
        long[] cumulative = h.cumulativeCounts();
        for (int i = 0; i < bounds.length; i++) {
            w.sample("_bucket", cumulative[i], "le", ExpositionWriter.seconds(bounds[i]));
        }
        w.sample("_bucket", h.count(), "le", "+Inf");
        w.sample("_sum", h.sumNanos() / 1e9);
        w.sample("_count", h.count());
    }

    private void stack(ExpositionWriter w) {
        StackCounters c = stack.counters();
        w.family("tuncrypt_stack_packets_total", Type.COUNTER, "IP packets the stack read from (rx) or wrote to (tx) the TUN device.")
                .sample(c.rxPackets(), "direction", "rx")
                .sample(c.txPackets(), "direction", "tx");
        w.family("tuncrypt_stack_bytes_total", Type.COUNTER, "IP bytes the stack read from (rx) or wrote to (tx) the TUN device.")
                .sample(c.rxBytes(), "direction", "rx")
                .sample(c.txBytes(), "direction", "tx");
        w.family("tuncrypt_stack_drops_total", Type.COUNTER, "Inbound packets the stack dropped, by reason.");
        for (DropReason r : DropReason.values()) {
            w.sample(c.drops(r), "reason", lower(r));
        }
        w.family("tuncrypt_stack_malformed_total", Type.COUNTER,
                "Packets dropped as malformed, by the wire check they failed (a breakdown of drops reason=malformed).");
        for (WireError e : WireError.values()) {
            w.sample(c.malformedCount(e), "check", lower(e));
        }
        w.family("tuncrypt_stack_resets_sent_total", Type.COUNTER, "TCP resets sent for segments no connection took.")
                .sample(c.resetsSent());
        w.family("tuncrypt_stack_icmp_errors_sent_total", Type.COUNTER, "ICMP and ICMPv6 errors sent.")
                .sample(c.icmpErrorsSent());
        w.family("tuncrypt_stack_echo_replies_total", Type.COUNTER, "ICMP and ICMPv6 echo replies sent.")
                .sample(c.echoReplies());
        var memory = stack.memory();
        w.family("tuncrypt_memory_budget_bytes", Type.GAUGE, "The memory budget of the connections' buffers (--memory).")
                .sample(memory.limit());
        w.family("tuncrypt_memory_used_bytes", Type.GAUGE, "Bytes of connection buffers held now (in use or pooled).")
                .sample(memory.used());
        w.family("tuncrypt_memory_peak_bytes", Type.GAUGE, "Most bytes of connection buffers held at once.")
                .sample(memory.peak());
        w.family("tuncrypt_memory_refused_connections_total", Type.COUNTER,
                "New connections refused because the memory budget was nearly used up.")
                .sample(memory.refusedConnections());
        TcpTotals t = tcpTotals();
        w.family("tuncrypt_tcp_listen_overflows_total", Type.COUNTER, "SYNs dropped because an accept queue was full.")
                .sample(t.listenOverflows);
        w.family("tuncrypt_tcp_syn_cookies_sent_total", Type.COUNTER, "SYN-ACKs answered with a SYN cookie.")
                .sample(t.cookiesSent);
        w.family("tuncrypt_tcp_protection_failures_total", Type.COUNTER,
                "Connections reset because tcpcrypt failed on them (bad Init message, forged or corrupted frame).")
                .sample(t.protectionFailures);
        w.family("tuncrypt_tcp_refused_unprotected_total", Type.COUNTER,
                "Connections refused because tcpcrypt was required and the peer did not negotiate it.")
                .sample(t.refusedUnprotected);
        w.family("tuncrypt_tcp_open_failures_total", Type.COUNTER,
                "Connections whose creation failed (nothing of them kept), by stage.");
        for (OpenFailure f : OpenFailure.values()) {
            w.sample(t.openFailures[f.ordinal()], "stage", lower(f));
        }
        w.family("tuncrypt_tcp_syn_mss_raised_total", Type.COUNTER,
                "SYNs and SYN-ACKs whose MSS option was below 48 and was raised to 48.")
                .sample(t.synMssRaised);
        w.family("tuncrypt_tcp_syn_cache_evictions_total", Type.COUNTER,
                "Half-open connections given up for a SYN offering TCP-ENO in a full SYN cache (never a cookie for those).")
                .sample(t.synCacheEvictions, "victim", "oldest")
                .sample(t.synCacheSourceEvictions, "victim", "same_source");
    }

    /** Sums of the TCP layers' counters. */
    private static final class TcpTotals {
        long listenOverflows;
        long cookiesSent;
        long protectionFailures;
        long refusedUnprotected;
        long synMssRaised;
        long synCacheEvictions;
        long synCacheSourceEvictions;
        final long[] openFailures = new long[OpenFailure.values().length];

        void add(TcpLayerCounters c) {
            listenOverflows += c.listenOverflows();
            cookiesSent += c.cookiesSent();
            protectionFailures += c.protectionFailures();
            refusedUnprotected += c.refusedUnprotected();
            synMssRaised += c.synMssRaised();
            synCacheEvictions += c.synCacheEvictions();
            synCacheSourceEvictions += c.synCacheSourceEvictions();
            for (OpenFailure f : OpenFailure.values()) {
                openFailures[f.ordinal()] += c.openFailures(f);
            }
        }

        void add(TcpTotals o) {
            listenOverflows += o.listenOverflows;
            cookiesSent += o.cookiesSent;
            protectionFailures += o.protectionFailures;
            refusedUnprotected += o.refusedUnprotected;
            synMssRaised += o.synMssRaised;
            synCacheEvictions += o.synCacheEvictions;
            synCacheSourceEvictions += o.synCacheSourceEvictions;
            for (int i = 0; i < openFailures.length; i++) {
                openFailures[i] += o.openFailures[i];
            }
        }
    }

    /** Reads every loop's TCP counters on that loop (directly when the stack is not running). */
    private TcpTotals tcpTotals() {
        TcpTotals totals = new TcpTotals();
        for (int i = 0; i < stack.loopCount(); i++) {
            var layer = stack.tcp(i);
            if (!stack.isRunning()) {
                totals.add(layer.counters());
                continue;
            }
            CompletableFuture<TcpTotals> f = new CompletableFuture<>();
            stack.loop(i).post(() -> {
                TcpTotals one = new TcpTotals();
                one.add(layer.counters());
                f.complete(one);
            });
            try {
                totals.add(f.get(2, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading loop " + i + "'s counters", e);
            } catch (Exception e) {
                throw new IllegalStateException("stack loop " + i + " did not answer within 2 s", e);
            }
        }
        return totals;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
