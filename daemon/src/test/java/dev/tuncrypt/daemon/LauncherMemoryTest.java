package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers' sizing of the JVM from {@code --memory} (packaging/jvm-memory.sh, which
 * bin/launch sources and the installed launchers carry), run by {@code sh} as they run it.
 */
class LauncherMemoryTest {
    private static final Path SCRIPT = Path.of("..", "packaging", "jvm-memory.sh").toAbsolutePath().normalize();

    @Test
    void aQuarterHeapTheRestDirectAndABoundedCodeCache() throws Exception {
        assertThat(jvmOptions("--memory", "256m"))
                .isEqualTo("-Xmx65536k -XX:MaxDirectMemorySize=196608k -XX:ReservedCodeCacheSize=32768k");
        assertThat(jvmOptions("--tun", "ta0", "--memory=2GiB"))
                .isEqualTo("-Xmx524288k -XX:MaxDirectMemorySize=1572864k -XX:ReservedCodeCacheSize=65536k");
        assertThat(jvmOptions("--memory", "1073741824"))
                .isEqualTo("-Xmx262144k -XX:MaxDirectMemorySize=786432k -XX:ReservedCodeCacheSize=65536k");
    }

    @Test
    void theConfigFileCountsAndTheCommandLineWins(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("tuncryptd.conf");
        Files.writeString(conf, "# memory = 8g\ntun = ta0\n  memory =  384m  # the budget\n");
        assertThat(jvmOptions("--config", conf.toString()))
                .isEqualTo("-Xmx98304k -XX:MaxDirectMemorySize=294912k -XX:ReservedCodeCacheSize=49152k");
        assertThat(jvmOptions("--config=" + conf, "--memory", "256m")).startsWith("-Xmx65536k ");
    }

    @Test
    void withoutASizeOrWithNonsenseTheJvmKeepsItsDefaults() throws Exception {
        assertThat(jvmOptions("--tun", "ta0")).isEmpty();
        assertThat(jvmOptions("--memory", "lots")).isEmpty();
        assertThat(jvmOptions("--memory", "12x")).isEmpty();
        assertThat(jvmOptions("--memory", "99999999999t")).isEmpty();
        assertThat(jvmOptions("--memory")).isEmpty();
    }

    @Test
    void theDaemonKnowsTheLaunchersSizing() throws Exception {
        for (String size : new String[] {"32m", "100m", "186m", "256m", "384m", "500m", "512m", "1g", "3g", "1073741824", "1000001k"}) {
            long bytes = DeviceOptions.parseSize("--memory", size);
            assertThat(jvmOptions("--memory", size)).as(size).isEqualTo("-Xmx" + (LauncherSizing.heapCap(bytes) >> 10)
                    + "k -XX:MaxDirectMemorySize=" + ((bytes - LauncherSizing.heapCap(bytes)) >> 10)
                    + "k -XX:ReservedCodeCacheSize=" + (LauncherSizing.codeCacheCap(bytes) >> 10) + "k");
        }
    }

    @Test
    void aSmallSizeStillCapsTheHeapAtSixteenMegabytes() throws Exception {
        assertThat(jvmOptions("--memory", "32m")).startsWith("-Xmx16384k -XX:MaxDirectMemorySize=16384k ");
    }

    private static String jvmOptions(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", ". \"$0\"; tuncrypt_jvm_memory \"$@\"", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
