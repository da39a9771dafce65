package dev.tuncrypt.routing;

/**
 * What the {@code --serve} rules diverted to the stack so far (the nft counters on the
 * {@code fwd} rules), per address family.
 */
public record ServedTraffic(long ipv4Packets, long ipv4Bytes, long ipv6Packets, long ipv6Bytes) {
    /** No serving rules, or nothing diverted yet. */
    public static final ServedTraffic NONE = new ServedTraffic(0, 0, 0, 0);
}
