package dev.tuncrypt.daemon;

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

    @Mixin
    DeviceOptions device = new DeviceOptions();

    @Option(names = "-v", description = "More detail in the log: -v debug, -vv per-packet tracing.")
    boolean[] verbose = new boolean[0];

    int verbosity() {
        return verbose.length;
    }

    /** Checks what the parser cannot. */
    void validate() throws UsageException {
        device.validate();
    }
}
