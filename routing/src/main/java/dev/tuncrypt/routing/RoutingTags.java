package dev.tuncrypt.routing;

/**
 * How this project's kernel state is told apart from everyone else's: rule priorities, the
 * routing table, the protocol number on every rule and route, and the nft table name.
 *
 * @param guardPriority priority of {@code iif TUN goto endPriority} (packets the stack sends never
 *     meet the steering rules)
 * @param steerPriority priority of the steering rules
 * @param endPriority priority of the {@code nop} rule the guard jumps to
 * @param table routing table whose default route is the TUN device
 * @param protocol rtnetlink protocol number on our rules and routes ({@code proto 215})
 * @param nftTable name of our nft tables ({@code inet} and {@code netdev} family)
 */
public record RoutingTags(int guardPriority, int steerPriority, int endPriority, int table, int protocol, String nftTable) {

    /** The values {@code tuncryptd} uses. */
    public static final RoutingTags DEFAULT = new RoutingTags(5200, 5201, 5202, 5201, 215, "tuncrypt");

    public RoutingTags {
        if (!(0 < guardPriority && guardPriority < steerPriority && steerPriority < endPriority && endPriority < 32766)) {
            throw new IllegalArgumentException("priorities must rise strictly inside 1-32765");
        }
        if (table < 1 || table > 0x7fffffff || table == 253 || table == 254 || table == 255) {
            throw new IllegalArgumentException("table " + table + " is reserved or out of range");
        }
        if (protocol < 5 || protocol > 255) {
            throw new IllegalArgumentException("protocol " + protocol + " outside 5-255 (0-4 belong to the kernel)");
        }
        if (!nftTable.matches("[a-z][a-z0-9_]{0,31}")) {
            throw new IllegalArgumentException("nft table name '" + nftTable + "'");
        }
    }
}
