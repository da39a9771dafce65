package dev.tuncrypt.daemon;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line of {@code tuncryptd}; every option is documented in {@code --help}. */
@Command(
        name = "tuncryptd",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Runs a userspace TCP/IP stack on a TUN device.",
            "",
            "The daemon creates (or attaches to) the TUN device, gives the kernel side its",
            "--tun-addr addresses, brings the link up and runs the stack, which owns the",
            "--stack-addr addresses: it answers ICMP/ICMPv6 echo, resets TCP connections to",
            "ports nothing listens on, and sends ICMP port unreachable for UDP.",
            "On SIGINT or SIGTERM it removes everything it created and exits 0.",
            ""
        },
        footer = {
            "",
            "Example (as root, in a network namespace of your own):",
            "  tuncryptd --tun tb0 --tun-addr 198.18.7.1/24 --stack-addr 198.18.7.2 \\",
            "            --tun-addr 2001:2:0:7::1/64 --stack-addr 2001:2:0:7::2",
            "  ping 198.18.7.2; ping -6 2001:2:0:7::2",
            "",
            "Exit status: 0 after a clean stop; 1 when the device or its addresses cannot",
            "be set up; 2 for a bad command line."
        })
final class DaemonOptions {

    @Option(names = "--tun", paramLabel = "NAME", defaultValue = "tun0",
            description = "TUN device to create or attach to (1-15 characters; default: ${DEFAULT-VALUE}).")
    String tunName;

    @Option(names = "--tun-addr", paramLabel = "ADDR/PREFIX",
            description = "Address for the kernel side of the TUN device, IPv4 or IPv6 (repeatable),"
                    + " e.g. 198.18.7.1/24. Removed again on exit.")
    List<String> tunAddrs = new ArrayList<>();

    @Option(names = "--stack-addr", paramLabel = "ADDR",
            description = "Address the stack owns, IPv4 or IPv6 (repeatable; at least one), e.g. 198.18.7.2."
                    + " It should lie inside a --tun-addr prefix so the kernel routes it into the device.")
    List<String> stackAddrs = new ArrayList<>();

    @Option(names = "--mtu", paramLabel = "BYTES", defaultValue = "1500",
            description = "MTU of the TUN device, 576-65535 (default: ${DEFAULT-VALUE}).")
    int mtu;

    @Option(names = "--queues", paramLabel = "N", defaultValue = "1",
            description = "TUN queues, one stack loop each (multi-queue when more than 1; default: ${DEFAULT-VALUE}).")
    int queues;

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "Write every packet the stack reads or writes to FILE (pcap, raw IP), for tcpdump or Wireshark.")
    Path pcap;

    @Option(names = "-v", description = "More detail in the log: -v debug, -vv per-packet tracing.")
    boolean[] verbose = new boolean[0];

    List<Cidr> kernelAddresses = List.of();
    List<InetAddress> stackAddresses = List.of();

    int verbosity() {
        return verbose.length;
    }

    /** Checks what the parser cannot: address syntax, ranges, duplicates. */
    void validate() throws UsageException {
        if (stackAddrs.isEmpty()) {
            throw new UsageException("--stack-addr is required: the stack needs an address of its own");
        }
        if (tunName.isEmpty() || tunName.length() > 15 || tunName.contains("/") || tunName.isBlank()
                || tunName.chars().anyMatch(Character::isWhitespace)) {
            throw new UsageException("--tun '" + tunName + "': a device name has 1-15 characters, no '/' and no spaces");
        }
        if (mtu < 576 || mtu > 65535) {
            throw new UsageException("--mtu " + mtu + ": must be 576-65535");
        }
        if (queues < 1 || queues > 64) {
            throw new UsageException("--queues " + queues + ": must be 1-64");
        }
        List<Cidr> kernel = new ArrayList<>();
        for (String s : tunAddrs) {
            kernel.add(Cidr.parse(s));
        }
        List<InetAddress> stack = new ArrayList<>();
        for (String s : stackAddrs) {
            InetAddress a = Cidr.literal(s);
            if (stack.contains(a)) {
                throw new UsageException("--stack-addr " + s + " given twice");
            }
            for (Cidr k : kernel) {
                if (k.address().equals(a)) {
                    throw new UsageException("--stack-addr " + s + " is also a --tun-addr: the stack and the kernel need different addresses");
                }
            }
            stack.add(a);
        }
        kernelAddresses = List.copyOf(kernel);
        stackAddresses = List.copyOf(stack);
    }
}
