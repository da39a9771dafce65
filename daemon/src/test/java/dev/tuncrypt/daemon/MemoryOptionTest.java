package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpstack.MemoryBudget;
import org.junit.jupiter.api.Test;

/** {@code --memory SIZE}: binary units, a default from the JVM's direct-memory limit, errors that say what is wrong. */
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
        DeviceOptions o = new DeviceOptions();
        o.tunName = "tun0";
        o.mtu = 1500;
        o.queues = 1;
        o.txQueueLength = 5000;
        o.pcapSnaplen = 65535; // picocli's default, not applied to an instance made by hand
        o.stackAddrs.add("198.18.7.2");
        o.validate();
        assertThat(o.memoryBytes).isEqualTo(MemoryBudget.maxDirectMemory() / 4 * 3).isPositive();
        o.memory = "256m";
        o.validate();
        assertThat(o.memoryBytes).isEqualTo(256L << 20);
        o.memory = "100k";
        assertThatThrownBy(o::validate).hasMessageContaining("at least 1m");
    }
}
