package dev.tuncrypt.tcpstack;

/** Why the stack dropped an inbound packet. Every drop is counted under exactly one reason. */
public enum DropReason {
    /** Failed wire validation; {@link StackCounters#malformedCount} says which check. */
    MALFORMED("malformed packet"),
    UNSUPPORTED_IP_VERSION("IP version neither 4 nor 6"),
    NOT_FOR_US("destination is not a stack address"),
    BAD_SOURCE("source address is multicast, broadcast, unspecified or the stack's own"),
    UNSUPPORTED_PROTOCOL("no handler for the IP protocol (protocol unreachable sent)"),
    FRAGMENT_OVERLAP("IP fragment overlaps another (datagram discarded)"),
    FRAGMENT_TIMEOUT("IP datagram not reassembled in time"),
    FRAGMENT_LIMIT("reassembly memory or slot limit reached"),
    FRAGMENT_TOO_BIG("reassembled datagram would exceed 65535 bytes"),
    IPV6_FRAGMENT("IPv6 fragments are not reassembled"),
    ICMP_IGNORED("ICMP message of a type the stack does not act on"),
    TCP_NO_LISTENER("TCP segment for a port nothing listens on (reset sent)"),
    TCP_RESET_UNMATCHED("TCP reset for no connection"),
    UDP_NO_LISTENER("UDP datagram for a port nothing listens on (port unreachable sent)"),
    ICMP_ERROR_SUPPRESSED("an ICMP error was due but rate limited or not allowed (RFC 1122 §3.2.2)"),
    LINK_TX_FULL("the link refused an outgoing packet"),
    INTERNAL_ERROR("a handler failed on the packet or a posted task failed (a bug; logged)"),
    MEMORY_EXHAUSTED("no memory for a connection's buffer (the packet is dropped; TCP resends it)");

    private final String description;

    DropReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
