package dev.tuncrypt.tun;

/**
 * Monotonic time source, injected everywhere time matters so that tests and simulations can run
 * on virtual time and be replayed exactly.
 */
@FunctionalInterface
public interface Clock {
    /** Monotonic nanoseconds; only differences are meaningful. */
    long nanos();

    /** The system's monotonic clock. */
    Clock SYSTEM = System::nanoTime;
}
