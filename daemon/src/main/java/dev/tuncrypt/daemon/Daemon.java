package dev.tuncrypt.daemon;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running daemon: a {@link StackHost} until SIGINT or SIGTERM. */
final class Daemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    private final StackHost host;
    private final CountDownLatch stopSignal = new CountDownLatch(1);

    private Daemon(StackHost host) {
        this.host = host;
    }

    static Daemon start(DaemonOptions options, PrintWriter err) throws DaemonException {
        StackHost host = StackHost.open(options.device, b -> {});
        err.println("tuncryptd " + Version.NUMBER + ": " + host.describe() + "; ready");
        return new Daemon(host);
    }

    /** Blocks until SIGINT or SIGTERM. */
    void awaitSignal() {
        Signals.onTermination(stopSignal::countDown);
        try {
            stopSignal.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("stopping");
    }

    @Override
    public void close() {
        host.close();
    }
}
