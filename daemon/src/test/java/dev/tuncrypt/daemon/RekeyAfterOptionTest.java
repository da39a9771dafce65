package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --rekey-after BYTES}: the key-update trigger of RFC 8548 §3.8 reaches the tcpcrypt settings. */
class RekeyAfterOptionTest {

    private static DaemonOptions parse(String... args) {
        DaemonOptions o = new DaemonOptions();
        new CommandLine(o).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return o;
    }

    @Test
    void theDefaultIsTwoToTheThirtySixBytes() {
        assertThat(Daemon.cryptConfig(parse()).rekeyAfterBytes()).isEqualTo(TcpCryptConfig.DEFAULT_REKEY_BYTES)
                .isEqualTo(1L << 36);
    }

    @Test
    void theOptionSetsTheTrigger() {
        assertThat(Daemon.cryptConfig(parse("--rekey-after", "8000")).rekeyAfterBytes()).isEqualTo(8000);
        assertThat(Daemon.cryptConfig(parse("--rekey-after", "0")).rekeyAfterBytes()).as("never initiates").isZero();
    }
}
