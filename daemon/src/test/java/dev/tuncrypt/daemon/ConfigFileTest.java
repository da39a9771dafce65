package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigFileTest {
    @TempDir
    Path dir;

    private CommandLine cmd(DaemonOptions o) {
        return new CommandLine(o).setOverwrittenOptionsAllowed(true).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Test
    void optionsFlagsAndRepeatsBecomeArgumentsBeforeTheCommandLine() throws Exception {
        Path f = Files.writeString(dir.resolve("t.conf"), """
                # tuncryptd configuration
                tun = tc9
                tun-addr = 198.18.9.1/24
                stack-addr = 198.18.9.2   # the stack's own
                u = /run/t.ctl
                c = true
                d = false
                steer = 198.18.10.0/24
                steer = 198.18.11.0/24:80
                crypt = always
                """);
        DaemonOptions o = new DaemonOptions();
        var args = ConfigFile.arguments(f, cmd(o).getCommandSpec());
        assertThat(args).containsExactly("--tun", "tc9", "--tun-addr", "198.18.9.1/24", "--stack-addr", "198.18.9.2",
                "-u", "/run/t.ctl", "-c", "--steer", "198.18.10.0/24", "--steer", "198.18.11.0/24:80", "--crypt",
                "always");
        var all = new java.util.ArrayList<>(args);
        all.addAll(java.util.List.of("--crypt", "never")); // the command line wins
        DaemonOptions parsed = new DaemonOptions();
        cmd(parsed).parseArgs(all.toArray(String[]::new));
        parsed.validate();
        assertThat(parsed.device.tunName).isEqualTo("tc9");
        assertThat(parsed.noCache).isTrue();
        assertThat(parsed.effectiveMode()).isEqualTo(dev.tuncrypt.tcpcrypt.CryptMode.NEVER);
    }

    /** {@code --dialect} and the repeatable {@code --dialect-for} in the file (its value holds an '='). */
    @Test
    void dialectOptionsComeFromTheFile() throws Exception {
        Path f = Files.writeString(dir.resolve("d.conf"), """
                tun = tc9
                tun-addr = 198.18.9.1/24
                stack-addr = 198.18.9.2
                dialect = rfc8548
                dialect-for = 198.18.12.0/24=tcpcrypt-0.5
                dialect-for = 198.18.13.0/24=tcpcrypt-0.5,rfc8548
                """);
        DaemonOptions parsed = new DaemonOptions();
        CommandLine c = cmd(parsed);
        c.parseArgs(ConfigFile.arguments(f, c.getCommandSpec()).toArray(String[]::new));
        parsed.validate();
        assertThat(parsed.dialects).containsExactly(dev.tuncrypt.tcpcrypt.Dialect.RFC8548);
        assertThat(parsed.dialectRules).hasSize(2);
        assertThat(parsed.dialectRules.get(1).dialects()).containsExactly(dev.tuncrypt.tcpcrypt.Dialect.TCPCRYPT_05,
                dev.tuncrypt.tcpcrypt.Dialect.RFC8548);
    }

    @Test
    void badLinesNameTheFileAndLine() throws Exception {
        DaemonOptions o = new DaemonOptions();
        var spec = cmd(o).getCommandSpec();
        Path unknown = Files.writeString(dir.resolve("a.conf"), "tun = x\nbogus = 1\n");
        assertThatThrownBy(() -> ConfigFile.arguments(unknown, spec)).isInstanceOf(UsageException.class)
                .hasMessageContaining("line 2").hasMessageContaining("unknown option 'bogus'");
        Path noEq = Files.writeString(dir.resolve("b.conf"), "tun ta0\n");
        assertThatThrownBy(() -> ConfigFile.arguments(noEq, spec)).hasMessageContaining("expected 'name = value'");
        Path flag = Files.writeString(dir.resolve("c.conf"), "c = yes\n");
        assertThatThrownBy(() -> ConfigFile.arguments(flag, spec)).hasMessageContaining("give true or false");
        Path nested = Files.writeString(dir.resolve("d.conf"), "config = /etc/other\n");
        assertThatThrownBy(() -> ConfigFile.arguments(nested, spec)).hasMessageContaining("cannot name another");
        Path hidden = Files.writeString(dir.resolve("e.conf"), "p = 666\n");
        assertThatThrownBy(() -> ConfigFile.arguments(hidden, spec)).hasMessageContaining("unknown option 'p'");
        assertThatThrownBy(() -> ConfigFile.arguments(dir.resolve("missing.conf"), spec))
                .hasMessageContaining("cannot read");
    }
}
