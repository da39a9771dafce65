package dev.tuncrypt.daemon;

import dev.tuncrypt.routing.Destination;
import dev.tuncrypt.routing.FirewallMark;
import dev.tuncrypt.routing.InvalidPlanException;
import dev.tuncrypt.routing.PortRange;
import dev.tuncrypt.routing.RoutingPlan;
import dev.tuncrypt.routing.ServeSpec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The routing options of {@code tuncryptd} (a picocli mixin): which traffic the kernel steers
 * into the stack's TUN device, which inbound tcpcrypt connections the stack serves, which
 * destinations must be encrypted, and the dry-run and cleanup modes. {@link #plan} turns them
 * into a {@link RoutingPlan} once the device and addresses are known.
 */
public final class RoutingOptions {

    @Option(names = "--steer", paramLabel = "PREFIX[:PORTS]",
            description = "Send outbound TCP to PREFIX (IPv4 or IPv6; optional PORTS like 80, 80,443 or 8000-8100)"
                    + " through the stack (repeatable). IPv6 with ports: 2001:2::/48:443 or [2001:2::7]:443.")
    List<String> steer = new ArrayList<>();

    @Option(names = "--steer-uid", paramLabel = "UID",
            description = "Send all outbound TCP of sockets owned by this numeric uid through the stack (repeatable).")
    List<String> steerUids = new ArrayList<>();

    @Option(names = "--steer-mark", paramLabel = "MARK[/MASK]",
            description = "Send outbound TCP carrying this packet mark (decimal or 0x hex) through the stack (repeatable).")
    List<String> steerMarks = new ArrayList<>();

    @Option(names = "--serve", paramLabel = "PORTS|all",
            description = "Inbound SYNs with a TCP-ENO option to these local ports (or all) go to the stack, which"
                    + " terminates tcpcrypt and connects to the local service in the clear. Plain SYNs are untouched.")
    String serve;

    @Option(names = "--serve-on", paramLabel = "IFACE",
            description = "Interface whose inbound ENO SYNs --serve takes (repeatable; required with --serve).")
    List<String> serveOn = new ArrayList<>();

    @Option(names = "--require", paramLabel = "PREFIX[:PORTS]",
            description = "Connections to PREFIX (optional PORTS) must be encrypted: refused when the peer does not"
                    + " speak tcpcrypt (repeatable).")
    List<String> require = new ArrayList<>();

    @Option(names = "--dry-run",
            description = "Print the exact ip/nft/sysctl commands of the routing plan and exit, changing nothing.")
    boolean dryRun;

    @Option(names = "--cleanup",
            description = "Remove the routing state a killed tuncryptd left behind (rules, routes, nft tables tagged"
                    + " as ours; sysctls recorded in /run/tuncrypt/net-INODE/routing.state) and exit. Safe to repeat."
                    + " Refused (exit 1, naming its pid) while the daemon that set the state up still runs.")
    boolean cleanup;

    @Option(names = "--force",
            description = "With --cleanup: remove the state even though its daemon still runs. That daemon's steered"
                    + " and --require traffic then leaves unencrypted; stop it with SIGTERM instead where you can.")
    boolean force;

    private List<Destination> steerParsed = List.of();
    private List<Long> uidsParsed = List.of();
    private List<FirewallMark> marksParsed = List.of();
    private Optional<List<PortRange>> servePorts = Optional.empty();
    private List<Destination> requireParsed = List.of();

    /** Whether only the plan should be printed. */
    public boolean dryRun() {
        return dryRun;
    }

    /** Whether the daemon should only clean up leftovers. */
    public boolean cleanup() {
        return cleanup;
    }

    /** Whether {@code --cleanup} goes ahead under a running owner. */
    public boolean force() {
        return force;
    }

    /** Checks and parses what picocli cannot; every error is one line naming the option. */
    public void validate() throws UsageException {
        if (force && !cleanup) {
            throw new UsageException("--force only goes with --cleanup");
        }
        if (cleanup && (dryRun || !steer.isEmpty() || !steerUids.isEmpty() || !steerMarks.isEmpty() || serve != null
                || !serveOn.isEmpty() || !require.isEmpty())) {
            throw new UsageException("--cleanup takes no other routing option: it removes leftovers and exits");
        }
        steerParsed = destinations("--steer", steer);
        requireParsed = destinations("--require", require);
        List<Long> uids = new ArrayList<>();
        for (String u : steerUids) {
            if (u.isEmpty() || u.length() > 10 || !u.chars().allMatch(Character::isDigit)) {
                throw new UsageException("--steer-uid '" + u + "': a numeric uid is needed");
            }
            long uid = Long.parseLong(u);
            if (uid > 0xfffffffeL) {
                throw new UsageException("--steer-uid " + u + ": outside 0-4294967294");
            }
            if (uids.contains(uid)) {
                throw new UsageException("--steer-uid " + u + " given twice");
            }
            uids.add(uid);
        }
        uidsParsed = List.copyOf(uids);
        List<FirewallMark> marks = new ArrayList<>();
        for (String m : steerMarks) {
            try {
                marks.add(FirewallMark.parse(m));
            } catch (InvalidPlanException e) {
                throw new UsageException("--steer-mark: " + e.getMessage());
            }
        }
        marksParsed = List.copyOf(marks);
        if (serve == null) {
            if (!serveOn.isEmpty()) {
                throw new UsageException("--serve-on needs --serve PORTS|all");
            }
            servePorts = Optional.empty();
        } else {
            if (serveOn.isEmpty()) {
                throw new UsageException("--serve needs --serve-on IFACE: the interface(s) whose inbound ENO SYNs go to the stack");
            }
            for (String dev : serveOn) {
                if (!dev.matches("[A-Za-z0-9_.@-]{1,15}")) {
                    throw new UsageException("--serve-on '" + dev + "': not an interface name (1-15 characters)");
                }
            }
            try {
                servePorts = Optional.of("all".equals(serve) ? List.of() : PortRange.parseList(serve));
            } catch (InvalidPlanException e) {
                throw new UsageException("--serve: " + e.getMessage() + " (give PORTS like 80,443 or 8000-8100, or all)");
            }
        }
    }

    private static List<Destination> destinations(String option, List<String> texts) throws UsageException {
        List<Destination> out = new ArrayList<>();
        for (String t : texts) {
            try {
                out.add(Destination.parse(t));
            } catch (InvalidPlanException e) {
                throw new UsageException(option + " " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    /** Whether {@code --serve} covers this local port (false without {@code --serve}). */
    public boolean servesPort(int port) {
        return servePorts.map(ranges -> ranges.isEmpty() || ranges.stream().anyMatch(r -> r.first() <= port && port <= r.last()))
                .orElse(false);
    }

    /** The destinations that must be encrypted ({@code --require}), for the daemon's per-connection check. */
    public List<Destination> required() {
        return requireParsed;
    }

    /**
     * The routing plan for the stack on {@code tunName} with these addresses. Call {@link #validate()}
     * first.
     *
     * @param tunName the TUN device
     * @param stackAddresses the stack's addresses ({@code --stack-addr})
     * @param kernelAddresses the kernel side's addresses ({@code --tun-addr}); when the plan routes
     *     anything, each stack address must lie inside one of them, or the kernel could not route
     *     the replies to the stack's own connections back into the device
     */
    public RoutingPlan plan(String tunName, List<InetAddress> stackAddresses, List<Cidr> kernelAddresses) throws UsageException {
        Optional<ServeSpec> serveSpec = servePorts.map(p -> new ServeSpec(p, serveOn));
        RoutingPlan plan;
        try {
            plan = RoutingPlan.of(tunName, stackAddresses, steerParsed, uidsParsed, marksParsed, serveSpec, requireParsed);
        } catch (InvalidPlanException e) {
            throw new UsageException(e.getMessage());
        }
        if (plan.routes()) {
            for (InetAddress a : stackAddresses) {
                if (kernelAddresses.stream().noneMatch(k -> k.contains(a))) {
                    throw new UsageException("--stack-addr " + a.getHostAddress() + " lies outside every --tun-addr prefix:"
                            + " replies to the stack's connections would not be routed into " + tunName);
                }
            }
        }
        return plan;
    }
}
