package dev.tuncrypt.daemon;

import dev.tuncrypt.daemon.selftest.SelfTest;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The operational options of {@code tuncryptd}: the metrics endpoint and the start-up self-test
 * (tcpcryptd's {@code -s host}). A picocli mixin: {@code @Mixin OperationsOptions operations}.
 */
final class OperationsOptions {

    @Option(names = "--metrics", paramLabel = "ADDR:PORT",
            description = "Serve Prometheus metrics at http://ADDR:PORT/metrics, bound to that address only"
                    + " (e.g. 127.0.0.1:9464 or [::1]:9464). Off by default.")
    String metrics;

    @Option(names = {"-s", "--self-test"}, paramLabel = "HOST[:PORT]",
            description = "At start, connect through the stack to a 'tuncrypt test-server' at HOST (an IPv4/IPv6"
                    + " literal; port " + SelfTest.DEFAULT_PORT + " unless given) and check that tcpcrypt is"
                    + " negotiated and both ends see the same session ID. The result is logged.")
    String selfTest;

    @Option(names = "--require-self-test",
            description = "Exit with status 1 when the self-test (-s) does not pass, instead of only logging it.")
    boolean requireSelfTest;

    @Option(names = "--self-test-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Give the self-test this long (default: ${DEFAULT-VALUE}).")
    int selfTestTimeout;

    /** The metrics address, or null; set by {@link #validate()}. */
    HostPort metricsAddress;
    /** The self-test server, or null; set by {@link #validate()}. */
    HostPort selfTestServer;

    /** Checks what the parser cannot. */
    void validate() throws UsageException {
        if (metrics != null) {
            metricsAddress = HostPort.parse(metrics, 0);
        }
        if (selfTest != null) {
            selfTestServer = HostPort.parse(selfTest, SelfTest.DEFAULT_PORT);
        }
        if (requireSelfTest && selfTest == null) {
            throw new UsageException("--require-self-test needs -s HOST[:PORT] (the test server)");
        }
        if (selfTestTimeout < 1 || selfTestTimeout > 300) {
            throw new UsageException("--self-test-timeout " + selfTestTimeout + ": must be 1-300 seconds");
        }
    }

    Duration selfTestTimeout() {
        return Duration.ofSeconds(selfTestTimeout);
    }
}
