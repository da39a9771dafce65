package dev.tuncrypt.routing;

import java.nio.file.Path;

/**
 * A plan in force. {@link #close()} removes exactly what it added (rules, routes and nft tables
 * found by their tag) and puts the recorded sysctl values back; closing twice is harmless.
 */
public final class AppliedRouting implements AutoCloseable {
    private RoutingPlan plan;
    private final CommandRunner runner;
    private final Path stateDirectory;
    private boolean closed;

    AppliedRouting(RoutingPlan plan, CommandRunner runner, Path stateDirectory) {
        this.plan = plan;
        this.runner = runner;
        this.stateDirectory = stateDirectory;
    }

    /** The plan in force. */
    public synchronized RoutingPlan plan() {
        return plan;
    }

    /**
     * Puts {@code next} in force instead of the current plan (a reload): rules, routes and nft
     * tables that differ are changed, in one nft transaction plus the rule changes, and verified.
     * On any error the current plan stays in force (put back and verified) and the exception says
     * why.
     *
     * @return one line saying what changed ("no change" when the plans are the same)
     * @throws InvalidPlanException if the device or the stack's addresses differ (a restart is needed)
     */
    public synchronized String replace(RoutingPlan next) throws RoutingException {
        if (closed) {
            throw new InvalidPlanException("routing is no longer in force");
        }
        RoutingChange.Summary s = new RoutingChange(runner, stateDirectory).apply(plan, next);
        plan = next;
        if (s.nothing()) {
            return "no change";
        }
        return "rules/routes +" + s.added().size() + " -" + s.removed().size()
                + (s.nftTables().isEmpty() ? "" : ", nft tables " + String.join(", ", s.nftTables()) + " replaced");
    }

    /** Packets and bytes the serving rules diverted to the stack so far. */
    public synchronized ServedTraffic servedTraffic() throws RoutingException {
        if (closed || !new PlanCommands(plan).usesNetdevTable()) {
            return ServedTraffic.NONE;
        }
        return new KernelState(runner, plan.tags()).servedTraffic();
    }

    @Override
    public synchronized void close() throws RoutingException {
        if (closed) {
            return;
        }
        if (plan.changesKernel()) {
            Cleanup.run(runner, stateDirectory, plan.tags());
        }
        closed = true;
    }
}
