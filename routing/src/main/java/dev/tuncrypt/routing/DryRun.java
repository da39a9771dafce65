package dev.tuncrypt.routing;

import java.util.List;

/** The plan as the exact commands it would run, changing nothing. */
public final class DryRun {
    private DryRun() {}

    /**
     * The commands as a shell script: {@code nft -f -} with its ruleset as a here-document, then
     * the {@code ip} and {@code sysctl} commands.
     */
    public static String render(RoutingPlan plan) {
        PlanCommands commands = new PlanCommands(plan);
        StringBuilder sb = new StringBuilder();
        sb.append("# tuncrypt routing plan for ").append(plan.tunName()).append(" (dry run: nothing was changed)\n");
        if (!plan.require().isEmpty()) {
            sb.append("# required encrypted (enforced by the daemon per connection):");
            for (Destination d : plan.require()) {
                sb.append(' ').append(d);
            }
            sb.append('\n');
        }
        List<Command> all = commands.apply();
        if (all.isEmpty()) {
            sb.append("# nothing to route\n");
        }
        for (Command c : all) {
            if (c.stdin() != null) {
                sb.append(c.render()).append(" <<'EOF'\n").append(c.stdin()).append("EOF\n");
            } else {
                sb.append(c.render()).append('\n');
            }
        }
        return sb.toString();
    }
}
