package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.daemon.TuncryptMain;
import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code tuncrypt}/{@code tuncryptd} command line of README.md (in its {@code sh} blocks,
 * continuation lines joined, and in its inline code) is accepted by the current CLI: each
 * {@code tuncrypt} line is parsed by the real command tree, each {@code tuncryptd} line is run in a
 * namespace of its own with {@code --dry-run} (or as written for {@code --help}/{@code --cleanup}),
 * so an option that no longer exists, or a value it rejects, fails here.
 */
class ReadmeCommandsTest {
    private static final Pattern INLINE = Pattern.compile("`([^`]+)`");

    /** One command of the README: its words after the program, and the line it came from. */
    record Line(String program, List<String> args, String source) {}

    static List<Line> commands(List<String> readme) {
        List<Line> found = new ArrayList<>();
        boolean fence = false;
        StringBuilder joined = new StringBuilder();
        for (String raw : readme) {
            if (raw.startsWith("```")) {
                fence = !fence;
                continue;
            }
            if (fence) {
                String line = raw.replaceAll("\\s+#.*$", "").replaceAll("^#.*$", "");
                if (line.endsWith("\\")) {
                    joined.append(line, 0, line.length() - 1).append(' ');
                    continue;
                }
                joined.append(line);
                add(found, joined.toString(), joined.toString());
                joined.setLength(0);
            } else {
                Matcher m = INLINE.matcher(raw);
                while (m.find()) {
                    // a synopsis: [--opt] means the option may be given; a bare name is a mention and
                    // "tuncrypt nc: ..." quotes output
                    String span = m.group(1).strip();
                    if (span.contains(" ") && !span.matches("\\S+ \\S+:.*")) {
                        add(found, span.replace("[", "").replace("]", ""), span);
                    }
                }
            }
        }
        return found;
    }

    private static void add(List<Line> found, String text, String source) {
        List<String> words = new ArrayList<>(Arrays.asList(text.strip().split("\\s+")));
        if (!words.isEmpty() && words.get(0).equals("sudo")) {
            words.remove(0);
        }
        if (words.isEmpty()) {
            return;
        }
        String program = words.get(0).replaceFirst("^bin/", "");
        if (!program.equals("tuncrypt") && !program.equals("tuncryptd")) {
            return;
        }
        List<String> args = new ArrayList<>();
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals(">") || w.equals("<") || w.equals("2>")) {
                i++; // a redirection and its file
            } else if (!w.startsWith(">") && !w.startsWith("<")) {
                args.add(w);
            }
        }
        found.add(new Line(program, args, source.strip()));
    }

    @Test
    void everyCommandLineOfTheReadmeIsAcceptedByTheCurrentCli() throws Exception {
        Requirements.rootAndTun();
        List<Line> lines = commands(Files.readAllLines(Daemon.ROOT.resolve("README.md"), StandardCharsets.UTF_8));
        assertThat(lines).extracting(Line::program).contains("tuncrypt", "tuncryptd");
        assertThat(lines).extracting(l -> l.args().isEmpty() ? "" : l.args().get(0))
                .contains("nc", "perf", "netstat");
        List<String> failures = new ArrayList<>();
        for (Line l : lines) {
            String problem = l.program().equals("tuncrypt") ? parseTuncrypt(l.args()) : runTuncryptd(l.args());
            if (problem != null) {
                failures.add(l.source() + "\n    -> " + problem);
            }
        }
        assertThat(failures).as("README.md command lines the CLI rejects").isEmpty();
    }

    /** Parses with the real {@code tuncrypt} command tree without running anything; null when accepted. */
    private static String parseTuncrypt(List<String> args) {
        CommandLine cmd = new CommandLine(new TuncryptMain()).setCaseInsensitiveEnumValuesAllowed(true);
        try {
            cmd.parseArgs(args.toArray(String[]::new));
            return null;
        } catch (CommandLine.ParameterException e) {
            return e.getMessage();
        }
    }

    /** Runs {@code bin/tuncryptd} in a namespace of its own, with --dry-run unless it only helps or cleans up. */
    private static String runTuncryptd(List<String> args) throws Exception {
        List<String> argv = new ArrayList<>(args);
        if (!argv.contains("--help") && !argv.contains("--version") && !argv.contains("--cleanup")
                && !argv.contains("--dry-run")) {
            argv.add("--dry-run");
        }
        try (TestNamespace ns = TestNamespace.create("rdm")) {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(),
                    Daemon.ROOT.resolve("bin/tuncryptd").toString()));
            cmd.addAll(argv);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "did not finish: " + String.join(" ", argv);
            }
            return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out.strip();
        }
    }

    @Test
    void extractionJoinsContinuationsAndDropsCommentsAndRedirections() {
        List<Line> lines = commands(List.of("```sh", "sudo bin/tuncryptd --tun tb0 \\", "   --serve 8080   # B",
                "bin/tuncrypt nc -l 5000 > out", "curl http://x/", "```", "see `tuncrypt status [--json]` here,",
                "`tuncryptd` alone and `tuncrypt nc: tcpcrypt session 23…` (output) are no commands"));
        assertThat(lines).extracting(Line::args).containsExactly(List.of("--tun", "tb0", "--serve", "8080"),
                List.of("nc", "-l", "5000"), List.of("status", "--json"));
    }
}
