package dev.tuncrypt.routing;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What should be steered into the stack's TUN device, as data: built from the command line,
 * rendered to exact {@code ip}/{@code nft}/{@code sysctl} commands by {@link PlanCommands},
 * applied and removed by {@link RoutingSetup}.
 *
 * @param tunName the stack's TUN device
 * @param stackAddresses the addresses the stack owns (source of its outbound connections)
 * @param steer outbound TCP to these destinations goes into the TUN device
 * @param steerUids outbound TCP of sockets owned by these uids goes into the TUN device
 * @param steerMarks outbound TCP carrying these marks goes into the TUN device
 * @param serve inbound SYNs with a TCP-ENO option go to the stack, if present
 * @param require destinations the daemon must reach encrypted or not at all (enforced per
 *     connection by the daemon; no kernel state)
 * @param tags priorities, table, protocol number and nft table name
 * @param servedFlowIdle how long a served connection may stay idle before its packets go back to
 *     the kernel
 */
public record RoutingPlan(
        String tunName,
        List<InetAddress> stackAddresses,
        List<Destination> steer,
        List<Long> steerUids,
        List<FirewallMark> steerMarks,
        Optional<ServeSpec> serve,
        List<Destination> require,
        RoutingTags tags,
        Duration servedFlowIdle) {

    /** The idle time after which a served flow's packets are no longer diverted: one day. */
    public static final Duration DEFAULT_SERVED_FLOW_IDLE = Duration.ofDays(1);

    public RoutingPlan {
        stackAddresses = List.copyOf(stackAddresses);
        steer = List.copyOf(steer);
        steerUids = List.copyOf(steerUids);
        steerMarks = List.copyOf(steerMarks);
        require = List.copyOf(require);
        if (tunName.isEmpty() || tunName.length() > 15 || !tunName.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("device name '" + tunName + "'");
        }
        if (servedFlowIdle.toSeconds() < 1) {
            throw new IllegalArgumentException("served flow idle time below one second");
        }
    }

    /**
     * Builds a plan and checks it as a whole: every steered or served family needs a stack
     * address of that family.
     */
    public static RoutingPlan of(String tunName, List<InetAddress> stackAddresses, List<Destination> steer,
            List<Long> steerUids, List<FirewallMark> steerMarks, Optional<ServeSpec> serve,
            List<Destination> require) throws InvalidPlanException {
        if (!tunName.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new InvalidPlanException("device name '" + tunName + "': 1-15 letters, digits, '_', '.', '-'");
        }
        boolean v4 = stackAddresses.stream().anyMatch(a -> a instanceof Inet4Address);
        boolean v6 = stackAddresses.stream().anyMatch(a -> !(a instanceof Inet4Address));
        for (Destination d : steer) {
            if (d.prefix().ipv4() ? !v4 : !v6) {
                throw new InvalidPlanException("--steer " + d + ": the stack has no " + (d.prefix().ipv4() ? "IPv4" : "IPv6")
                        + " address to connect from");
            }
        }
        if ((!steerUids.isEmpty() || !steerMarks.isEmpty() || serve.isPresent()) && stackAddresses.isEmpty()) {
            throw new InvalidPlanException("the stack has no address to route to");
        }
        for (Long uid : steerUids) {
            if (uid < 0 || uid > 0xfffffffeL) {
                throw new InvalidPlanException("--steer-uid " + uid + ": outside 0-4294967294");
            }
        }
        List<Long> uids = new ArrayList<>();
        for (Long uid : steerUids) {
            if (uids.contains(uid)) {
                throw new InvalidPlanException("--steer-uid " + uid + " given twice");
            }
            uids.add(uid);
        }
        return new RoutingPlan(tunName, stackAddresses, steer, steerUids, steerMarks, serve, require,
                RoutingTags.DEFAULT, DEFAULT_SERVED_FLOW_IDLE);
    }

    /** The same plan with other tags. */
    public RoutingPlan withTags(RoutingTags other) {
        return new RoutingPlan(tunName, stackAddresses, steer, steerUids, steerMarks, serve, require, other, servedFlowIdle);
    }

    /** The stack's first address of a family, if any. */
    public Optional<InetAddress> stackAddress(boolean ipv4) {
        return stackAddresses.stream().filter(a -> (a instanceof Inet4Address) == ipv4).findFirst();
    }

    /** The stack's addresses of a family. */
    public List<InetAddress> stackAddresses(boolean ipv4) {
        return stackAddresses.stream().filter(a -> (a instanceof Inet4Address) == ipv4).toList();
    }

    /** The steered destinations of a family. */
    public List<Destination> steer(boolean ipv4) {
        return steer.stream().filter(d -> d.prefix().ipv4() == ipv4).toList();
    }

    /** Whether outbound connections of this family are steered into the TUN device. */
    public boolean steers(boolean ipv4) {
        return stackAddress(ipv4).isPresent()
                && (!steer(ipv4).isEmpty() || !steerUids.isEmpty() || !steerMarks.isEmpty());
    }

    /** Whether inbound ENO SYNs of this family are served by the stack. */
    public boolean serves(boolean ipv4) {
        return serve.isPresent() && stackAddress(ipv4).isPresent();
    }

    /**
     * Whether {@code --serve} covers this local TCP port. The daemon tells a served connection
     * (leg 1 from a remote peer to this host's address and this port, SYN with an ENO option) from
     * a steered one (leg 1 from a local socket to a remote destination) by its source: the
     * kernel's rules only send served flows from remote sources.
     */
    public boolean servesPort(int port) {
        return serve.isPresent() && (serve.get().allPorts()
                || serve.get().ports().stream().anyMatch(r -> r.first() <= port && port <= r.last()));
    }

    /** Whether the plan changes any kernel state at all. */
    public boolean changesKernel() {
        return forwards(true) || forwards(false);
    }

    /**
     * Whether the stack's own connections of this family (leg 2 of every spliced connection) are
     * forwarded by the kernel, which needs forwarding on, a loose reverse-path check on the TUN
     * device and masquerading of the stack's address: true whenever the stack has an address of
     * the family, with or without steering rules (the operator may route into the device by hand).
     */
    public boolean forwards(boolean ipv4) {
        return stackAddress(ipv4).isPresent();
    }

    /** Whether the plan adds rules or nft hooks beyond forwarding and masquerading. */
    public boolean routes() {
        return steers(true) || steers(false) || serves(true) || serves(false);
    }
}
