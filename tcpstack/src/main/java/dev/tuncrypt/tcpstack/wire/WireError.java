package dev.tuncrypt.tcpstack.wire;

/**
 * Why the wire layer rejected a packet. Returned (never thrown) by the views' {@code wrap} and
 * {@code verify} methods and by the records' {@code parse}; the stack counts drops by these.
 */
public enum WireError {
    TRUNCATED("shorter than its fixed header or than the header length it declares"),
    BAD_VERSION("IP version field does not match the header type"),
    BAD_HEADER_LENGTH("IPv4 IHL below 5"),
    BAD_TOTAL_LENGTH("IPv4 total length beyond the received bytes or below the header length"),
    BAD_PAYLOAD_LENGTH("IPv6 payload length beyond the received bytes"),
    BAD_CHECKSUM("checksum does not verify"),
    BAD_FRAGMENT("fragment would reassemble past 65535 octets, or a non-final IPv6 fragment is not a multiple of 8 octets"),
    BAD_EXTENSION_HEADER("IPv6 extension header runs past the payload, has a malformed option, or Hop-by-Hop is not first"),
    UNRECOGNIZED_IPV6_OPTION("IPv6 Hop-by-Hop/Destination option unknown and its type says discard"),
    UNSUPPORTED_ROUTING_HEADER("IPv6 routing header with segments left (not the final destination)"),
    BAD_DATA_OFFSET("TCP data offset below 5 or past the end of the segment"),
    OPTION_OVERRUN("TCP option runs past the end of the option space"),
    BAD_OPTION_LENGTH("TCP option length below 2 or wrong for its kind"),
    BAD_UDP_LENGTH("UDP length below 8 or beyond the received bytes");

    private final String description;

    WireError(String description) {
        this.description = description;
    }

    /** A short human description, for logs and counters. */
    public String description() {
        return description;
    }
}
