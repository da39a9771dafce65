package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code --memory SIZE} as a process budget: heap cap and JVM reserve first, the buffers get the rest. */
class ProcessBudgetTest {
    private static final long MIB = 1L << 20;

    @Test
    void buffersGetWhatHeapAndReserveLeave() throws UsageException {
        ProcessBudget b = ProcessBudget.derive(256 * MIB, 64 * MIB, 110 * MIB);
        assertThat(b.buffers()).isEqualTo(82 * MIB);
        assertThat(b.heapCap() + b.reserve() + b.buffers()).isEqualTo(b.size());
        assertThat(b).hasToString("--memory 256 MiB = heap cap 64 MiB + JVM reserve 110 MiB + connection buffers 82 MiB");
    }

    @Test
    void exactlyTheSmallestBufferBudgetIsEnough() throws UsageException {
        assertThat(ProcessBudget.derive(100 * MIB + ProcessBudget.MIN_BUFFERS, 40 * MIB, 60 * MIB).buffers())
                .isEqualTo(ProcessBudget.MIN_BUFFERS);
        assertThatThrownBy(() -> ProcessBudget.derive(100 * MIB + ProcessBudget.MIN_BUFFERS - 1, 40 * MIB, 60 * MIB))
                .isInstanceOf(UsageException.class);
    }

    @Test
    void tooSmallForTheJvmNamesTheNumbersAndTheLeastThatWouldDo() {
        assertThatThrownBy(() -> ProcessBudget.derive(64 * MIB, 2048 * MIB, 300 * MIB))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--memory 64 MiB is too small for this JVM")
                .hasMessageContaining("heap cap (-Xmx) is 2048 MiB")
                .hasMessageContaining("the rest of the JVM needs 300 MiB")
                .hasMessageContaining("leaves -2284 MiB")
                .hasMessageContaining("give --memory 2356m or more");
    }

    @Test
    void reserveIsStartFootprintPlusMarkBitmapPlusCodeCacheRoomPlusGrowthPlusPacketsPerQueue() {
        long r = JvmReserve.of(50 * MIB, 64 * MIB, 32 * MIB, 7 * MIB, 2);
        assertThat(r).isEqualTo(50 * MIB + 2 * MIB + 25 * MIB + JvmReserve.GROWTH + 2 * JvmReserve.PACKETS_PER_QUEUE);
        // a code cache already past its cap adds no room; a nonsensical negative footprint counts as none
        assertThat(JvmReserve.of(-1, 32 * MIB, 32 * MIB, 40 * MIB, 1))
                .isEqualTo(MIB + JvmReserve.GROWTH + JvmReserve.PACKETS_PER_QUEUE);
    }

    @Test
    void aLauncherSizedJvmIsToldTheSmallestSizeTheLauncherKeeps() throws UsageException {
        long least = JvmReserve.leastForLauncher(60 * MIB, 5 * MIB, 1);
        long heap = LauncherSizing.heapCap(least);
        long reserve = JvmReserve.of(60 * MIB, heap, LauncherSizing.codeCacheCap(least), 5 * MIB, 1);
        assertThat(least - heap - reserve).isGreaterThanOrEqualTo(ProcessBudget.MIN_BUFFERS + JvmReserve.MEASUREMENT_SLACK);
        long smaller = least - MIB;
        long heapSmaller = LauncherSizing.heapCap(smaller);
        assertThat(smaller - heapSmaller - JvmReserve.of(60 * MIB, heapSmaller, LauncherSizing.codeCacheCap(smaller), 5 * MIB, 1))
                .isLessThan(ProcessBudget.MIN_BUFFERS + JvmReserve.MEASUREMENT_SLACK);
        assertThatThrownBy(() -> ProcessBudget.derive(128 * MIB, 32 * MIB, 130 * MIB, least))
                .hasMessageContaining("give --memory " + (least >> 20) + "m or more");
    }

    @Test
    void thisJvmIsMeasured() {
        assertThat(JvmReserve.heapCap()).isPositive();
        assertThat(JvmReserve.residentBytes()).isGreaterThan(16 * MIB); // a running JVM holds at least that
        long reserve = JvmReserve.measure(1);
        assertThat(reserve).isGreaterThan(JvmReserve.UNACCOUNTED + JvmReserve.GROWTH + JvmReserve.PACKETS_PER_QUEUE);
        assertThat(JvmReserve.measure(1)).as("measured once: a reload derives the same split").isEqualTo(reserve);
    }
}
