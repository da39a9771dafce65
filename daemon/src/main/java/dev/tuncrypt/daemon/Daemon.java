package dev.tuncrypt.daemon;

import dev.tuncrypt.client.ControlAddress;
import dev.tuncrypt.daemon.control.ControlServer;
import dev.tuncrypt.daemon.control.OwnerCache;
import dev.tuncrypt.daemon.control.SocketOwners;
import dev.tuncrypt.daemon.metrics.MetricsServer;
import dev.tuncrypt.daemon.selftest.SelfTest;
import dev.tuncrypt.daemon.selftest.SelfTestResult;
import dev.tuncrypt.daemon.splice.SpliceSettings;
import dev.tuncrypt.routing.AppliedRouting;
import dev.tuncrypt.routing.Destination;
import dev.tuncrypt.routing.RoutingException;
import dev.tuncrypt.routing.RoutingPlan;
import dev.tuncrypt.routing.RoutingSetup;
import dev.tuncrypt.daemon.splice.Splicer;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: tcpcrypt, the stack on its TUN device, the splicer and the control
 * socket, built in that order and torn down in reverse, so a failure half-way leaves nothing
 * behind. Runs until SIGINT or SIGTERM; SIGHUP re-reads the configuration.
 */
final class Daemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    /** What the signal thread asks of the main thread. */
    enum Request { STOP, RELOAD }

    private final TcpCrypt tcpcrypt;
    private final StackHost host;
    private final Splicer splicer;
    private final List<AutoCloseable> extras;
    private final DaemonOptions options;
    private final LinkedBlockingQueue<Request> requests;
    /** The routing plan in force, or null when the plan changes nothing in the kernel. */
    private final AppliedRouting routing;
    /** {@code tuncrypt reload} requests waiting for the next reload's outcome. */
    private final ConcurrentLinkedQueue<CompletableFuture<ReloadOutcome>> reloadWaiters;
    /** The options in force (those of the last successful reload). */
    private volatile DaemonOptions live;

    /** What a reload did: applied (with a summary) or refused (with the reason; the old configuration stays). */
    record ReloadOutcome(boolean applied, String message) {}

    /** The configuration as it is now; throws naming file, line and reason when it is not valid. */
    @FunctionalInterface
    interface ConfigSource {
        DaemonOptions read() throws UsageException;
    }

    private Daemon(TcpCrypt tcpcrypt, StackHost host, Splicer splicer, List<AutoCloseable> extras, DaemonOptions options,
            LinkedBlockingQueue<Request> requests, AppliedRouting routing,
            ConcurrentLinkedQueue<CompletableFuture<ReloadOutcome>> reloadWaiters) {
        this.reloadWaiters = reloadWaiters;
        this.requests = requests;
        this.routing = routing;
        this.live = options;
        this.tcpcrypt = tcpcrypt;
        this.host = host;
        this.splicer = splicer;
        this.extras = extras;
        this.options = options;
    }

    /**
     * Sets everything up. {@code requests} already receives the signals (installed before
     * start-up, so a SIGTERM during start-up still ends in a clean stop).
     */
    static Daemon start(DaemonOptions options, PrintWriter err, LinkedBlockingQueue<Request> requests)
            throws DaemonException {
        Privileges.Account account = options.user != null ? Privileges.lookup(options.user) : null;
        if (options.jail != null) {
            Privileges.checkJail(options.jail);
        }
        TcpCrypt tcpcrypt = TcpCrypt.create(cryptConfig(options));
        StackHost host = null;
        Splicer splicer = null;
        List<AutoCloseable> extras = new ArrayList<>();
        ConcurrentLinkedQueue<CompletableFuture<ReloadOutcome>> reloadWaiters = new ConcurrentLinkedQueue<>();
        try {
            host = StackHost.open(options.device, b -> b.protection(tcpcrypt.protections()));
            RoutingPlan plan = options.routing.plan(options.device.tunName, options.device.stackAddresses,
                    options.device.kernelAddresses);
            AppliedRouting routing = null;
            if (plan.changesKernel()) {
                routing = RoutingSetup.apply(plan);
                extras.add(routing);
            }
            splicer = Splicer.start(host.stack(), tcpcrypt, spliceSettings(options), Version.NUMBER);
            splicer.describeHost(host::facts, () -> StatusFacts.routing(plan));
            OwnerCache owners = new OwnerCache(new SocketOwners(), OWNER_TABLE_MAX_AGE.toNanos(), System::nanoTime);
            splicer.ownerResolver(owners::uidOf);
            if (options.metricsAddress != null) {
                extras.add(MetricsServer.start(options.metricsAddress.socketAddress(), splicer, host.stack(), tcpcrypt));
            }
            if (options.selfTestAddress != null) {
                SelfTestResult r = SelfTest.run(host.stack(), tcpcrypt, options.selfTestAddress.socketAddress(),
                        Duration.ofSeconds(options.connectTimeout));
                if (!r.passed() && options.requireSelfTest) {
                    throw new DaemonException("self-test against " + options.selfTestAddress + " " + r.describe());
                }
            }
            ControlAddress controlAddress = options.control.address();
            String control = "none";
            if (controlAddress != null) {
                ControlServer server = ControlServer.start(controlAddress, splicer, options.control.permissions());
                extras.add(server);
                server.onReload(() -> {
                    CompletableFuture<ReloadOutcome> outcome = new CompletableFuture<>();
                    reloadWaiters.add(outcome);
                    requests.add(Request.RELOAD);
                    return outcome.thenApply(o -> new ControlServer.ReloadResult(o.applied(), o.message()));
                });
                control = controlAddress.toString();
            }
            if (account != null) {
                StopWatcher.start(options.control.address() instanceof ControlAddress.UnixPath u ? u.path() : null);
                Privileges.drop(account, options.jail);
            }
            err.println("tuncryptd " + Version.NUMBER + ": " + host.describe() + "; dialect " + options.dialect
                    + ", crypt " + options.effectiveMode().name().toLowerCase()
                    + (options.noCache ? ", no session cache" : "") + "; control " + control + "; ready");
            return new Daemon(tcpcrypt, host, splicer, extras, options, requests, routing, reloadWaiters);
        } catch (DaemonException | UsageException | RoutingException | IOException | RuntimeException e) {
            // Whatever failed half-way: undo what was set up, newest first.
            closeAll(extras);
            if (splicer != null) {
                splicer.close(Duration.ZERO);
            }
            if (host != null) {
                host.close();
            }
            tcpcrypt.close();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw switch (e) {
                case DaemonException d -> d;
                case UsageException u -> new DaemonException(u.getMessage(), u);
                case RoutingException r -> new DaemonException("routing: " + r.getMessage(), r);
                default -> new DaemonException("cannot start: " + e.getMessage(), e);
            };
        }
    }

    static TcpCryptConfig cryptConfig(DaemonOptions options) {
        return Dialects.config(dev.tuncrypt.tcpcrypt.CryptMode.DEFAULT, options.dialects, options.dialectRules)
                .withSessionCache(!options.noCache).withRekeyAfterBytes(options.rekeyAfter);
    }

    static SpliceSettings spliceSettings(DaemonOptions options) {
        List<Destination> required = options.routing.required();
        RoutingOptions routing = options.routing;
        return SpliceSettings.DEFAULT.withMode(options.effectiveMode())
                .withRequired(a -> required.stream().anyMatch(d -> d.matches(a)))
                // what the serve hook brings: this host's own addresses, served ports (the port first: cheap)
                .withServed(a -> routing.servesPort(a.getPort()) && LocalAddresses.isLocal(a.getAddress()))
                .withPendingBounds(options.maxPending, options.maxPendingPerSource)
                .withConnectTimeout(Duration.ofSeconds(options.connectTimeout))
                .withIdleTimeout(options.idle())
                .withPathMtu(options.pathMtu);
    }

    Splicer splicer() {
        return splicer;
    }

    /**
     * Serves until SIGINT or SIGTERM; on SIGHUP or {@code tuncrypt reload} reads the configuration
     * from {@code config} and applies it (see {@link #reload}).
     */
    void run(ConfigSource config) {
        while (true) {
            Request r;
            try {
                r = requests.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (r == Request.STOP) {
                log.info("stopping");
                armStopDeadline(Duration.ofSeconds(options.stopGrace).plus(STOP_MARGIN));
                return;
            }
            // Those who asked before this reload read the file get its outcome; later ones queued
            // a reload of their own.
            List<CompletableFuture<ReloadOutcome>> waiting = new ArrayList<>();
            for (CompletableFuture<ReloadOutcome> w; (w = reloadWaiters.poll()) != null; ) {
                waiting.add(w);
            }
            ReloadOutcome outcome = reload(config);
            waiting.forEach(w -> w.complete(outcome));
        }
    }

    /** How old the kernel's socket table may be before a connection not in it is looked for again. */
    static final Duration OWNER_TABLE_MAX_AGE = Duration.ofSeconds(1);

    /** Beyond the grace period, what the orderly stop (routing restored, device removed) may take. */
    static final Duration STOP_MARGIN = Duration.ofSeconds(8);

    /**
     * Makes sure the process ends within {@code deadline} of SIGTERM even if a stack loop or a
     * connection does not let go: past it the JVM halts (routing left behind is what
     * {@code tuncryptd --cleanup} and the -U watcher restore).
     */
    static void armStopDeadline(Duration deadline) {
        Thread.ofPlatform().daemon().name("stop-deadline").start(() -> {
            try {
                Thread.sleep(deadline);
            } catch (InterruptedException e) {
                return;
            }
            log.error("stop did not finish within {} s: halting", deadline.toSeconds());
            Runtime.getRuntime().halt(1);
        });
    }

    /**
     * A reload, all or nothing: the new configuration is read and checked, then the routing plan
     * (steer, serve) is moved to the new one (one nft transaction plus the rule changes,
     * verified; on an error the old plan is put back), and only then do the per-connection
     * settings (require, crypt mode, dialects, timeouts) and the verbosity change. Any error leaves the
     * running configuration in force and is logged with its reason (file and line for the
     * config file). The device, addresses, --memory, control socket and -c need a restart.
     */
    ReloadOutcome reload(ConfigSource config) {
        DaemonOptions fresh;
        RoutingPlan next;
        try {
            fresh = config.read();
            // The device stays: the plan is for the running one.
            next = fresh.routing.plan(options.device.tunName, options.device.stackAddresses, options.device.kernelAddresses);
        } catch (UsageException e) {
            return refused(e.getMessage().startsWith("--config") ? e.getMessage() : configName(live) + e.getMessage());
        }
        String routingChange = "no routing";
        if (routing != null) {
            try {
                routingChange = "routing: " + routing.replace(next);
            } catch (RoutingException e) {
                return refused(configName(fresh) + "routing: " + e.getMessage());
            }
        }
        Logging.configure(fresh.verbosity());
        tcpcrypt.dialects(fresh.dialects, fresh.dialectRules);
        splicer.settings(spliceSettings(fresh));
        live = fresh;
        List<String> restart = new ArrayList<>();
        if (!fresh.device.tunName.equals(options.device.tunName) || !fresh.device.tunAddrs.equals(options.device.tunAddrs)
                || !fresh.device.stackAddrs.equals(options.device.stackAddrs) || fresh.device.mtu != options.device.mtu
                || fresh.device.queues != options.device.queues) {
            restart.add("device");
        }
        if (!java.util.Objects.equals(fresh.device.memory, options.device.memory)) {
            restart.add("--memory"); // the JVM was sized for the old one
        }
        if (!java.util.Objects.equals(fresh.control.address(), options.control.address())) {
            restart.add("-u");
        }
        if (fresh.noCache != options.noCache) {
            restart.add("-c");
        }
        String message = String.format("configuration reloaded: crypt %s, dialect %s%s, connect timeout %d s,"
                        + " idle timeout %d s; %s; steer %s, serve %s, require %s%s",
                fresh.effectiveMode().name().toLowerCase(), fresh.dialect,
                fresh.dialectFor.isEmpty() ? "" : " (for " + String.join(", ", fresh.dialectFor) + ")",
                fresh.connectTimeout, fresh.idleTimeout, routingChange, fresh.routing.steer,
                fresh.routing.serve == null ? "none" : fresh.routing.serve, fresh.routing.require,
                restart.isEmpty() ? "" : "; changes to " + String.join(", ", restart) + " need a restart");
        log.info(message);
        return new ReloadOutcome(true, message);
    }

    private static ReloadOutcome refused(String reason) {
        String message = "reload: configuration not applied, the running one stays in force: " + reason;
        log.warn(message);
        return new ReloadOutcome(false, message);
    }

    /** "--config FILE: ", or nothing without a config file. */
    private static String configName(DaemonOptions o) {
        return o.config == null ? "" : "--config " + o.config + ": ";
    }

    @Override
    public void close() {
        splicer.close(Duration.ofSeconds(live.stopGrace));
        closeAll(extras);
        host.close();
        tcpcrypt.close();
    }

    private static void closeAll(List<AutoCloseable> list) {
        for (int i = list.size() - 1; i >= 0; i--) {
            try {
                list.get(i).close();
            } catch (Exception e) {
                log.warn("while stopping: {}", e.getMessage());
            }
        }
        list.clear();
    }
}
