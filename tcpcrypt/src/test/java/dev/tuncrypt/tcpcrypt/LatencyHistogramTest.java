package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Buckets are upper bounds (a value equal to a bound is in it), counts are cumulative, threads may record at once. */
class LatencyHistogramTest {
    private static final List<Duration> BOUNDS = List.of(Duration.ofNanos(10), Duration.ofNanos(100));

    @Test
    void valuesLandInTheFirstBucketWhoseBoundTheyDoNotExceed() {
        LatencyHistogram h = new LatencyHistogram(BOUNDS);
        for (long v : new long[] {0, 10, 11, 100, 101, 5_000, -3}) {
            h.record(v);
        }
        LatencyHistogram.Snapshot s = h.snapshot();
        assertThat(s.boundsNanos()).containsExactly(10, 100);
        // <=10: 0, 10, -3 (as 0); <=100: + 11, 100; all: + 101, 5000
        assertThat(s.cumulativeCounts()).containsExactly(3, 5, 7);
        assertThat(s.count()).isEqualTo(7);
        assertThat(s.sumNanos()).isEqualTo(0 + 10 + 11 + 100 + 101 + 5_000);
    }

    @Test
    void concurrentRecordsAreAllCounted() throws Exception {
        LatencyHistogram h = new LatencyHistogram(LatencyHistogram.KEY_AGREEMENT_BOUNDS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 100_000; i++) {
                    h.record(i * 1_000L);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        LatencyHistogram.Snapshot s = h.snapshot();
        assertThat(s.count()).isEqualTo(400_000);
        assertThat(s.cumulativeCounts()[s.cumulativeCounts().length - 1]).isEqualTo(400_000);
        assertThat(s.sumNanos()).isEqualTo(4 * 1_000L * (99_999L * 100_000L / 2));
        // 0..50 us inclusive: i = 0..50 per thread
        assertThat(s.cumulativeCounts()[0]).isEqualTo(4 * 51);
    }

    @Test
    void boundsMustAscend() {
        assertThatThrownBy(() -> new LatencyHistogram(List.of(Duration.ofMillis(2), Duration.ofMillis(1))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LatencyHistogram(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
