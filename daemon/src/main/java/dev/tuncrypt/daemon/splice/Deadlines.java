package dev.tuncrypt.daemon.splice;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The splice's timeouts of connection set-up (leg 2's handshake, a served connection's key
 * agreement), kept by one thread that looks every {@link #TICK}. A per-connection timer
 * ({@link CompletableFuture#orTimeout}) costs a schedule and a cancel on the JDK's delay
 * scheduler each, with a wakeup of its thread for both: a tenth of a millisecond of CPU per
 * connection on the serving daemon. Here adding a deadline is one queue append and nothing is
 * cancelled: a future that completes in time is dropped at the next look. A deadline is met
 * within one tick.
 */
final class Deadlines implements AutoCloseable {
    /** How often the deadlines are looked at; how late a timeout may fire. */
    static final Duration TICK = Duration.ofMillis(50);

    private record Entry(CompletableFuture<?> future, long deadlineNanos) {}

    private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();
    private final LongSupplier clock;
    private final Thread thread;
    private volatile boolean closed;

    /** Kept by a thread of its own ({@code splice-deadlines}) when {@code threaded}; else by {@link #expire} calls. */
    Deadlines(LongSupplier clock, boolean threaded) {
        this.clock = clock;
        this.thread = threaded ? Thread.ofPlatform().name("splice-deadlines").daemon(true).start(this::run) : null;
    }

    /**
     * {@code future}, completed exceptionally with a {@link TimeoutException} when it is not done
     * within {@code timeout} (give or take a {@link #TICK}).
     */
    <T> CompletableFuture<T> within(CompletableFuture<T> future, Duration timeout) {
        if (!future.isDone()) {
            entries.add(new Entry(future, clock.getAsLong() + timeout.toNanos()));
        }
        return future;
    }

    /** Times out what is past its deadline at {@code now} and forgets what is done; how many timed out. */
    int expire(long now) {
        int expired = 0;
        for (Iterator<Entry> it = entries.iterator(); it.hasNext();) {
            Entry e = it.next();
            if (e.future().isDone()) {
                it.remove();
            } else if (now - e.deadlineNanos() >= 0) {
                it.remove();
                if (e.future().completeExceptionally(new TimeoutException())) {
                    expired++;
                }
            }
        }
        return expired;
    }

    /** Deadlines not yet looked at after their future completed, or still running. */
    int size() {
        return entries.size();
    }

    private void run() {
        while (!closed) {
            try {
                Thread.sleep(TICK);
            } catch (InterruptedException e) {
                return;
            }
            expire(clock.getAsLong());
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
