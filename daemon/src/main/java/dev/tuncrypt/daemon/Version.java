package dev.tuncrypt.daemon;

import picocli.CommandLine;

/** Version text shared by both command lines. */
public final class Version implements CommandLine.IVersionProvider {
    public static final String NUMBER = "0.1.0";

    @Override
    public String[] getVersion() {
        return new String[] {
            "tuncrypt " + NUMBER,
            "userspace TCP/IP stack on a TUN device; IPv4, IPv6, ICMP echo, TCP resets on closed ports",
            "Java " + Runtime.version()
        };
    }
}
