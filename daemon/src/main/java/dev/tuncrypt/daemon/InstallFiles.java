package dev.tuncrypt.daemon;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Writes the files an installation carries that come from the command lines: man pages
 * ({@code man8/tuncryptd.8}, {@code man1/tuncrypt.1}, {@code man1/tuncrypt-COMMAND.1}) and bash
 * completion scripts ({@code bash-completion/tuncryptd}, {@code bash-completion/tuncrypt}).
 * Run by {@code tools/package}: {@code InstallFiles OUTDIR YYYY-MM-DD}.
 */
public final class InstallFiles {
    private InstallFiles() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: InstallFiles OUTDIR YYYY-MM-DD");
            System.exit(2);
        }
        for (Path p : write(Path.of(args[0]), args[1])) {
            System.out.println(p);
        }
    }

    /** Writes every file under {@code out}; returns their paths. */
    static List<Path> write(Path out, String date) throws IOException {
        List<Path> written = new ArrayList<>();
        PrintWriter none = new PrintWriter(PrintWriter.nullWriter());
        CommandLine daemon = TuncryptdMain.command(new DaemonOptions(), none, none);
        CommandLine cli = TuncryptMain.command();

        List<String> cliPages = new ArrayList<>(List.of("tuncryptd(8)"));
        for (String name : cli.getSubcommands().keySet()) {
            if (!(cli.getSubcommands().get(name).getCommand() instanceof CommandLine.HelpCommand)) {
                cliPages.add("tuncrypt-" + name + "(1)");
            }
        }
        written.add(page(out, new ManPage(daemon, "tuncryptd", 8, date,
                List.of("tuncrypt(1)", "systemd.service(5)", "ip-rule(8)", "nft(8)"))));
        written.add(page(out, new ManPage(cli, "tuncrypt", 1, date, cliPages.subList(0, cliPages.size()))));
        for (Map.Entry<String, CommandLine> sub : cli.getSubcommands().entrySet()) {
            if (sub.getValue().getCommand() instanceof CommandLine.HelpCommand) {
                continue;
            }
            written.add(page(out, new ManPage(sub.getValue(), "tuncrypt-" + sub.getKey(), 1, date,
                    List.of("tuncrypt(1)", "tuncryptd(8)"))));
        }
        Path completion = Files.createDirectories(out.resolve("bash-completion"));
        written.add(text(completion.resolve("tuncryptd"), AutoComplete.bash("tuncryptd", daemon)));
        written.add(text(completion.resolve("tuncrypt"), AutoComplete.bash("tuncrypt", cli)));
        return written;
    }

    private static Path page(Path out, ManPage page) throws IOException {
        String troff = page.render();
        String th = troff.lines().filter(l -> l.startsWith(".TH ")).findFirst().orElseThrow();
        String[] parts = th.split(" ");
        String name = parts[1].replace("\"", "").toLowerCase();
        String section = parts[2];
        Path dir = Files.createDirectories(out.resolve("man" + section));
        return text(dir.resolve(name + "." + section), troff);
    }

    private static Path text(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }
}
