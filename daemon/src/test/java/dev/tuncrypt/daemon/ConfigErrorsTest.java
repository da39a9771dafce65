package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad --config file at start-up: one line on stderr naming the file, the line and the reason,
 * exit status 2, whether picocli rejects the value (wrong type) or the daemon's own checks do.
 */
class ConfigErrorsTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = TuncryptdMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private Path config(String text) throws Exception {
        return Files.writeString(dir.resolve("tuncryptd.conf"), text);
    }

    private static final String HEAD = """
            # a daemon
            tun = tc7
            tun-addr = 198.18.7.1/24
            stack-addr = 198.18.7.2
            """;

    @Test
    void aValuePicocliRejectsNamesFileLineAndReason() throws Exception {
        Path f = config(HEAD + "crypt = sometimes\n");
        Run r = run("--config", f.toString());
        assertThat(r.exit()).isEqualTo(TuncryptdMain.EXIT_USAGE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("tuncryptd: --config " + f + " line 5: crypt = sometimes: ")
                .contains("'sometimes'");
    }

    @Test
    void aValueTheDaemonRejectsNamesFileLineAndReason() throws Exception {
        Path f = config(HEAD + "steer = 198.18.8.0/24\nsteer = 198.18.9.0/33   # a typo\n");
        Run r = run("--config", f.toString());
        assertThat(r.exit()).isEqualTo(TuncryptdMain.EXIT_USAGE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("tuncryptd: --config " + f + " line 6: --steer").contains("198.18.9.0/33").contains("prefix length");
    }

    @Test
    void aDialectErrorNamesItsLine() throws Exception {
        Path f = config(HEAD + "dialect-for = 198.18.5.0/24=tcpcrypt-0.6\n");
        Run r = run("--config", f.toString());
        assertThat(r.exit()).isEqualTo(TuncryptdMain.EXIT_USAGE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("tuncryptd: --config " + f + " line 5: --dialect-for").contains("tcpcrypt-0.6");
    }

    @Test
    void aPlanErrorNamesItsLine() throws Exception {
        Path f = config(HEAD + "steer = 198.18.8.0/24\nsteer = 2001:2:5::/48\n");
        Run r = run("--config", f.toString());
        assertThat(r.exit()).isEqualTo(TuncryptdMain.EXIT_USAGE);
        assertThat(r.err().strip())
                .isEqualTo("tuncryptd: --config " + f + " line 6: --steer 2001:2:5::/48: the stack has no IPv6 address to connect from");
    }

    @Test
    void anErrorOfTheCommandLineItselfNamesNoLine() throws Exception {
        Path f = config(HEAD);
        Run r = run("--config", f.toString(), "--steer", "198.18.9.0/33");
        assertThat(r.exit()).isEqualTo(TuncryptdMain.EXIT_USAGE);
        assertThat(r.err()).doesNotContain("line").contains("--steer").contains("198.18.9.0/33");
    }

    @Test
    void aLineThatIsNoOptionNamesItsLine() throws Exception {
        Path f = config(HEAD + "stear = 198.18.8.0/24\n");
        Run r = run("--config", f.toString());
        assertThat(r.exit()).isEqualTo(TuncryptdMain.EXIT_USAGE);
        assertThat(r.err().strip()).isEqualTo("tuncryptd: --config " + f + " line 5: unknown option 'stear'");
    }
}
