package dev.tuncrypt.daemon.splice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
    private final AtomicLong now = new AtomicLong(5_000);
    private final Deadlines deadlines = new Deadlines(now::get, false);

    @Test
    void aFutureNotDoneByItsDeadlineTimesOutThereAndNotBefore() {
        CompletableFuture<String> f = deadlines.within(new CompletableFuture<>(), Duration.ofSeconds(10));
        now.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
        assertThat(deadlines.expire(now.get())).isZero();
        assertThat(f).isNotDone();
        now.addAndGet(1);
        assertThat(deadlines.expire(now.get())).isEqualTo(1);
        assertThat(f).isCompletedExceptionally();
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f::get).getCause())
                .isInstanceOf(TimeoutException.class);
        assertThat(deadlines.size()).isZero();
    }

    @Test
    void aFutureDoneInTimeKeepsItsResultAndIsForgottenAtTheNextLook() throws Exception {
        CompletableFuture<String> f = deadlines.within(new CompletableFuture<>(), Duration.ofSeconds(1));
        f.complete("connected");
        assertThat(deadlines.size()).isEqualTo(1);
        assertThat(deadlines.expire(now.get())).isZero();
        assertThat(deadlines.size()).as("dropped without waiting for its deadline").isZero();
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        deadlines.expire(now.get());
        assertThat(f.get()).isEqualTo("connected");
    }

    @Test
    void aShorterTimeoutAddedLaterStillFiresFirst() {
        CompletableFuture<String> longer = deadlines.within(new CompletableFuture<>(), Duration.ofSeconds(10));
        CompletableFuture<String> shorter = deadlines.within(new CompletableFuture<>(), Duration.ofSeconds(1));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(deadlines.expire(now.get())).isEqualTo(1);
        assertThat(shorter).isCompletedExceptionally();
        assertThat(longer).isNotDone();
    }

    @Test
    void anAlreadyDoneFutureTakesNoEntry() {
        deadlines.within(CompletableFuture.completedFuture("x"), Duration.ofSeconds(1));
        assertThat(deadlines.size()).isZero();
    }

    @Test
    void itsThreadTimesOutWithinATick() throws Exception {
        try (Deadlines real = new Deadlines(System::nanoTime, true)) {
            CompletableFuture<String> f = real.within(new CompletableFuture<>(), Duration.ofMillis(20));
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> f.get(5, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(TimeoutException.class);
        }
    }
}
