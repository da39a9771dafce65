package dev.tuncrypt.daemon.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.client.ControlAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class ControlSocketOptionsTest {
    @Command(name = "d")
    static final class Cmd implements Runnable {
        @Mixin
        ControlSocketOptions control = new ControlSocketOptions();

        @Override
        public void run() {}
    }

    static Cmd parse(String... args) {
        Cmd c = new Cmd();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void defaults() {
        Cmd c = parse();
        assertThat(c.control.address()).isEqualTo(ControlAddress.DEFAULT);
        assertThat(c.control.permissions()).isEqualTo(SocketPermissions.DEFAULT);
    }

    @Test
    void everyOption() {
        Cmd c = parse("-u", ":7000", "--control-mode", "0660", "--control-owner", "root", "--control-group", "adm",
                "--control-presets-any-user");
        assertThat(c.control.address()).isEqualTo(new ControlAddress.Udp(7000));
        assertThat(c.control.permissions()).isEqualTo(new SocketPermissions(0660, Optional.of("root"),
                Optional.of("adm"), true));
    }

    @Test
    void badValuesAreOneLineErrors() {
        for (String[] args : new String[][] {{"-u", "x"}, {"--control-mode", "999"}, {"--control-mode", "1777"}}) {
            StringWriter err = new StringWriter();
            int status = new CommandLine(new Cmd()).setErr(new PrintWriter(err))
                    .setParameterExceptionHandler((e, a) -> {
                        err.write(e.getMessage());
                        return 2;
                    }).execute(args);
            assertThat(status).isEqualTo(2);
            assertThat(err.toString()).doesNotContain("\n").isNotEmpty();
        }
    }
}
