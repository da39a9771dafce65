package dev.tuncrypt.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Maps -v counts to log levels: none = INFO, -v = DEBUG, -vv and more = TRACE (per segment). */
final class Logging {
    private Logging() {}

    static void configure(int verbosity) {
        Level level = switch (verbosity) {
            case 0 -> Level.INFO;
            case 1 -> Level.DEBUG;
            default -> Level.TRACE;
        };
        if (LoggerFactory.getLogger("dev.tuncrypt") instanceof Logger logger) {
            logger.setLevel(level);
        }
    }
}
