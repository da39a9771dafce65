package dev.tuncrypt.daemon;

import dev.tuncrypt.tcpcrypt.CryptMode;
import dev.tuncrypt.tcpcrypt.Dialect;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tuncrypt nc}: netcat over an embedded stack on its own TUN device. Standard input goes
 * to the connection (EOF half-closes it), the connection goes to standard output; it exits when
 * the peer has closed its side.
 */
@Command(
        name = "nc",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        description = {
            "Netcat over the userspace stack: creates the TUN device, runs the stack, then listens",
            "(-l PORT) or connects (HOST PORT) with the stack's own TCP.",
            ""
        },
        footer = {
            "",
            "Example (as root, in a namespace of your own):",
            "  tuncrypt nc --tun tn0 --tun-addr 198.18.7.1/24 --stack-addr 198.18.7.2 -l 5000 > out",
            "  nc -N 198.18.7.2 5000 < file",
            "",
            "Exit status: 0 after the connection closed normally; 1 if it was refused, reset or timed",
            "out, or the device could not be set up; 2 for a bad command line."
        })
final class NcCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOptions device = new DeviceOptions();

    @Option(names = {"-l", "--listen"}, paramLabel = "PORT", description = "Listen on PORT of the stack's addresses and take one connection.")
    Integer listenPort;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Give up a connect after this long (default: ${DEFAULT-VALUE}).")
    int connectTimeout;

    @Option(names = "--crypt", paramLabel = "MODE", defaultValue = "default",
            description = "tcpcrypt: default (encrypt when the peer speaks tcpcrypt, else plain), never, or always "
                    + "(refuse a peer without it). Default: ${DEFAULT-VALUE}.")
    CryptMode crypt;

    @Option(names = "--dialect", paramLabel = "NAME[,NAME]", defaultValue = Dialects.DEFAULT,
            description = "tcpcrypt wire dialect: rfc8548 (RFC 8547 ENO + RFC 8548 tcpcrypt; default) or tcpcrypt-0.5"
                    + " (what tcpcryptd 0.5 speaks). A list, e.g. rfc8548,tcpcrypt-0.5: a listening side accepts"
                    + " each, a connecting side offers the first only (one ENO option per segment).")
    String dialect;

    @Option(names = "--dialect-for", paramLabel = "PREFIX=NAME[,NAME]",
            description = "The dialect(s) for peers in PREFIX instead of --dialect, e.g. 198.18.5.0/24=tcpcrypt-0.5"
                    + " (repeatable; the most specific prefix wins).")
    java.util.List<String> dialectFor = new java.util.ArrayList<>();

    @Option(names = "--rekey-after", paramLabel = "BYTES", defaultValue = "68719476736",
            description = "rfc8548: initiate a key update (RFC 8548 §3.8) after sealing BYTES plaintext bytes under"
                    + " one key; 0 never initiates (the peer's updates are still answered). Default: ${DEFAULT-VALUE}"
                    + " (2^36).")
    long rekeyAfter;

    @Parameters(arity = "0..2", paramLabel = "HOST PORT", description = "Connect to HOST (an IPv4/IPv6 literal) port PORT.")
    java.util.List<String> target = new java.util.ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        InetSocketAddress remote = null;
        try {
            device.validate();
            if (listenPort == null && target.size() != 2) {
                throw new UsageException("give -l PORT to listen or HOST PORT to connect");
            }
            if (listenPort != null && !target.isEmpty()) {
                throw new UsageException("-l PORT and HOST PORT exclude each other");
            }
            if (listenPort != null && (listenPort < 1 || listenPort > 65535)) {
                throw new UsageException("-l " + listenPort + ": port must be 1-65535");
            }
            dialects = Dialects.parse(dialect);
            dialectRules = Dialects.parseRules(dialectFor);
            if (rekeyAfter < 0) {
                throw new UsageException("--rekey-after " + rekeyAfter + ": must be 0 or more");
            }
            if (listenPort == null) {
                int port = parsePort(target.get(1));
                remote = new InetSocketAddress(Cidr.literal(target.get(0)), port);
            }
        } catch (UsageException e) {
            err.println("tuncrypt nc: " + e.getMessage() + " (see tuncrypt nc --help)");
            return TuncryptdMain.EXIT_USAGE;
        }
        try (TcpCrypt tcpcrypt = TcpCrypt.create(Dialects.config(crypt, dialects, dialectRules)
                .withRekeyAfterBytes(rekeyAfter));
                StackHost host = StackHost.open(device, b -> b.protection(tcpcrypt.protections()))) {
            TcpSocket socket;
            if (listenPort != null) {
                try (TcpListener l = TcpListener.bind(host.stack(), listenPort, 1)) {
                    socket = l.accept();
                }
            } else {
                socket = TcpSocket.connect(host.stack(), remote, Duration.ofSeconds(connectTimeout));
            }
            reportSession(socket, err);
            return relay(socket, err);
        } catch (DaemonException e) {
            err.println("tuncrypt nc: " + e.getMessage());
            return TuncryptdMain.EXIT_FAILURE;
        } catch (IOException e) {
            err.println("tuncrypt nc: " + e.getMessage());
            return TuncryptdMain.EXIT_FAILURE;
        }
    }

    private java.util.List<Dialect> dialects;
    private java.util.List<dev.tuncrypt.tcpcrypt.DialectRule> dialectRules;


    /** Prints the session ID (or why the connection is plain) to stderr, as tcpcryptd's tools show it. */
    private static void reportSession(TcpSocket socket, PrintWriter err) {
        TcpCryptInfo info;
        try {
            info = TcpCrypt.handshake(socket).toCompletableFuture().get(5, TimeUnit.SECONDS).orElse(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            info = null; // the connection failed, or the key exchange is still pending
        }
        if (info != null) {
            err.println("tuncrypt nc: tcpcrypt session " + info.sessionId() + " (" + info.dialect() + ", "
                    + info.tep() + ", " + info.cipher() + (info.resumed() ? ", resumed" : "") + ")");
        } else if (!TcpCrypt.peerCapable(socket)) {
            err.println("tuncrypt nc: plain TCP (the peer did not negotiate tcpcrypt)");
        } else {
            err.println("tuncrypt nc: tcpcrypt negotiated, key exchange still pending");
        }
        err.flush();
    }

    private static int parsePort(String s) throws UsageException {
        try {
            int p = Integer.parseInt(s);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new UsageException("'" + s + "' is not a port (1-65535)");
    }

    /** Copies stdin to the socket on a second thread and the socket to stdout here. */
    private static int relay(TcpSocket socket, PrintWriter err) throws IOException {
        boolean[] sendFailed = new boolean[1];
        Thread up = Thread.ofPlatform().name("nc-stdin").daemon(true).start(() -> {
            try (InputStream in = new FileInputStream(FileDescriptor.in)) {
                OutputStream o = socket.getOutputStream();
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    o.write(buf, 0, n);
                }
                socket.shutdownOutput();
            } catch (IOException e) {
                err.println("tuncrypt nc: sending: " + e.getMessage());
                sendFailed[0] = true;
                socket.abort();
            }
        });
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        try {
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            out.flush();
        } catch (IOException e) {
            err.println("tuncrypt nc: " + e.getMessage());
            socket.abort();
            return TuncryptdMain.EXIT_FAILURE;
        }
        // The peer finished sending; ours ends when standard input does (as netcat).
        try {
            up.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
        awaitClosed(socket);
        return sendFailed[0] ? TuncryptdMain.EXIT_FAILURE : 0;
    }

    /** Lets the stack finish the close (our FIN acknowledged) before the device goes away. */
    private static void awaitClosed(TcpSocket socket) {
        try {
            socket.whenClosed().toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // closing anyway
        }
    }
}
