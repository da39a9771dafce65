package dev.tuncrypt.daemon;

import dev.tuncrypt.client.ControlClient;
import dev.tuncrypt.client.ControlException;
import dev.tuncrypt.client.wire.ConnectionRecord;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tuncrypt netstat}: tcnetstat's table of encrypted connections, or every connection with
 * transport details ({@code --wide}), as text or JSON.
 */
@Command(
        name = "netstat",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        description = {
            "Lists encrypted connections and their session IDs (as tcnetstat does).",
            "--wide lists every connection with its state, dialect, TEP, cipher, RTT, congestion",
            "window, retransmits, bytes and age.",
            ""
        },
        footer = {"", "Exit status: 0 on success; 1 if the daemon is not there or refuses; 2 for a bad command line."})
final class NetstatCommand extends ControlCommand {
    @Option(names = "--wide", description = "Every connection (also plain and handshaking ones) with details.")
    boolean wide;

    @Option(names = "--json", description = "JSON: {\"connections\":[...]}; with --watch one document per line.")
    boolean json;

    @Option(names = "--watch", description = "Repeat until interrupted.")
    boolean watch;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1",
            description = "Seconds between listings with --watch (default: ${DEFAULT-VALUE}).")
    double interval;

    @Override
    int run(ControlClient client, PrintWriter out) throws ControlException, UsageException, InterruptedException {
        if (interval <= 0 || interval > 86_400) {
            throw new UsageException("--interval must be between 0 and 86400 seconds");
        }
        while (true) {
            List<ConnectionRecord> all = client.netstatWide();
            List<ConnectionRecord> shown = wide ? all : all.stream().filter(ConnectionRecord::isEncrypted).toList();
            if (json) {
                out.println(json(shown));
            } else if (wide) {
                printWide(out, shown);
            } else {
                printTcnetstat(out, shown);
            }
            out.flush();
            if (!watch) {
                return 0;
            }
            Thread.sleep(Duration.ofMillis((long) (interval * 1000)));
            if (!json) {
                out.println();
            }
        }
    }

    /** ip:port; IPv6 in brackets and in RFC 5952's text form (2001:2::1). */
    static String endpoint(InetSocketAddress a) {
        if (a.getAddress() instanceof Inet6Address v6) {
            return "[" + ipv6(v6.getAddress()) + "]:" + a.getPort();
        }
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** RFC 5952 section 4: lower-case hex, no leading zeros, the longest run (2+) of zero groups as "::". */
    static String ipv6(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) { // RFC 5952 4.2.3: the first of equally long runs
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    /** tcnetstat's format (util/tcnetstat.c): a tab-separated header, then %-21s\t%-21s\t and the SID. */
    static void printTcnetstat(PrintWriter out, List<ConnectionRecord> records) {
        out.print("Local address\t\tForeign address\t\tSID\n");
        for (ConnectionRecord r : records) {
            out.print(String.format("%-21s\t%-21s\t%s%n", endpoint(r.local()), endpoint(r.remote()), r.sessionIdHex())
                    .replace(System.lineSeparator(), "\n"));
        }
    }

    static void printWide(PrintWriter out, List<ConnectionRecord> records) {
        String fmt = "%-23s %-23s %-11s %-12s %-12s %-12s %-11s %8s %9s %6s %10s %10s %8s %s\n";
        out.print(String.format(fmt, "Local address", "Foreign address", "Phase", "State", "Dialect", "TEP", "Cipher",
                "RTT(ms)", "cwnd", "Retx", "Bytes in", "Bytes out", "Age(s)", "SID / reason"));
        for (ConnectionRecord r : records) {
            String last = r.isEncrypted() ? r.sessionIdHex() : r.plainReason();
            out.print(String.format(fmt, endpoint(r.local()), endpoint(r.remote()), r.phase().name().toLowerCase(),
                    r.state(), r.dialect(), dash(r.tep()), dash(r.cipher()),
                    String.format("%.1f", r.srttMicros() / 1000.0), r.cwndBytes(), r.retransmits(), r.bytesIn(),
                    r.bytesOut(), r.ageMillis() / 1000, dash(last)));
        }
    }

    private static String dash(String s) {
        return s.isEmpty() ? "-" : s;
    }

    static String json(List<ConnectionRecord> records) {
        JsonText j = new JsonText().beginObject().name("connections").beginArray();
        for (ConnectionRecord r : records) {
            j.beginObject()
                    .member("local", endpoint(r.local()))
                    .member("foreign", endpoint(r.remote()))
                    .member("phase", r.phase().name().toLowerCase())
                    .member("sid", r.sessionIdHex())
                    .member("state", r.state())
                    .member("dialect", r.dialect())
                    .member("tep", r.tep())
                    .member("cipher", r.cipher())
                    .member("resumed", r.resumed())
                    .member("peer_app_aware", r.peerAppAware())
                    .member("plain_reason", r.plainReason())
                    .member("owner_uid", r.ownerUid())
                    .member("srtt_us", r.srttMicros())
                    .member("cwnd_bytes", r.cwndBytes())
                    .member("retransmits", r.retransmits())
                    .member("bytes_in", r.bytesIn())
                    .member("bytes_out", r.bytesOut())
                    .member("age_ms", r.ageMillis())
                    .endObject();
        }
        return j.endArray().endObject().toString();
    }
}
