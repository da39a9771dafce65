package dev.tuncrypt.daemon;

import dev.tuncrypt.client.ControlAddress;
import dev.tuncrypt.daemon.control.ControlServer;
import dev.tuncrypt.daemon.control.SocketOwners;
import dev.tuncrypt.daemon.metrics.MetricsServer;
import dev.tuncrypt.daemon.selftest.SelfTest;
import dev.tuncrypt.daemon.selftest.SelfTestResult;
import dev.tuncrypt.daemon.splice.SpliceSettings;
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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
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

    private Daemon(TcpCrypt tcpcrypt, StackHost host, Splicer splicer, List<AutoCloseable> extras, DaemonOptions options,
            LinkedBlockingQueue<Request> requests) {
        this.requests = requests;
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
        try {
            host = StackHost.open(options.device, b -> b.protection(tcpcrypt.protections()));
            RoutingPlan plan = options.routing.plan(options.device.tunName, options.device.stackAddresses,
                    options.device.kernelAddresses);
            if (plan.changesKernel()) {
                extras.add(RoutingSetup.apply(plan));
            }
            splicer = Splicer.start(host.stack(), tcpcrypt, spliceSettings(options), Version.NUMBER);
            splicer.describeHost(host::facts, () -> StatusFacts.routing(plan));
            SocketOwners owners = new SocketOwners();
            splicer.ownerResolver((local, remote) -> {
                try {
                    return owners.ownerOf(local, remote).orElse(-1);
                } catch (IOException e) {
                    return -1;
                }
            });
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
                extras.add(ControlServer.start(controlAddress, splicer, options.control.permissions()));
                control = controlAddress.toString();
            }
            if (account != null) {
                StopWatcher.start(options.control.address() instanceof ControlAddress.UnixPath u ? u.path() : null);
                Privileges.drop(account, options.jail);
            }
            err.println("tuncryptd " + Version.NUMBER + ": " + host.describe() + "; dialect " + options.dialect
                    + ", crypt " + options.effectiveMode().name().toLowerCase()
                    + (options.noCache ? ", no session cache" : "") + "; control " + control + "; ready");
            return new Daemon(tcpcrypt, host, splicer, extras, options, requests);
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
                .withSessionCache(!options.noCache);
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
     * Serves until SIGINT or SIGTERM; on SIGHUP asks {@code reload} for the options as they are
     * now and applies what can change at run time.
     */
    void run(Supplier<DaemonOptions> reload) {
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
                return;
            }
            DaemonOptions fresh = reload.get();
            if (fresh != null) {
                apply(fresh);
            }
        }
    }

    /** SIGHUP: the crypt mode, timeouts and verbosity change now; the rest needs a restart. */
    private void apply(DaemonOptions fresh) {
        Logging.configure(fresh.verbosity());
        splicer.settings(spliceSettings(fresh));
        List<String> restart = new ArrayList<>();
        if (!fresh.device.tunName.equals(options.device.tunName) || !fresh.device.tunAddrs.equals(options.device.tunAddrs)
                || !fresh.device.stackAddrs.equals(options.device.stackAddrs) || fresh.device.mtu != options.device.mtu
                || fresh.device.queues != options.device.queues) {
            restart.add("device");
        }
        if (!java.util.Objects.equals(fresh.control.address(), options.control.address())) {
            restart.add("-u");
        }
        if (fresh.noCache != options.noCache) {
            restart.add("-c");
        }
        log.info("configuration reloaded: crypt {}, connect timeout {} s, idle timeout {} s{}",
                fresh.effectiveMode().name().toLowerCase(), fresh.connectTimeout, fresh.idleTimeout,
                restart.isEmpty() ? "" : "; changes to " + String.join(", ", restart) + " need a restart");
    }

    @Override
    public void close() {
        splicer.close(Duration.ofSeconds(options.stopGrace));
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
