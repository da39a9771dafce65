package dev.tuncrypt.routing;

import java.nio.file.Path;

/**
 * A plan in force. {@link #close()} removes exactly what it added (rules, routes and nft tables
 * found by their tag) and puts the recorded sysctl values back; closing twice is harmless.
 */
public final class AppliedRouting implements AutoCloseable {
    private final RoutingPlan plan;
    private final CommandRunner runner;
    private final Path stateDirectory;
    private boolean closed;

    AppliedRouting(RoutingPlan plan, CommandRunner runner, Path stateDirectory) {
        this.plan = plan;
        this.runner = runner;
        this.stateDirectory = stateDirectory;
    }

    /** The plan in force. */
    public RoutingPlan plan() {
        return plan;
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
