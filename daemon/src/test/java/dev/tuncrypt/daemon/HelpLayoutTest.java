package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class HelpLayoutTest {
    private record Run(int exit, String out, String err) {}

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = TuncryptMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void helpIsACommand() {
        Run r = cli("help");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Usage: tuncrypt [OPTIONS] [COMMAND]").contains("netstat", "help");
        Run nc = cli("help", "nc");
        assertThat(nc.exit()).isZero();
        assertThat(nc.out()).startsWith("Usage: tuncrypt nc [OPTIONS]").contains("--stack-addr=ADDR");
    }

    /**
     * At 80 columns every option stays whole with its parameter (the full synopsis broke
     * {@code [--require=PREFIX[:} from {@code PORTS]]}), no line is a lone option name left by
     * re-wrapping pre-wrapped description lines, and nothing is wider than 80 columns.
     */
    @Test
    void helpDoesNotWrapInsideAnOption() {
        PrintWriter none = new PrintWriter(PrintWriter.nullWriter());
        for (CommandLine cmd : List.of(TuncryptdMain.command(new DaemonOptions(), none, none),
                TuncryptMain.command(), TuncryptMain.command().getSubcommands().get("nc"))) {
            cmd.setUsageHelpAutoWidth(false).setUsageHelpWidth(80);
            String help = cmd.getUsageMessage();
            for (OptionSpec o : cmd.getCommandSpec().options().stream().filter(o -> !o.hidden()).toList()) {
                String whole = o.longestName() + (o.arity().max() > 0 ? "=" + o.paramLabel() : "");
                assertThat(help).as("%s in %s --help", whole, cmd.getCommandName()).contains(whole);
            }
            for (String line : help.lines().toList()) {
                assertThat(line.length()).as("width of: %s", line).isLessThanOrEqualTo(80);
                assertThat(line.strip()).as("a lone option name").doesNotMatch("-[-a-zA-Z]+");
            }
            assertThat(help.lines().findFirst().orElseThrow()).as("synopsis").contains("[OPTIONS]");
        }
    }

    @Test
    void manPagesAndCompletionsAreWrittenForEveryCommand(@TempDir Path dir) throws Exception {
        List<Path> files = InstallFiles.write(dir, "2026-01-02");
        assertThat(files).extracting(p -> dir.relativize(p).toString()).contains("man8/tuncryptd.8", "man1/tuncrypt.1",
                "man1/tuncrypt-nc.1", "man1/tuncrypt-netstat.1", "bash-completion/tuncrypt",
                "bash-completion/tuncryptd");
        String daemon = Files.readString(dir.resolve("man8/tuncryptd.8"));
        assertThat(daemon).startsWith(".\\\" Generated from the picocli command line of tuncryptd")
                .contains(".TH \"TUNCRYPTD\" 8 \"2026-01-02\"", ".SH OPTIONS", "\\fB\\-\\-config\\fR=\\fIFILE\\fR",
                        "\\fB\\-u\\fR, \\fB\\-\\-control\\fR=\\fIADDR\\fR");
        assertThat(daemon.lines().filter(l -> l.startsWith(".") && !l.startsWith(".\\\"") && !l.matches(
                "\\.(TH|SH|TP|PP|B|nf|fi)( .*)?"))).as("only the man macros this page uses").isEmpty();
        assertThat(Files.readString(dir.resolve("man1/tuncrypt.1"))).contains("See \\fBtuncrypt\\-nc\\fR(1).");
        assertThat(Files.readString(dir.resolve("bash-completion/tuncrypt"))).contains("complete -F _complete_tuncrypt");
    }
}
