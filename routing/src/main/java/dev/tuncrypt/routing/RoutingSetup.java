package dev.tuncrypt.routing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link RoutingPlan}: checks the tools and that no leftovers exist, records the
 * sysctls it will change in the state file, loads the nft ruleset in one transaction, adds the
 * rules and routes, sets the sysctls, and verifies the kernel's state against the plan. Any
 * failure rolls everything back before the exception leaves.
 */
public final class RoutingSetup {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingSetup.class);

    private RoutingSetup() {}

    /** Applies the plan on this host with the state file under {@code /run/tuncrypt}. */
    public static AppliedRouting apply(RoutingPlan plan) throws RoutingException {
        return apply(plan, CommandRunner.local(), SysctlJournal.DEFAULT_DIRECTORY);
    }

    /**
     * Applies the plan through {@code runner} with the state file in {@code stateDirectory}.
     *
     * @throws LeftoversException if state of ours already exists (nothing is changed)
     * @throws KernelFeatureException if nft or the kernel cannot do what the plan needs
     *     (nothing is changed)
     */
    public static AppliedRouting apply(RoutingPlan plan, CommandRunner runner, Path stateDirectory) throws RoutingException {
        PlanCommands commands = new PlanCommands(plan);
        AppliedRouting handle = new AppliedRouting(plan, runner, stateDirectory);
        if (!plan.changesKernel()) {
            return handle;
        }
        for (String tool : List.of("ip", "nft", "sysctl")) {
            runner.requireTool(tool);
        }
        KernelState state = new KernelState(runner, plan.tags());
        List<String> leftovers = state.describe();
        if (leftovers.isEmpty() && SysctlJournal.exists(stateDirectory)) {
            // Every plan creates an nft table, which outlives a crash: a state file without any of
            // our rules or tables belongs to a namespace that is gone (its inode was reused).
            LOG.warn("ignoring stale routing state file {}: none of its rules or tables exist here",
                    SysctlJournal.file(stateDirectory));
            try {
                StateOwner.delete(stateDirectory);
                SysctlJournal.delete(stateDirectory);
            } catch (java.io.IOException e) {
                throw new LeftoversException("stale routing state file " + SysctlJournal.file(stateDirectory)
                        + " cannot be removed: " + e.getMessage());
            }
        }
        if (SysctlJournal.exists(stateDirectory)) {
            leftovers = new ArrayList<>(leftovers);
            leftovers.add("state file " + SysctlJournal.file(stateDirectory));
        }
        if (!leftovers.isEmpty()) {
            Optional<StateOwner> owner = StateOwner.read(stateDirectory).filter(StateOwner::alive);
            if (owner.isPresent()) {
                throw new LeftoversException("tuncryptd pid " + owner.get().pid() + " runs with its routing plan here;"
                        + " one daemon per host or namespace");
            }
            throw new LeftoversException("routing state of a previous tuncryptd exists (" + leftovers.size()
                    + " items, first: " + leftovers.get(0) + "); stop it or run tuncryptd --cleanup");
        }
        for (String device : plan.serve().map(ServeSpec::ingressDevices).orElse(List.of())) {
            // Recent kernels accept hooks on absent devices: check, or nothing would ever be served.
            if (!runner.run(Command.of("ip", "link", "show", "dev", device)).ok()) {
                throw new InvalidPlanException("serving on " + device + ": no such network interface");
            }
        }
        if (!runner.run(Command.of("ip", "link", "show", "dev", plan.tunName())).ok()) {
            throw new InvalidPlanException("no network interface " + plan.tunName() + " to route into");
        }
        String script = commands.nftScript();
        if (!script.isEmpty()) {
            CommandRunner.Result check = runner.run(new Command(List.of("nft", "--check", "-f", "-"), script));
            if (!check.ok()) {
                throw new KernelFeatureException("nft cannot load the routing ruleset (kernel or nftables too old,"
                        + " or a device is missing): " + firstLine(check.stderr()));
            }
        }
        Sysctls sysctls = new Sysctls(runner);
        List<SysctlJournal.Entry> originals = new ArrayList<>();
        List<SysctlSetting> changes = new ArrayList<>();
        for (SysctlSetting s : commands.sysctls()) {
            Optional<String> old = sysctls.read(s.key());
            if (old.isEmpty()) {
                throw new KernelFeatureException("sysctl " + s.key() + " does not exist (is the device "
                        + plan.tunName() + " there, and IPv6 enabled?)");
            }
            if (old.get().equals(s.value())) {
                continue; // already right: neither written nor recorded: not written (a read-only /proc/sys, as in containers, is fine)
            }
            changes.add(s);
            if (s.propagatesTo() != null) {
                for (Map.Entry<String, String> e : sysctls.readMatching(s.propagatesTo()).entrySet()) {
                    originals.add(new SysctlJournal.Entry(e.getKey(), e.getValue()));
                }
            }
            originals.add(new SysctlJournal.Entry(s.key(), old.get()));
        }
        try {
            SysctlJournal.write(stateDirectory, plan.tunName(), originals);
            StateOwner.write(stateDirectory, StateOwner.current()); // --cleanup refuses while this process runs
        } catch (IOException e) {
            throw new CommandFailedException(Command.of("write", SysctlJournal.file(stateDirectory).toString()), -1,
                    e.toString());
        }
        try {
            if (!script.isEmpty()) {
                runner.check(new Command(List.of("nft", "-f", "-"), script));
            }
            for (Command c : commands.rulesAndRoutes()) {
                runner.check(c);
            }
            for (SysctlSetting s : changes) {
                sysctls.write(s.key(), s.value());
            }
            verify(plan, commands, state, sysctls);
        } catch (RoutingException | RuntimeException e) {
            try {
                handle.close();
            } catch (RoutingException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
        LOG.info("routing plan for {} applied: {} rules/routes, nft tables {}, {} sysctls recorded in {}",
                plan.tunName(), commands.rulesAndRoutes().size(), state.nftTables(), originals.size(),
                SysctlJournal.file(stateDirectory));
        return handle;
    }

    static void verify(RoutingPlan plan, PlanCommands commands, KernelState state, Sysctls sysctls)
            throws RoutingException {
        for (boolean v4 : new boolean[] {true, false}) {
            int[] want = commands.expectedCounts(v4);
            int rules = state.rules(v4).size();
            int routes = state.routes(v4).size();
            if (rules != want[0] || routes != want[1]) {
                throw new VerificationException((v4 ? "IPv4" : "IPv6") + ": expected " + want[0] + " rules and " + want[1]
                        + " routes tagged proto " + plan.tags().protocol() + ", found " + rules + " and " + routes);
            }
        }
        List<String> tables = state.nftTables();
        if (commands.usesInetTable() != tables.contains("inet") || commands.usesNetdevTable() != tables.contains("netdev")) {
            throw new VerificationException("nft tables named " + plan.tags().nftTable() + ": found " + tables);
        }
        for (SysctlSetting s : commands.sysctls()) {
            Optional<String> now = sysctls.read(s.key());
            if (!now.equals(Optional.of(s.value()))) {
                throw new VerificationException("sysctl " + s.key() + " is " + now.orElse("missing") + ", expected " + s.value());
            }
        }
    }

    private static String firstLine(String text) {
        String t = text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
