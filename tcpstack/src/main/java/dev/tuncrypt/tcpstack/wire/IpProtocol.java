package dev.tuncrypt.tcpstack.wire;

/** IP protocol / IPv6 Next Header numbers the wire layer knows (IANA "Assigned Internet Protocol Numbers"). */
public final class IpProtocol {
    /** IPv6 Hop-by-Hop Options (RFC 8200 §4.3). */
    public static final int HOP_BY_HOP = 0;
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    /** IPv6 Routing header (RFC 8200 §4.4). */
    public static final int ROUTING = 43;
    /** IPv6 Fragment header (RFC 8200 §4.5). */
    public static final int FRAGMENT = 44;
    public static final int ESP = 50;
    public static final int AH = 51;
    public static final int ICMPV6 = 58;
    /** IPv6 No Next Header (RFC 8200 §4.7). */
    public static final int NO_NEXT_HEADER = 59;
    /** IPv6 Destination Options (RFC 8200 §4.6). */
    public static final int DESTINATION_OPTIONS = 60;

    private IpProtocol() {}
}
