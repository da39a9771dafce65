package dev.tuncrypt.routing;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link RoutingPlan} to the exact commands that apply and remove it. Nothing here
 * touches the system; {@link RoutingSetup} runs the commands, the dry run prints them.
 *
 * <p>Outbound (per address family that the plan steers):
 * <pre>
 *   ip rule add pref G iif TUN goto E protocol P          # the stack's own packets skip steering
 *   ip rule add pref G fwmark R/R goto E protocol P       # replies of inbound connections too
 *   ip rule add pref S to PREFIX ipproto tcp [dport N] lookup T protocol P   # per --steer
 *   ip rule add pref S iif lo uidrange U-U ipproto tcp lookup T protocol P   # per --steer-uid
 *   ip rule add pref S fwmark M/K ipproto tcp lookup T protocol P            # per --steer-mark
 *   ip rule add pref E nop protocol P                     # target of the guard's goto
 *   ip route add default dev TUN table T proto P
 * </pre>
 * plus nft masquerade of the stack's addresses on every other interface. Inbound
 * ({@code --serve}): a {@code netdev} ingress chain on the given interfaces remembers the 4-tuple
 * of each SYN with an ENO option in a timed set and forwards that flow's packets, unchanged, to
 * the stack's address on the TUN device (leg 1). Leg 2, the stack's connection from the
 * client's own address to the local service, enters from the TUN device and takes the host's
 * normal input path; its conntrack entry gets {@link #SERVED_MARK}, the output chain puts that
 * mark on the service's replies, and per served family
 * <pre>
 *   ip rule add pref G fwmark SERVED/SERVED lookup T protocol P   # replies back into the device
 *   ip route add default dev TUN table T proto P                  # unless the family is steered
 * </pre>
 */
public final class PlanCommands {
    /**
     * Firewall mark bit set on locally sent replies of connections that began elsewhere
     * ({@code ct direction reply}): the guard rule sends them past the steering rules, so a host
     * that steers a prefix still answers plain connections from that prefix to its own services.
     */
    public static final long REPLY_MARK = 0x00100000L;
    /**
     * Connection mark bit of served connections' leg 2 (the stack's connection from the client's
     * address to the local service, arriving from the TUN device); restored as the packet mark on
     * the service's replies, which a rule then routes back into the TUN device.
     */
    public static final long SERVED_MARK = 0x00200000L;

    private final RoutingPlan plan;

    public PlanCommands(RoutingPlan plan) {
        this.plan = plan;
    }

    /** Every command that applies the plan, in order (nft first, then rules, routes, sysctls). */
    public List<Command> apply() {
        List<Command> out = new ArrayList<>();
        String script = nftScript();
        if (!script.isEmpty()) {
            out.add(new Command(List.of("nft", "-f", "-"), script));
        }
        out.addAll(rulesAndRoutes());
        for (SysctlSetting s : sysctls()) {
            out.add(s.command());
        }
        return out;
    }

    /** The {@code ip rule} and {@code ip route} commands, IPv4 first. */
    public List<Command> rulesAndRoutes() {
        List<Command> out = new ArrayList<>();
        for (boolean v4 : new boolean[] {true, false}) {
            if (plan.serves(v4)) {
                out.addAll(servedReplyRules(v4));
            }
            if (plan.steers(v4)) {
                out.addAll(familyRules(v4));
            }
        }
        return out;
    }

    /**
     * Replies of the local service to served connections go back into the TUN device: leg 2 comes
     * from the client's address (the service sees the real client), so the main table would send
     * those replies to the client directly. The rule comes first (the output chain never gives
     * these packets the reply mark as well); the route is the steering table's, added here when
     * the family is not steered.
     */
    private List<Command> servedReplyRules(boolean v4) {
        RoutingTags t = plan.tags();
        String fam = v4 ? "-4" : "-6";
        String proto = Integer.toString(t.protocol());
        String table = Integer.toString(t.table());
        String mark = "0x" + Long.toHexString(SERVED_MARK);
        List<Command> out = new ArrayList<>();
        out.add(Command.of("ip", fam, "rule", "add", "pref", Integer.toString(t.guardPriority()),
                "fwmark", mark + "/" + mark, "lookup", table, "protocol", proto));
        if (!plan.steers(v4)) {
            out.add(Command.of("ip", fam, "route", "add", "default", "dev", plan.tunName(), "table", table, "proto", proto));
        }
        return out;
    }

    private List<Command> familyRules(boolean v4) {
        RoutingTags t = plan.tags();
        String fam = v4 ? "-4" : "-6";
        String proto = Integer.toString(t.protocol());
        String table = Integer.toString(t.table());
        List<Command> out = new ArrayList<>();
        out.add(Command.of("ip", fam, "rule", "add", "pref", Integer.toString(t.guardPriority()),
                "iif", plan.tunName(), "goto", Integer.toString(t.endPriority()), "protocol", proto));
        String mark = "0x" + Long.toHexString(REPLY_MARK);
        out.add(Command.of("ip", fam, "rule", "add", "pref", Integer.toString(t.guardPriority()),
                "fwmark", mark + "/" + mark, "goto", Integer.toString(t.endPriority()), "protocol", proto));
        String steer = Integer.toString(t.steerPriority());
        for (Destination d : plan.steer(v4)) {
            if (d.allPorts()) {
                out.add(Command.of("ip", fam, "rule", "add", "pref", steer, "to", d.prefix().toString(),
                        "ipproto", "tcp", "lookup", table, "protocol", proto));
            }
            for (PortRange r : d.ports()) {
                out.add(Command.of("ip", fam, "rule", "add", "pref", steer, "to", d.prefix().toString(),
                        "ipproto", "tcp", "dport", r.toString(), "lookup", table, "protocol", proto));
            }
        }
        for (Long uid : plan.steerUids()) {
            // iif lo: only the host's own sockets; forwarded packets are routed as uid 0.
            out.add(Command.of("ip", fam, "rule", "add", "pref", steer, "iif", "lo", "uidrange", uid + "-" + uid,
                    "ipproto", "tcp", "lookup", table, "protocol", proto));
        }
        for (FirewallMark m : plan.steerMarks()) {
            out.add(Command.of("ip", fam, "rule", "add", "pref", steer,
                    "fwmark", "0x" + Long.toHexString(m.value()) + "/0x" + Long.toHexString(m.mask()),
                    "ipproto", "tcp", "lookup", table, "protocol", proto));
        }
        out.add(Command.of("ip", fam, "rule", "add", "pref", Integer.toString(t.endPriority()), "nop", "protocol", proto));
        out.add(Command.of("ip", fam, "route", "add", "default", "dev", plan.tunName(), "table", table, "proto", proto));
        out.add(failClosedRoute(v4));
        return out;
    }

    /**
     * The metric of the steering table's {@code unreachable} route: the largest there is, so the
     * route to the TUN device (metric 0, IPv6 1024) always wins while it exists.
     */
    public static final long FAIL_CLOSED_METRIC = 0xffffffffL;

    /**
     * Fail closed: an {@code unreachable} default route of ours in the steering table, behind the
     * route into the TUN device. When the daemon dies without cleaning up (kill -9, a crash), the
     * kernel deletes the device and the device route with it, but the steering rules stay; without
     * this route their lookups would fall through to the main table and steered traffic — also
     * traffic that {@code --require} says must be encrypted — would leave in the clear. With it,
     * connects fail ({@code EHOSTUNREACH}) until the daemon runs again or {@code --cleanup}
     * removes the rules.
     */
    Command failClosedRoute(boolean v4) {
        RoutingTags t = plan.tags();
        return Command.of("ip", v4 ? "-4" : "-6", "route", "add", "unreachable", "default", "table",
                Integer.toString(t.table()), "metric", Long.toString(FAIL_CLOSED_METRIC), "proto", Integer.toString(t.protocol()));
    }

    /** How many rules and routes of a family {@link #rulesAndRoutes()} adds: {rules, routes}. */
    public int[] expectedCounts(boolean v4) {
        int rules = 0;
        int routes = 0;
        for (Command c : rulesAndRoutes()) {
            if (c.argv().get(1).equals(v4 ? "-4" : "-6")) {
                if (c.argv().get(2).equals("rule")) {
                    rules++;
                } else {
                    routes++;
                }
            }
        }
        return new int[] {rules, routes};
    }

    /** Whether the plan creates the {@code inet} nft table. */
    public boolean usesInetTable() {
        return plan.forwards(true) || plan.forwards(false) || plan.serves(true) || plan.serves(false);
    }

    /** Whether the plan creates the {@code netdev} nft table. */
    public boolean usesNetdevTable() {
        return plan.serves(true) || plan.serves(false);
    }

    /** The {@code inet} table of the plan (masquerading, marks, served leg 2), or empty. */
    public String inetTableScript() {
        if (!usesInetTable()) {
            return "";
        }
        String tun = quote(plan.tunName());
        String name = plan.tags().nftTable();
        StringBuilder sb = new StringBuilder();
        sb.append("table inet ").append(name).append(" {\n");
        sb.append("\tcomment \"tuncrypt routing plan for ").append(plan.tunName()).append("\"\n");
        if (plan.forwards(true) || plan.forwards(false)) {
            sb.append("\tchain postrouting {\n");
            sb.append("\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
            for (boolean v4 : new boolean[] {true, false}) {
                if (!plan.forwards(v4)) {
                    continue;
                }
                for (InetAddress a : plan.stackAddresses(v4)) {
                    // The stack's own connections (leg 2) leave with the outgoing interface's address.
                    sb.append("\t\t").append(v4 ? "ip" : "ip6").append(" saddr ").append(Addresses.text(a))
                            .append(" oifname != ").append(tun).append(" masquerade\n");
                }
            }
            sb.append("\t}\n");
        }
        boolean steers = plan.steers(true) || plan.steers(false);
        if (steers || usesNetdevTable()) {
            // The route chain re-routes a packet whose mark it changed.
            sb.append("\tchain output {\n");
            sb.append("\t\ttype route hook output priority mangle; policy accept;\n");
            if (usesNetdevTable()) {
                // The service's replies on served connections: back into the TUN device (and
                // nothing else here: they must not take the reply mark's way to the main table).
                String served = "0x" + Long.toHexString(SERVED_MARK);
                sb.append("\t\tct mark & ").append(served).append(" == ").append(served)
                        .append(" meta mark set meta mark or ").append(served).append(" accept\n");
            }
            if (steers) {
                // Replies of connections that came in (plain clients of local services) keep the
                // main table.
                sb.append("\t\tmeta l4proto tcp ct direction reply meta mark set meta mark or 0x")
                        .append(Long.toHexString(REPLY_MARK)).append("\n");
            }
            sb.append("\t}\n");
        }
        if (usesNetdevTable()) {
            sb.append("\tchain prerouting {\n");
            sb.append("\t\ttype filter hook prerouting priority raw; policy accept;\n");
            // The stack answers served connections (leg 1) from the host's own address; the SYN went
            // past conntrack (netdev ingress), so these replies are not tracked rather than INVALID.
            sb.append("\t\tiifname ").append(tun).append(" fib saddr type local notrack\n");
            sb.append("\t}\n");
            // Leg 2 of a served connection: the stack's connection from the client's address to a
            // local service enters from the TUN device and takes the normal input path (the
            // host's own filter rules see the real client); its conntrack entry is marked so the
            // service's replies find their way back.
            sb.append("\tchain served {\n");
            sb.append("\t\ttype filter hook prerouting priority mangle; policy accept;\n");
            sb.append("\t\tiifname ").append(tun).append(" meta l4proto tcp ct state new fib daddr type local ct mark set ct mark or 0x")
                    .append(Long.toHexString(SERVED_MARK)).append("\n");
            sb.append("\t}\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    /**
     * The whole nft ruleset of the plan, loaded with one {@code nft -f} (one transaction: all of
     * it or nothing). Empty when the plan needs no nft state.
     */
    public String nftScript() {
        return inetTableScript() + netdevTableScript();
    }

    /** The {@code netdev} table of {@code --serve} (its ingress chain and flow sets), or empty. */
    public String netdevTableScript() {
        if (!usesNetdevTable()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        appendServe(sb, plan.tags().nftTable(), quote(plan.tunName()));
        return sb.toString();
    }

    private void appendServe(StringBuilder sb, String name, String tun) {
        ServeSpec serve = plan.serve().orElseThrow();
        long idle = plan.servedFlowIdle().toSeconds();
        sb.append("table netdev ").append(name).append(" {\n");
        sb.append("\tcomment \"tuncrypt: inbound TCP-ENO SYNs to the stack on ").append(plan.tunName()).append("\"\n");
        for (boolean v4 : new boolean[] {true, false}) {
            if (plan.serves(v4)) {
                String addr = v4 ? "ipv4_addr" : "ipv6_addr";
                sb.append("\tset served").append(v4 ? 4 : 6).append(" {\n");
                sb.append("\t\ttype ").append(addr).append(" . inet_service . ").append(addr).append(" . inet_service\n");
                sb.append("\t\tsize 65536\n\t\tflags dynamic,timeout\n\t\ttimeout ").append(idle).append("s\n");
                sb.append("\t}\n");
            }
        }
        sb.append("\tchain ingress {\n");
        sb.append("\t\ttype filter hook ingress devices = { ");
        for (int i = 0; i < serve.ingressDevices().size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(quote(serve.ingressDevices().get(i)));
        }
        sb.append(" } priority filter; policy accept;\n");
        String ports = serve.allPorts() ? "" : "tcp dport " + portSet(serve.ports()) + " ";
        for (boolean v4 : new boolean[] {true, false}) {
            if (!plan.serves(v4)) {
                continue;
            }
            String ip = v4 ? "ip" : "ip6";
            String set = "@served" + (v4 ? 4 : 6);
            String key = ip + " saddr . tcp sport . " + ip + " daddr . tcp dport";
            // netdev sees both families: every rule names its own, so keys never read the other's header.
            String syn = "meta protocol " + ip + " tcp flags & (syn | ack) == syn ";
            // A SYN starts a flow afresh: forget the 4-tuple; an ENO SYN adds it back below.
            sb.append("\t\t").append(syn).append(key).append(' ').append(set)
                    .append(" delete ").append(set).append(" { ").append(key).append(" }\n");
            // Only SYNs to this host's own addresses (not ones it forwards). RFC 8547 section 4.1:
            // the ENO option is TCP option kind 69 ...
            sb.append("\t\t").append(syn).append(ports).append("fib daddr type local")
                    .append(" tcp option 69 exists add ").append(set).append(" { ").append(key).append(" }\n");
            // ... or, before its assignment, experimental kind 253 with ExID 0x454E (RFC 6994).
            sb.append("\t\t").append(syn).append(ports).append("fib daddr type local")
                    .append(" tcp option @253,16,16 0x454e add ").append(set).append(" { ").append(key).append(" }\n");
            sb.append("\t\tmeta protocol ").append(ip).append(' ').append(key).append(' ').append(set).append(" update ").append(set)
                    .append(" { ").append(key).append(" } counter fwd ").append(ip).append(" to ")
                    .append(Addresses.text(plan.stackAddress(v4).orElseThrow())).append(" device ").append(tun).append('\n');
        }
        sb.append("\t}\n");
        sb.append("}\n");
    }

    private static String portSet(List<PortRange> ports) {
        StringBuilder sb = new StringBuilder("{ ");
        for (int i = 0; i < ports.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(ports.get(i));
        }
        return sb.append(" }").toString();
    }

    private static String quote(String device) {
        return "\"" + device + "\"";
    }

    /**
     * The sysctls the path needs. IPv4: forwarding (see {@link #forwarding4()}), loose
     * reverse-path filtering on the TUN device (replies to uid- or mark-steered sockets, and the
     * served connections' leg 2 from the client's address, come from addresses the kernel routes
     * elsewhere), and {@code accept_local} when serving (the stack answers from the host's own
     * address). IPv6: the global forwarding switch, only when the plan steers or serves IPv6
     * (IPv6 has no per-device forwarding before {@code force_forwarding} of Linux 6.17).
     */
    public List<SysctlSetting> sysctls() {
        List<SysctlSetting> out = new ArrayList<>();
        boolean any6 = plan.steers(false) || plan.serves(false);
        String tun = plan.tunName().replace('.', '/');
        if (plan.forwards(true)) {
            out.add(forwarding4());
            out.add(new SysctlSetting("net.ipv4.conf." + tun + ".rp_filter", "2", null));
        }
        if (plan.serves(true)) {
            out.add(new SysctlSetting("net.ipv4.conf." + tun + ".accept_local", "1", null));
        }
        if (any6) {
            out.add(new SysctlSetting("net.ipv6.conf.all.forwarding", "1", "net\\.ipv6\\.conf\\..*\\.forwarding"));
        }
        return out;
    }

    /**
     * IPv4 forwarding, no wider than needed. Linux checks IPv4 forwarding on the device a packet
     * came in on ({@code IN_DEV_FORWARD} of the input device; verified on 6.18 with
     * {@code ip_forward=0}: forwarding on the ingress device alone is enough for each direction).
     * The stack's own packets come in on the TUN device, so without steering (serving only, or
     * routing into the device by hand) {@code net.ipv4.conf.TUN.forwarding} suffices and
     * {@code net.ipv4.ip_forward} stays as it was found. Steering needs more: the replies to
     * leg 2 come back on whichever interface leads to the steered destination (any, for uid and
     * mark steering), so the host-wide switch is set.
     */
    SysctlSetting forwarding4() {
        if (plan.steers(true)) {
            return new SysctlSetting("net.ipv4.ip_forward", "1", "net\\.ipv4\\.conf\\..*\\.forwarding");
        }
        return new SysctlSetting("net.ipv4.conf." + plan.tunName().replace('.', '/') + ".forwarding", "1", null);
    }

    /** The nft script that deletes our tables (those named in {@code present}). */
    public static String nftDeleteScript(RoutingTags tags, List<String> presentFamilies) {
        StringBuilder sb = new StringBuilder();
        for (String family : presentFamilies) {
            sb.append("delete table ").append(family).append(' ').append(tags.nftTable()).append('\n');
        }
        return sb.toString();
    }

    /**
     * The commands that delete the fail-closed routes ({@link #failClosedRoute}), run before the
     * flush: {@code ip -6 route flush} passes over {@code unreachable} default routes (it keeps
     * the kernel's own), so ours are named one by one. Either may be absent (nothing steered in
     * that family): callers tolerate a failure and check what is left afterwards.
     */
    public static List<Command> teardownFailClosedRoutes(RoutingTags tags) {
        List<Command> out = new ArrayList<>();
        for (String fam : List.of("-4", "-6")) {
            out.add(Command.of("ip", fam, "route", "del", "unreachable", "default", "table", Integer.toString(tags.table()),
                    "metric", Long.toString(FAIL_CLOSED_METRIC), "proto", Integer.toString(tags.protocol())));
        }
        return out;
    }

    /** The commands that remove our rules and routes by their protocol tag (nobody else's). */
    public static List<Command> teardownRulesAndRoutes(RoutingTags tags) {
        String proto = Integer.toString(tags.protocol());
        return List.of(
                Command.of("ip", "-4", "rule", "flush", "protocol", proto),
                Command.of("ip", "-6", "rule", "flush", "protocol", proto),
                Command.of("ip", "-4", "route", "flush", "table", "all", "proto", proto),
                Command.of("ip", "-6", "route", "flush", "table", "all", "proto", proto));
    }
}
