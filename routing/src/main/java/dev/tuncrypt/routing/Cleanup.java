package dev.tuncrypt.routing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes this project's routing state, whoever left it: rules and routes carrying our protocol
 * number, our nft tables, and the sysctl values recorded in the state file. Used by
 * {@link AppliedRouting#close()} and by {@code tuncryptd --cleanup} after a crash. Idempotent: a
 * second run finds nothing and changes nothing.
 */
public final class Cleanup {
    private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);

    /**
     * What a run removed.
     *
     * @param rules rules deleted
     * @param routes routes deleted
     * @param nftTables nft tables deleted
     * @param sysctls sysctl values written back
     * @param stateFile whether a state file was found (and removed)
     */
    public record Report(int rules, int routes, int nftTables, int sysctls, boolean stateFile) {
        /** Whether nothing was found. */
        public boolean nothing() {
            return rules == 0 && routes == 0 && nftTables == 0 && sysctls == 0 && !stateFile;
        }

        /** For the log: {@code 4 rules, 2 routes, 1 nft tables, 2 sysctls, state file} (never a record dump). */
        @Override
        public String toString() {
            return rules + " rules, " + routes + " routes, " + nftTables + " nft tables, " + sysctls + " sysctls"
                    + (stateFile ? ", state file" : ", no state file");
        }
    }

    private Cleanup() {}

    /**
     * {@code tuncryptd --cleanup}: cleans this host with the state file under {@code /run/tuncrypt},
     * unless the daemon that owns the state still runs.
     *
     * @param force clean even under a running owner (its steered traffic then leaves in the clear)
     * @throws OwnerAliveException if the owner runs and {@code force} is false (nothing changed)
     */
    public static Report run(boolean force) throws RoutingException {
        return run(CommandRunner.local(), SysctlJournal.DEFAULT_DIRECTORY, RoutingTags.DEFAULT, force);
    }

    /** As {@link #run(CommandRunner, Path, RoutingTags)}, first refusing while the state's owner runs. */
    public static Report run(CommandRunner runner, Path stateDirectory, RoutingTags tags, boolean force)
            throws RoutingException {
        java.util.Optional<StateOwner> owner = StateOwner.read(stateDirectory);
        if (owner.isPresent() && owner.get().alive()) {
            if (!force) {
                throw new OwnerAliveException(owner.get().pid());
            }
            LOG.warn("--force: removing the routing state of running tuncryptd pid {}", owner.get().pid());
        }
        return run(runner, stateDirectory, tags);
    }

    /** Cleans through {@code runner} with the state file in {@code stateDirectory}. */
    public static Report run(CommandRunner runner, Path stateDirectory, RoutingTags tags) throws RoutingException {
        for (String tool : List.of("ip", "nft", "sysctl")) {
            runner.requireTool(tool);
        }
        KernelState state = new KernelState(runner, tags);
        int rules = state.rules(true).size() + state.rules(false).size();
        int routes = state.routes(true).size() + state.routes(false).size();
        List<String> tables = state.nftTables();
        if (!tables.isEmpty()) {
            // One transaction: both tables go together.
            runner.check(new Command(List.of("nft", "-f", "-"), PlanCommands.nftDeleteScript(tags, tables)));
        }
        if (rules + routes > 0) {
            for (Command c : PlanCommands.teardownFailClosedRoutes(tags)) {
                runner.run(c); // absent in a family that was not steered: the check below sees what is left
            }
            for (Command c : PlanCommands.teardownRulesAndRoutes(tags)) {
                runner.check(c);
            }
        }
        List<SysctlJournal.Entry> originals;
        boolean stateFile = SysctlJournal.exists(stateDirectory);
        try {
            originals = SysctlJournal.read(stateDirectory);
        } catch (IOException e) {
            throw new CommandFailedException(Command.of("read", SysctlJournal.file(stateDirectory).toString()), -1, e.toString());
        }
        int sysctls = SysctlJournal.restore(new Sysctls(runner), originals);
        try {
            StateOwner.delete(stateDirectory);
            SysctlJournal.delete(stateDirectory);
        } catch (IOException e) {
            throw new CommandFailedException(Command.of("rm", SysctlJournal.file(stateDirectory).toString()), -1, e.toString());
        }
        List<String> remaining = state.describe();
        if (!remaining.isEmpty()) {
            throw new VerificationException("cleanup left " + remaining.size() + " items, first: " + remaining.get(0));
        }
        Report report = new Report(rules, routes, tables.size(), sysctls, stateFile);
        if (!report.nothing()) {
            LOG.info("routing state removed: {}", report);
        }
        return report;
    }
}
