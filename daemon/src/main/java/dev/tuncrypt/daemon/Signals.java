package dev.tuncrypt.daemon;

import sun.misc.Signal;

/**
 * SIGINT and SIGTERM handling that lets the daemon clean up and exit 0, as a well-kept daemon
 * does (a JVM shutdown hook alone would exit 143), and SIGHUP for reloading.
 */
final class Signals {
    private Signals() {}

    static void onTermination(Runnable action) {
        Signal.handle(new Signal("TERM"), s -> action.run());
        Signal.handle(new Signal("INT"), s -> action.run());
    }

    static void onHangup(Runnable action) {
        Signal.handle(new Signal("HUP"), s -> action.run());
    }
}
