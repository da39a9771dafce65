package dev.tuncrypt.daemon;

import dev.tuncrypt.client.ControlClient;
import dev.tuncrypt.client.ControlException;
import dev.tuncrypt.client.ShortAuthString;
import dev.tuncrypt.client.wire.ConnectionRecord;
import dev.tuncrypt.client.wire.Errno;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tuncrypt sid LOCAL REMOTE}: one connection's session ID. */
@Command(
        name = "sid",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        description = {
            "Prints one connection's tcpcrypt session ID.",
            "The connection is the one from LOCAL to REMOTE as the application's socket sees them",
            "(ADDRESS:PORT, IPv6 as [ADDRESS]:PORT); the ID is upper-case hex. Waits while its",
            "handshake runs.",
            ""
        },
        footer = {"", "Exit status: 0 with a session ID; 1 if the connection is unknown or not encrypted, or the",
            "daemon is not there; 2 for a bad command line."})
final class SidCommand extends ControlCommand {
    @Parameters(index = "0", paramLabel = "LOCAL", description = "The application socket's address and port.")
    String local;

    @Parameters(index = "1", paramLabel = "REMOTE", description = "Its peer's address and port.")
    String remote;

    @Option(names = "--sas", description = "Also print short authentication strings (hex groups and words) "
            + "to read to the peer.")
    boolean sas;

    @Override
    int run(ControlClient client, PrintWriter out) throws ControlException, UsageException {
        InetSocketAddress l = parse(local);
        InetSocketAddress r = parse(remote);
        ConnectionRecord c;
        try {
            c = client.connection(l, r);
        } catch (ControlException e) {
            if (e.kind() == ControlException.Kind.REFUSED && e.errno() == Errno.ENOENT) {
                throw new ControlException(e.kind(), e.errno(), "no connection " + local + " -> " + remote, e);
            }
            throw e;
        }
        if (!c.isEncrypted()) {
            spec.commandLine().getErr().println("tuncrypt sid: connection " + local + " -> " + remote
                    + " is not encrypted (" + c.phase().name().toLowerCase()
                    + (c.plainReason().isEmpty() ? "" : ": " + c.plainReason()) + ")");
            return 1;
        }
        out.println(c.sessionIdHex());
        if (sas) {
            out.println("sas-hex   " + ShortAuthString.hexGroups(c.sessionId(), 4));
            out.println("sas-words " + ShortAuthString.words(c.sessionId(), 5));
        }
        return 0;
    }

    /** ADDRESS:PORT or [IPV6]:PORT, literals only. */
    static InetSocketAddress parse(String s) throws UsageException {
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf("]:");
            if (close < 0) {
                throw new UsageException("expected [IPV6]:PORT: " + s);
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0 || s.indexOf(':') != colon) {
                throw new UsageException("expected ADDRESS:PORT (IPv6 as [ADDRESS]:PORT): " + s);
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new UsageException("not a port: " + s);
        }
        if (p < 0 || p > 65535) {
            throw new UsageException("port out of range: " + s);
        }
        try {
            return new InetSocketAddress(InetAddress.ofLiteral(host), p);
        } catch (IllegalArgumentException e) {
            throw new UsageException("not an IP address literal: " + host);
        }
    }
}
