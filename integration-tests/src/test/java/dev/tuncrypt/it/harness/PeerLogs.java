package dev.tuncrypt.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * On a failed test, prints where its peers' files are and the end of every log in them (daemon
 * and tool stderr, {@code *.log}), so the report of the failure carries them; the files stay
 * under {@code target/peers/}.
 */
public final class PeerLogs implements TestWatcher {
    private static final int LINES = 60;

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Path dir = Harness.testDir(context.getRequiredTestClass(), context.getRequiredTestMethod().getName());
        StringBuilder report = new StringBuilder();
        report.append("==== ").append(context.getDisplayName()).append(" failed: peers' files in ").append(dir).append('\n');
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                    String n = p.getFileName().toString();
                    if (n.endsWith(".err") || n.endsWith(".log") || n.endsWith(".rc")
                            || (n.endsWith(".out") && Files.size(p) < 64 * 1024)) {
                        report.append("---- ").append(dir.relativize(p)).append('\n').append(tail(p));
                    }
                }
            } catch (IOException e) {
                report.append("(cannot list: ").append(e).append(")\n");
            }
        }
        Path engine = DockerEngine.privateDir();
        if (engine != null) {
            report.append("---- private engine log: ").append(engine.resolve("dockerd.log")).append('\n');
        }
        System.out.print(report); // surefire keeps it in <TestClass>-output.txt beside the report
        System.out.flush();
    }

    private static String tail(Path p) throws IOException {
        List<String> lines = Files.readAllLines(p, java.nio.charset.StandardCharsets.ISO_8859_1);
        List<String> last = lines.subList(Math.max(0, lines.size() - LINES), lines.size());
        return (lines.size() > LINES ? "...\n" : "") + String.join("\n", last) + "\n";
    }
}
