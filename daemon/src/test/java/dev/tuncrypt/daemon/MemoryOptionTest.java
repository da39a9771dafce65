package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpstack.MemoryBudget;
import org.junit.jupiter.api.Test;

/**
 * {@code --memory SIZE}: binary units; a process budget split into this JVM's heap cap, its
 * reserve and the buffers; without it the default from the JVM's direct-memory limit; errors that
 * say what is wrong.
 */
class MemoryOptionTest {

    @Test
    void sizesInBinaryUnits() throws UsageException {
        assertThat(DeviceOptions.parseSize("--memory", "1048576")).isEqualTo(1L << 20);
        assertThat(DeviceOptions.parseSize("--memory", "64k")).isEqualTo(64L << 10);
        assertThat(DeviceOptions.parseSize("--memory", "512m")).isEqualTo(512L << 20);
        assertThat(DeviceOptions.parseSize("--memory", "512MiB")).isEqualTo(512L << 20);
        assertThat(DeviceOptions.parseSize("--memory", "2G")).isEqualTo(2L << 30);
        assertThat(DeviceOptions.parseSize("--memory", "1gb")).isEqualTo(1L << 30);
    }

    @Test
    void nonsenseIsAUsageError() {
        for (String bad : new String[] {"", "m", "-1m", "12x", "1.5g", "99999999999999999999t"}) {
            assertThatThrownBy(() -> DeviceOptions.parseSize("--memory", bad)).as(bad)
                    .isInstanceOf(UsageException.class).hasMessageContaining("--memory");
        }
    }

    @Test
    void defaultIsThreeQuartersOfTheDirectMemoryLimit() throws UsageException {
        DeviceOptions o = options();
        o.validate();
        assertThat(o.memoryBytes).isEqualTo(MemoryBudget.maxDirectMemory() / 4 * 3).isPositive();
        assertThat(o.processBudget).isNull();
    }

    @Test
    void aSizeIsTheProcessBudgetAndTheBuffersGetTheRest() throws UsageException {
        DeviceOptions o = options();
        long heap = JvmReserve.heapCap();
        long size = heap + (1L << 30); // room for any reserve this JVM measures
        o.memory = (size >> 20) + "m";
        o.validate();
        assertThat(o.processBudget.size()).isEqualTo(size);
        assertThat(o.processBudget.heapCap()).isEqualTo(heap);
        assertThat(o.processBudget.reserve()).isEqualTo(JvmReserve.measure(o.queues));
        assertThat(o.memoryBytes).isEqualTo(o.processBudget.buffers())
                .isEqualTo(size - heap - JvmReserve.measure(o.queues)).isGreaterThanOrEqualTo(ProcessBudget.MIN_BUFFERS);
    }

    @Test
    void aSizeTheJvmCannotKeepIsRefusedNamingTheHeapCap() {
        DeviceOptions o = options();
        long heap = JvmReserve.heapCap(); // the test JVM's -Xmx (2 GiB), far above the size below
        o.memory = "256m";
        assertThatThrownBy(o::validate).isInstanceOf(UsageException.class)
                .hasMessageContaining("--memory 256 MiB is too small for this JVM")
                .hasMessageContaining("heap cap (-Xmx) is " + (heap >> 20) + " MiB");
        o.memory = "100k";
        assertThatThrownBy(o::validate).hasMessageContaining("at least 1m");
    }

    private static DeviceOptions options() {
        DeviceOptions o = new DeviceOptions();
        o.tunName = "tun0";
        o.mtu = 1500;
        o.queues = 1;
        o.txQueueLength = 5000;
        o.pcapSnaplen = 65535; // picocli's default, not applied to an instance made by hand
        o.stackAddrs.add("198.18.7.2");
        return o;
    }
}
