package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tcpstack.ip.Ipv4Reassembler;

/**
 * Tunables of the IP layer.
 *
 * @param icmpErrorsPerSecond sustained rate of ICMP errors the stack sends (Linux: 1000)
 * @param icmpErrorBurst errors that may go out at once
 * @param reassembly limits of IPv4 fragment reassembly
 */
public record StackConfig(int icmpErrorsPerSecond, int icmpErrorBurst, Ipv4Reassembler.Limits reassembly) {
    public static final StackConfig DEFAULT = new StackConfig(1000, 50, Ipv4Reassembler.Limits.DEFAULT);

    public StackConfig withReassembly(Ipv4Reassembler.Limits limits) {
        return new StackConfig(icmpErrorsPerSecond, icmpErrorBurst, limits);
    }

    public StackConfig withIcmpErrorRate(int perSecond, int burst) {
        return new StackConfig(perSecond, burst, reassembly);
    }
}
