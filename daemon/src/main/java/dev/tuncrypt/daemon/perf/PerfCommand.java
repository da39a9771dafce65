package dev.tuncrypt.daemon.perf;

import dev.tuncrypt.daemon.Cidr;
import dev.tuncrypt.daemon.DaemonException;
import dev.tuncrypt.daemon.DeviceOptions;
import dev.tuncrypt.daemon.Dialects;
import dev.tuncrypt.daemon.StackHost;
import dev.tuncrypt.daemon.UsageException;
import dev.tuncrypt.daemon.Version;
import dev.tuncrypt.tcpcrypt.CryptMode;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tuncrypt perf}: throughput, round-trip time and connection rate between a client and a
 * server ({@code -s}), through the embedded stack on its own TUN device ({@code --stack-addr}
 * given) or through the kernel's sockets (and so through a running daemon that steers them).
 */
@Command(
        name = "perf",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        versionProvider = Version.class,
        description = {
            "Measures throughput (one or -P streams, -R reverse, --bidir), round-trip time (median, p99)",
            "and connection rate (connect, 1 byte each way, close) against a 'tuncrypt perf -s'. With",
            "--stack-addr it runs the embedded stack on its own TUN device (as tuncrypt nc) and tcpcrypt as",
            "--crypt says; without, it uses the kernel's sockets, which a running tuncryptd steers.",
            ""
        },
        footer = {
            "",
            "Example (as root, each host in a namespace of your own, the prefixes routed to each other):",
            "  B: tuncrypt perf -s --tun tb0 --tun-addr 198.18.2.1/24 --stack-addr 198.18.2.2",
            "  A: tuncrypt perf -c 198.18.2.2 --tun ta0 --tun-addr 198.18.1.1/24 --stack-addr 198.18.1.2 -m all",
            "",
            "Exit status: 0 when every test ran; 1 if a connection failed or the device could not be set",
            "up; 2 for a bad command line."
        })
public final class PerfCommand implements Callable<Integer> {
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    /** The tests {@code --measure} selects. */
    enum Measure { THROUGHPUT, RTT, CONNECT, ALL }

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOptions device = new DeviceOptions();

    @Option(names = {"-s", "--server"}, description = "Run the server: answer every test until stopped.")
    boolean server;

    @Option(names = {"-c", "--client"}, paramLabel = "HOST", description = "Run the client against the server at HOST (an IPv4/IPv6 literal).")
    String client;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "5201",
            description = "Server port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = {"-m", "--measure"}, paramLabel = "TEST[,TEST]", split = ",", defaultValue = "throughput",
            description = "What to measure: throughput, rtt, connect or all (default: ${DEFAULT-VALUE}).")
    List<Measure> measures = new ArrayList<>();

    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", defaultValue = "10",
            description = "How long each test runs, 1-3600 (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = {"-P", "--parallel"}, paramLabel = "N", defaultValue = "1",
            description = "Parallel streams (throughput) or connecting loops (connect), 1-128 (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = {"-R", "--reverse"}, description = "Throughput from the server to the client.")
    boolean reverse;

    @Option(names = "--bidir", description = "Throughput both ways at once.")
    boolean bidir;

    @Option(names = {"-l", "--length"}, paramLabel = "BYTES", defaultValue = "131072",
            description = "Write size for throughput, 1-1048576 (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--rtt-size", paramLabel = "BYTES", defaultValue = "1",
            description = "Request and response size of a round trip, 1-1048576 (default: ${DEFAULT-VALUE}).")
    int rttSize;

    @Option(names = "--json", description = "Print the client's results as JSON.")
    boolean json;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Give up a connect after this long (default: ${DEFAULT-VALUE}).")
    int connectTimeout;

    @Option(names = "--crypt", paramLabel = "MODE",
            description = "tcpcrypt of the embedded stack: default (encrypt when the peer speaks tcpcrypt), never, or"
                    + " always (refuse a peer without it). Default: default. Through the kernel the daemon decides.")
    CryptMode crypt;

    @Option(names = "--dialect", paramLabel = "NAME[,NAME]",
            description = "tcpcrypt wire dialect of the embedded stack: rfc8548 (default) or tcpcrypt-0.5, or a list"
                    + " (a server accepts each, a client offers the first).")
    String dialect;

    @Option(names = "--dialect-for", paramLabel = "PREFIX=NAME[,NAME]",
            description = "The dialect(s) for peers in PREFIX instead of --dialect (repeatable).")
    List<String> dialectFor = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean embedded = device.wantsStack();
        InetSocketAddress remote = null;
        Set<Measure> tests;
        try {
            if (server == (client != null)) {
                throw new UsageException("give -s to serve or -c HOST to measure against a server");
            }
            check(port, 1, 65535, "-p");
            check(seconds, 1, 3600, "-t");
            check(parallel, 1, 128, "-P");
            check(length, 1, PerfProtocol.MAX_SIZE, "-l");
            check(rttSize, 1, PerfProtocol.MAX_SIZE, "--rtt-size");
            if (reverse && bidir) {
                throw new UsageException("-R and --bidir exclude each other");
            }
            if (!embedded && (crypt != null || dialect != null || !dialectFor.isEmpty())) {
                throw new UsageException("--crypt and --dialect set the embedded stack's tcpcrypt: give --stack-addr"
                        + " (through the kernel a running tuncryptd decides)");
            }
            if (embedded) {
                device.validate();
            }
            tests = measures.contains(Measure.ALL) ? EnumSet.of(Measure.THROUGHPUT, Measure.RTT, Measure.CONNECT)
                    : EnumSet.copyOf(measures);
            if (client != null) {
                remote = new InetSocketAddress(Cidr.literal(client), port);
            }
        } catch (UsageException e) {
            err.println("tuncrypt perf: " + e.getMessage() + " (see tuncrypt perf --help)");
            return EXIT_USAGE;
        }
        try (PerfTransport transport = embedded ? stackTransport() : new KernelTransport()) {
            if (server) {
                new PerfServer(transport, port, out).run();
                return 0;
            }
            return runClient(transport, remote, tests, out, err);
        } catch (UsageException e) {
            err.println("tuncrypt perf: " + e.getMessage() + " (see tuncrypt perf --help)");
            return EXIT_USAGE;
        } catch (DaemonException | IOException e) {
            err.println("tuncrypt perf: " + e.getMessage());
            return EXIT_FAILURE;
        }
    }

    private int runClient(PerfTransport transport, InetSocketAddress remote, Set<Measure> tests, PrintWriter out,
            PrintWriter err) throws IOException {
        PerfClient c = new PerfClient(transport, remote, Duration.ofSeconds(connectTimeout));
        PerfReport report = new PerfReport(transport.name(), Addresses.text(remote));
        Duration time = Duration.ofSeconds(seconds);
        int status = 0;
        try {
            if (tests.contains(Measure.THROUGHPUT)) {
                byte test = bidir ? PerfProtocol.BIDIR : reverse ? PerfProtocol.RECEIVE : PerfProtocol.SEND;
                report.throughput(c.throughput(test, parallel, time, length));
            }
            if (tests.contains(Measure.RTT)) {
                report.rtt(c.rtt(time, rttSize));
            }
            if (tests.contains(Measure.CONNECT)) {
                var rate = c.connectRate(time, parallel);
                report.connectRate(rate);
                if (rate.count() == 0) {
                    err.println("tuncrypt perf: no connection to " + Addresses.text(remote) + " succeeded");
                    status = EXIT_FAILURE;
                }
            }
        } catch (IOException e) {
            err.println("tuncrypt perf: " + Addresses.text(remote) + ": " + e.getMessage());
            status = EXIT_FAILURE;
        }
        report.security(c.security());
        out.print(json ? report.json() : report.text());
        out.flush();
        return status;
    }

    private PerfTransport stackTransport() throws UsageException, DaemonException {
        TcpCrypt tcpcrypt = TcpCrypt.create(Dialects.config(crypt == null ? CryptMode.DEFAULT : crypt,
                Dialects.parse(dialect == null ? Dialects.DEFAULT : dialect), Dialects.parseRules(dialectFor)));
        try {
            return new StackTransport(tcpcrypt, StackHost.open(device, b -> b.protection(tcpcrypt.protections())));
        } catch (DaemonException | RuntimeException e) {
            tcpcrypt.close();
            throw e;
        }
    }

    private static void check(int value, int min, int max, String option) throws UsageException {
        if (value < min || value > max) {
            throw new UsageException(option + " " + value + ": must be " + min + "-" + max);
        }
    }
}
