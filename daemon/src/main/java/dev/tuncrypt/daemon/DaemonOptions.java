package dev.tuncrypt.daemon;

import dev.tuncrypt.daemon.control.ControlSocketOptions;
import dev.tuncrypt.tcpcrypt.CryptMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The command line of {@code tuncryptd}; every option is documented in {@code --help}. */
@Command(
        name = "tuncryptd",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Encrypts the TCP connections routed into a TUN device with tcpcrypt.",
            "",
            "The daemon creates (or attaches to) the TUN device, gives the kernel side its",
            "--tun-addr addresses and runs a userspace TCP/IP stack that owns the --stack-addr",
            "addresses. Every TCP connection the kernel routes into the device is accepted as",
            "its original destination and carried on the stack's own connection to that",
            "destination, encrypted with tcpcrypt when the peer speaks it (plain otherwise,",
            "or refused with --crypt always). The control socket (-u) answers tcpcryptd's",
            "protocol: tcnetstat, libtcpcrypt and `tuncrypt netstat` work against it.",
            "On SIGINT or SIGTERM it stops accepting, lets connections finish for a moment,",
            "resets the rest, removes everything it created and exits 0. SIGHUP reloads --config.",
            ""
        },
        footer = {
            "",
            "Example (as root, in a network namespace of your own):",
            "  tuncryptd --tun ta0 --tun-addr 198.18.1.1/24 --stack-addr 198.18.1.2",
            "  ip rule add to 198.18.2.0/24 iif lo lookup 100; ip route add default dev ta0 table 100",
            "  curl http://198.18.2.2/     # now encrypted when 198.18.2.2 speaks tcpcrypt",
            "  tuncrypt netstat",
            "",
            "Flags of tcpcryptd that only made sense for packet diversion (-p -e -x -a -m -n -N -P -S",
            "-t -T -D -C -M -r -R -i) are accepted and ignored with a note.",
            "",
            "Exit status: 0 after a clean stop; 1 when the device, addresses, control socket or",
            "self-test fail; 2 for a bad command line."
        })
final class DaemonOptions {

    @Mixin
    DeviceOptions device = new DeviceOptions();

    @Mixin
    RoutingOptions routing = new RoutingOptions();

    @Mixin
    ControlSocketOptions control = new ControlSocketOptions();

    @Option(names = "--crypt", paramLabel = "MODE", defaultValue = "default",
            description = "tcpcrypt for spliced connections: default (encrypt when the peer speaks it, else plain),"
                    + " never (pass-through, as -d), always (refuse connections to peers without it)."
                    + " Default: ${DEFAULT-VALUE}.")
    CryptMode crypt;

    @Option(names = "--dialect", paramLabel = "NAME[,NAME]", defaultValue = Dialects.DEFAULT,
            description = "tcpcrypt wire dialect: rfc8548 (RFC 8547/8548, ENO option 69; default) or tcpcrypt-0.5"
                    + " (what tcpcryptd 0.5 speaks, option 253). A list, e.g. rfc8548,tcpcrypt-0.5, is what"
                    + " inbound connections may use; outbound ones offer the first only (never both options"
                    + " in one segment, RFC 8547 §11). Default: ${DEFAULT-VALUE}.")
    String dialect;

    /** --dialect, parsed by {@link #validate()}. */
    java.util.List<dev.tuncrypt.tcpcrypt.Dialect> dialects = java.util.List.of(dev.tuncrypt.tcpcrypt.Dialect.RFC8548);

    @Option(names = "--dialect-for", paramLabel = "PREFIX=NAME[,NAME]",
            description = "The dialect(s) for peers in PREFIX instead of --dialect, in both directions, e.g."
                    + " 198.18.5.0/24=tcpcrypt-0.5 for legacy tcpcryptd hosts (repeatable; the most specific"
                    + " prefix wins).")
    java.util.List<String> dialectFor = new java.util.ArrayList<>();

    /** --dialect-for, parsed by {@link #validate()}. */
    java.util.List<dev.tuncrypt.tcpcrypt.DialectRule> dialectRules = java.util.List.of();

    @Option(names = "-d", description = "Pass-through: carry connections without encryption (same as --crypt never).")
    boolean passThrough;

    @Option(names = "-c", description = "No session cache: every connection does a full key exchange.")
    boolean noCache;

    @Option(names = "--rekey-after", paramLabel = "BYTES", defaultValue = "68719476736",
            description = "rfc8548: initiate a key update (RFC 8548 §3.8) after sealing BYTES plaintext bytes under"
                    + " one key; 0 never initiates (the peer's updates are still answered). Default: ${DEFAULT-VALUE}"
                    + " (2^36).")
    long rekeyAfter;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long the daemon's own connection to a destination may take (default: ${DEFAULT-VALUE}).")
    int connectTimeout;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "7200",
            description = "Reset a connection with no data either way for this long; 0 = never (default: ${DEFAULT-VALUE}).")
    int idleTimeout;

    @Option(names = "--path-mtu", paramLabel = "BYTES", defaultValue = "1500",
            description = "MTU of the network beyond the TUN device: the daemon's own connections keep their"
                    + " segments within it, so --mtu may be far larger for the kernel-to-stack hop (default: ${DEFAULT-VALUE}).")
    int pathMtu;

    @Option(names = "--max-pending-connects", paramLabel = "N", defaultValue = "1024",
            description = "Connections the daemon may have opened to destinations whose client has not yet completed"
                    + " its own handshake; SYNs beyond are refused and counted (splice_pending_refused). Bounds what"
                    + " a flood of spoofed SYNs can make the daemon connect (default: ${DEFAULT-VALUE}).")
    int maxPending;

    @Option(names = "--max-pending-per-source", paramLabel = "N", defaultValue = "256",
            description = "The same bound for one source address (default: ${DEFAULT-VALUE}).")
    int maxPendingPerSource;

    @Option(names = "--stop-grace", paramLabel = "SECONDS", defaultValue = "2",
            description = "On SIGTERM, how long open connections may finish before they are reset (default: ${DEFAULT-VALUE}).")
    int stopGrace;

    @Option(names = "--metrics", paramLabel = "ADDR:PORT",
            description = "Serve Prometheus metrics over HTTP at ADDR:PORT/metrics (e.g. 127.0.0.1:9464).")
    String metrics;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Read options from FILE (one 'name = value' per line, names as the long options"
                    + " without dashes; see docs/operations.md). Command-line options win. SIGHUP re-reads it.")
    Path config;

    @Option(names = "-s", paramLabel = "HOST[:PORT]",
            description = "Self-test at startup against a tuncrypt test-server (default port 7777).")
    String selfTestServer;

    @Option(names = "-f", description = "No self-test (the default unless -s is given).")
    boolean noSelfTest;

    @Option(names = "--require-self-test", description = "Exit with status 1 when the self-test fails.")
    boolean requireSelfTest;

    @Option(names = "-U", paramLabel = "USER",
            description = "After setup, switch to USER (keeping CAP_NET_ADMIN only).")
    String user;

    @Option(names = "-J", paramLabel = "DIR", description = "After setup, chroot to DIR.")
    Path jail;

    @Option(names = "-v", description = "More detail in the log: -v debug, -vv per-segment tracing.")
    boolean[] verbose = new boolean[0];

    // tcpcryptd's packet-diversion flags: accepted, ignored, explained.
    @Option(names = "-p", paramLabel = "PORT", hidden = true) String legacyDivertPort;
    @Option(names = "-x", paramLabel = "PARAM", hidden = true) String legacyDivertParam;
    @Option(names = "-S", paramLabel = "N", hidden = true) String legacyProfileSource;
    @Option(names = "-t", paramLabel = "N", hidden = true) String legacyTest;
    @Option(names = "-T", paramLabel = "PARAM", hidden = true) String legacyTestParam;
    @Option(names = "-C", paramLabel = "CIPHER", hidden = true) String legacyCipher;
    @Option(names = "-M", paramLabel = "MAC", hidden = true) String legacyMac;
    @Option(names = "-r", paramLabel = "DEV", hidden = true) String legacyRandom;
    @Option(names = "-e", hidden = true) boolean legacyRedirect;
    @Option(names = "-a", hidden = true) boolean legacyAccept;
    @Option(names = "-m", hidden = true) boolean legacyModify;
    @Option(names = "-n", hidden = true) boolean legacyNoCrypto;
    @Option(names = "-N", hidden = true) boolean legacyNat;
    @Option(names = "-P", hidden = true) boolean legacyProfile;
    @Option(names = "-D", hidden = true) boolean legacyDebug;
    @Option(names = "-R", hidden = true) boolean legacyRsa;
    @Option(names = "-i", hidden = true) boolean legacyNoTimers;

    /** --metrics and -s, parsed by {@link #validate()}. */
    HostPort metricsAddress;
    HostPort selfTestAddress;

    int verbosity() {
        return verbose.length;
    }

    /** The crypt mode after -d. */
    CryptMode effectiveMode() {
        return passThrough ? CryptMode.NEVER : crypt;
    }

    /** One line per tcpcryptd flag given that no longer means anything here. */
    List<String> legacyNotes() {
        List<String> notes = new ArrayList<>();
        if (legacyDivertPort != null || legacyDivertParam != null || legacyRedirect || legacyAccept || legacyModify) {
            notes.add("-p/-x/-e/-a/-m (packet diversion) ignored: traffic reaches tuncryptd by routing into the TUN device");
        }
        if (legacyNat) {
            notes.add("-N ignored: the stack terminates connections, so middlebox mode has no meaning");
        }
        if (legacyCipher != null || legacyMac != null) {
            notes.add("-C/-M ignored: ciphers are negotiated (AEAD); preferences are set with the tcpcrypt options");
        }
        if (legacyNoCrypto) {
            notes.add("-n ignored: use -d or --crypt never to carry connections in the clear");
        }
        if (legacyProfile || legacyProfileSource != null || legacyTest != null || legacyTestParam != null) {
            notes.add("-P/-S/-t/-T ignored: use 'make bench' and --metrics for measurements");
        }
        if (legacyDebug || legacyRsa || legacyNoTimers || legacyRandom != null) {
            notes.add("-D/-R/-i/-r ignored: no equivalent (the JDK's SecureRandom is the random source)");
        }
        return notes;
    }

    /** Checks what the parser cannot. */
    void validate() throws UsageException {
        routing.validate();
        if (routing.cleanup()) {
            return; // needs nothing else
        }
        device.validate();
        metricsAddress = metrics == null ? null : HostPort.parse(metrics, 0);
        selfTestAddress = selfTestServer == null ? null
                : HostPort.parse(selfTestServer, dev.tuncrypt.daemon.selftest.SelfTest.DEFAULT_PORT);
        dialects = Dialects.parse(dialect);
        dialectRules = Dialects.parseRules(dialectFor);
        if (rekeyAfter < 0) {
            throw new UsageException("--rekey-after " + rekeyAfter + ": must be 0 or more");
        }
        if (connectTimeout < 1 || connectTimeout > 600) {
            throw new UsageException("--connect-timeout " + connectTimeout + ": must be 1-600 seconds");
        }
        if (idleTimeout < 0) {
            throw new UsageException("--idle-timeout " + idleTimeout + ": must not be negative");
        }
        if (pathMtu < 1280 || pathMtu > 65535) {
            throw new UsageException("--path-mtu " + pathMtu + ": must be 1280-65535");
        }
        if (maxPending < 1 || maxPending > 1_000_000) {
            throw new UsageException("--max-pending-connects " + maxPending + ": must be 1-1000000");
        }
        if (maxPendingPerSource < 1 || maxPendingPerSource > maxPending) {
            throw new UsageException("--max-pending-per-source " + maxPendingPerSource + ": must be 1 to --max-pending-connects ("
                    + maxPending + ")");
        }
        if (stopGrace < 0 || stopGrace > 300) {
            throw new UsageException("--stop-grace " + stopGrace + ": must be 0-300 seconds");
        }
        if (noSelfTest && selfTestServer != null) {
            throw new UsageException("-f and -s exclude each other");
        }
        if (requireSelfTest && selfTestServer == null) {
            throw new UsageException("--require-self-test needs -s HOST[:PORT]");
        }
        if (jail != null && user == null) {
            throw new UsageException("-J needs -U: a chroot while still root is no jail");
        }
    }

    Duration idle() {
        return Duration.ofSeconds(idleTimeout);
    }
}
