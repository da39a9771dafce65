package dev.tuncrypt.routing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the kernel from one plan in force to another (a reload) without a gap: the nft tables
 * whose text changes are replaced in one {@code nft -f} transaction (tables that stay the same
 * are not touched, so the served-flow sets keep their entries), the new rules and routes are
 * added before the old ones are deleted, new sysctls are recorded in the state file before they
 * are written, and the result is verified against the new plan. On any failure the old plan is
 * put back (and verified) before the exception leaves. The fail-closed route and the owner file
 * stay as they are: both plans carry the route in every steered family, and the owner is this
 * process either way.
 */
final class RoutingChange {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingChange.class);

    private final CommandRunner runner;
    private final Path stateDirectory;

    RoutingChange(CommandRunner runner, Path stateDirectory) {
        this.runner = runner;
        this.stateDirectory = stateDirectory;
    }

    /**
     * What a change did.
     *
     * @param added rules and routes added
     * @param removed rules and routes deleted
     * @param nftTables the nft table families replaced, added or deleted
     */
    record Summary(List<Command> added, List<Command> removed, List<String> nftTables) {
        boolean nothing() {
            return added.isEmpty() && removed.isEmpty() && nftTables.isEmpty();
        }
    }

    /** One nft table family's text before and after. */
    private record Table(String family, String before, String after) {
        boolean changed() {
            return !before.equals(after);
        }
    }

    Summary apply(RoutingPlan from, RoutingPlan to) throws RoutingException {
        if (!from.tunName().equals(to.tunName()) || !from.stackAddresses().equals(to.stackAddresses())
                || !from.tags().equals(to.tags())) {
            throw new InvalidPlanException("the device, the stack's addresses or the tags differ: that needs a restart");
        }
        PlanCommands was = new PlanCommands(from);
        PlanCommands will = new PlanCommands(to);
        for (String tool : List.of("ip", "nft", "sysctl")) {
            runner.requireTool(tool);
        }
        for (String device : to.serve().map(ServeSpec::ingressDevices).orElse(List.of())) {
            if (!runner.run(Command.of("ip", "link", "show", "dev", device)).ok()) {
                throw new InvalidPlanException("serving on " + device + ": no such network interface");
            }
        }
        List<Table> tables = List.of(new Table("inet", was.inetTableScript(), will.inetTableScript()),
                new Table("netdev", was.netdevTableScript(), will.netdevTableScript()));
        String forward = nftTransaction(to.tags(), tables, false);
        if (!forward.isEmpty()) {
            CommandRunner.Result check = runner.run(new Command(List.of("nft", "--check", "-f", "-"), forward));
            if (!check.ok()) {
                throw new KernelFeatureException("nft cannot load the new routing ruleset: " + firstLine(check.stderr()));
            }
        }
        List<Command> added = minus(will.rulesAndRoutes(), was.rulesAndRoutes());
        List<Command> removed = minus(was.rulesAndRoutes(), will.rulesAndRoutes());
        List<SysctlSetting> newSysctls = minus(will.sysctls(), was.sysctls());
        Sysctls sysctls = new Sysctls(runner);
        KernelState state = new KernelState(runner, to.tags());

        boolean nftDone = false;
        List<Command> addedDone = new ArrayList<>();
        List<Command> removedDone = new ArrayList<>();
        try {
            if (!forward.isEmpty()) {
                runner.check(new Command(List.of("nft", "-f", "-"), forward));
                nftDone = true;
            }
            for (Command c : added) {
                runner.check(c);
                addedDone.add(c);
            }
            for (Command c : removed) {
                runner.check(delete(c));
                removedDone.add(c);
            }
            writeSysctls(sysctls, newSysctls, to.tunName());
            RoutingSetup.verify(to, will, state, sysctls);
        } catch (RoutingException | RuntimeException e) {
            try {
                rollBack(from, was, tables, nftDone, addedDone, removedDone, state, sysctls);
            } catch (RoutingException | RuntimeException rollback) {
                e.addSuppressed(rollback);
                LOG.error("routing: putting the old plan back failed too: {}", rollback.getMessage());
            }
            throw e;
        }
        return new Summary(added, removed, tables.stream().filter(Table::changed).map(Table::family).toList());
    }

    /**
     * Sysctls the new plan needs and the old did not (IPv6 forwarding when IPv6 is steered for
     * the first time, say): recorded before written, so a clean stop or {@code --cleanup}
     * restores them. Sysctls only the old plan needed stay set until the daemon stops.
     */
    private void writeSysctls(Sysctls sysctls, List<SysctlSetting> settings, String tunName) throws RoutingException {
        List<SysctlJournal.Entry> originals = new ArrayList<>();
        List<SysctlSetting> changes = new ArrayList<>();
        for (SysctlSetting s : settings) {
            Optional<String> old = sysctls.read(s.key());
            if (old.isEmpty()) {
                throw new KernelFeatureException("sysctl " + s.key() + " does not exist");
            }
            if (old.get().equals(s.value())) {
                continue;
            }
            if (s.propagatesTo() != null) {
                for (var e : sysctls.readMatching(s.propagatesTo()).entrySet()) {
                    originals.add(new SysctlJournal.Entry(e.getKey(), e.getValue()));
                }
            }
            originals.add(new SysctlJournal.Entry(s.key(), old.get()));
            changes.add(s);
        }
        if (changes.isEmpty()) {
            return;
        }
        try {
            List<SysctlJournal.Entry> all = new ArrayList<>(SysctlJournal.read(stateDirectory));
            all.addAll(originals);
            SysctlJournal.write(stateDirectory, tunName, all);
        } catch (IOException e) {
            throw new CommandFailedException(Command.of("write", SysctlJournal.file(stateDirectory).toString()), -1,
                    e.toString());
        }
        for (SysctlSetting s : changes) {
            sysctls.write(s.key(), s.value());
        }
    }

    private void rollBack(RoutingPlan from, PlanCommands was, List<Table> tables, boolean nftDone, List<Command> addedDone,
            List<Command> removedDone, KernelState state, Sysctls sysctls) throws RoutingException {
        for (Command c : removedDone) {
            runner.check(c);
        }
        for (Command c : addedDone) {
            runner.check(delete(c));
        }
        if (nftDone) {
            runner.check(new Command(List.of("nft", "-f", "-"), nftTransaction(from.tags(), tables, true)));
        }
        RoutingSetup.verify(from, was, state, sysctls);
        LOG.info("routing: the old plan is in force again");
    }

    /**
     * One nft script (one transaction) that deletes the changed tables and loads their new text
     * (or, backwards, the old text).
     */
    private static String nftTransaction(RoutingTags tags, List<Table> tables, boolean backwards) {
        StringBuilder sb = new StringBuilder();
        for (Table t : tables) {
            if (!t.changed()) {
                continue;
            }
            String present = backwards ? t.after() : t.before();
            String wanted = backwards ? t.before() : t.after();
            if (!present.isEmpty()) {
                sb.append("delete table ").append(t.family()).append(' ').append(tags.nftTable()).append('\n');
            }
            sb.append(wanted);
        }
        return sb.toString();
    }

    /** The {@code ip ... del ...} that undoes an {@code ip ... add ...}. */
    static Command delete(Command add) {
        List<String> argv = new ArrayList<>(add.argv());
        int at = argv.indexOf("add");
        if (at < 0) {
            throw new IllegalArgumentException("not an add: " + add);
        }
        argv.set(at, "del");
        return new Command(argv, add.stdin());
    }

    /** {@code a} without one occurrence of each element of {@code b}, in {@code a}'s order. */
    private static <T> List<T> minus(List<T> a, List<T> b) {
        List<T> rest = new ArrayList<>(b);
        List<T> out = new ArrayList<>();
        for (T x : a) {
            if (!rest.remove(x)) {
                out.add(x);
            }
        }
        return out;
    }

    private static String firstLine(String text) {
        String t = text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
