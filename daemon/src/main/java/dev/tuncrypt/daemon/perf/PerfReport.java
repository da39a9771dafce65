package dev.tuncrypt.daemon.perf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tuncrypt.daemon.perf.PerfResults.ConnectRate;
import dev.tuncrypt.daemon.perf.PerfResults.Rtt;
import dev.tuncrypt.daemon.perf.PerfResults.Stream;
import dev.tuncrypt.daemon.perf.PerfResults.Throughput;
import dev.tuncrypt.daemon.perf.PerfTransport.Security;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A client run's results as iperf3-like text or as JSON ({@code --json}). */
final class PerfReport {
    private final String transport;
    private final String remote;
    private Security security;
    private Throughput throughput;
    private Rtt rtt;
    private ConnectRate connectRate;

    PerfReport(String transport, String remote) {
        this.transport = transport;
        this.remote = remote;
    }

    void security(Security s) {
        this.security = s;
    }

    void throughput(Throughput t) {
        this.throughput = t;
    }

    void rtt(Rtt r) {
        this.rtt = r;
    }

    void connectRate(ConnectRate c) {
        this.connectRate = c;
    }

    String text() {
        StringBuilder b = new StringBuilder();
        b.append("Connecting to ").append(remote).append(" through the ").append(transport)
                .append(transport.equals("stack") ? " (own TUN device)" : " (plain sockets)").append('\n');
        if (security != null) {
            b.append("Security: ").append(security.describe()).append('\n');
        }
        if (throughput != null) {
            b.append("Throughput (").append(throughput.direction()).append("):\n");
            b.append("[ ID] Interval           Transfer     Bitrate\n");
            for (Stream s : throughput.streams()) {
                b.append(throughputLine(String.format(Locale.ROOT, "[%3d]", s.id()), s.bytesSent(), s.bytesReceived(), s.nanos()));
            }
            if (throughput.streams().size() > 1) {
                b.append(throughputLine("[SUM]", throughput.sent(), throughput.received(), throughput.nanos()));
            }
        }
        if (rtt != null) {
            b.append(String.format(Locale.ROOT,
                    "RTT: %d round trips of %d byte%s: median %.1f us, p99 %.1f us (min %.1f, max %.1f)%n",
                    rtt.count(), rtt.size(), rtt.size() == 1 ? "" : "s", rtt.medianNanos() / 1e3,
                    rtt.p99Nanos() / 1e3, rtt.minNanos() / 1e3, rtt.maxNanos() / 1e3));
        }
        if (connectRate != null) {
            b.append(String.format(Locale.ROOT,
                    "Connections: %d in %.2f s = %.1f connections/s (connect, 1 byte each way, close);"
                    + " each took median %.1f us, p99 %.1f us, max %.1f us%s%n",
                    connectRate.count(), connectRate.nanos() / 1e9, connectRate.perSecond(),
                    connectRate.medianNanos() / 1e3, connectRate.p99Nanos() / 1e3, connectRate.maxNanos() / 1e3,
                    connectRate.failed() > 0 ? "; " + connectRate.failed() + " failed" : ""));
        }
        return b.toString();
    }

    private static String throughputLine(String id, long sent, long received, long nanos) {
        StringBuilder b = new StringBuilder();
        String interval = String.format(Locale.ROOT, "0.00-%.2f sec", nanos / 1e9);
        if (sent > 0 || received == 0) {
            b.append(String.format(Locale.ROOT, "%s %-18s %-12s %-16s sender%n", id, interval, Units.bytes(sent),
                    Units.bitrate(sent, nanos)));
        }
        if (received > 0) {
            b.append(String.format(Locale.ROOT, "%s %-18s %-12s %-16s receiver%n", id, interval, Units.bytes(received),
                    Units.bitrate(received, nanos)));
        }
        return b.toString();
    }

    String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("remote", remote);
        root.put("transport", transport);
        if (security != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("kind", security.kind());
            s.put("dialect", security.dialect());
            s.put("session_id", security.sessionId());
            s.put("tep", security.tep());
            s.put("cipher", security.cipher());
            root.put("security", s);
        }
        if (throughput != null) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("direction", throughput.direction());
            List<Object> streams = new ArrayList<>();
            for (Stream s : throughput.streams()) {
                streams.add(streamJson(s.id(), s.bytesSent(), s.bytesReceived(), s.nanos()));
            }
            t.put("streams", streams);
            t.put("sum", streamJson(0, throughput.sent(), throughput.received(), throughput.nanos()));
            root.put("throughput", t);
        }
        if (rtt != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("size", rtt.size());
            r.put("count", rtt.count());
            r.put("seconds", rtt.nanos() / 1e9);
            r.put("min_us", rtt.minNanos() / 1e3);
            r.put("median_us", rtt.medianNanos() / 1e3);
            r.put("p99_us", rtt.p99Nanos() / 1e3);
            r.put("max_us", rtt.maxNanos() / 1e3);
            root.put("rtt", r);
        }
        if (connectRate != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("count", connectRate.count());
            c.put("failed", connectRate.failed());
            c.put("seconds", connectRate.nanos() / 1e9);
            c.put("per_second", connectRate.perSecond());
            c.put("median_us", connectRate.medianNanos() / 1e3);
            c.put("p99_us", connectRate.p99Nanos() / 1e3);
            c.put("max_us", connectRate.maxNanos() / 1e3);
            root.put("connect", c);
        }
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // maps of strings and numbers always serialize
        }
    }

    private static Map<String, Object> streamJson(int id, long sent, long received, long nanos) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (id > 0) {
            m.put("id", id);
        }
        m.put("seconds", nanos / 1e9);
        m.put("bytes_sent", sent);
        m.put("bytes_received", received);
        m.put("bits_per_second_sent", Units.bitsPerSecond(sent, nanos));
        m.put("bits_per_second_received", Units.bitsPerSecond(received, nanos));
        return m;
    }
}
