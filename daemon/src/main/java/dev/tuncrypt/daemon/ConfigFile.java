package dev.tuncrypt.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * tuncryptd's configuration file: one {@code name = value} per line, where name is an option of
 * the command line without its dashes ({@code tun = ta0}, {@code u = /run/tuncryptd/control},
 * {@code steer = 198.18.2.0/24}); a flag takes {@code true} or {@code false}; a repeatable
 * option may appear on several lines; {@code #} starts a comment. The file is turned into
 * command-line arguments placed before the real ones, so the command line wins.
 */
final class ConfigFile {
    private ConfigFile() {}

    /** One option line of the file: where it is, the option as the command line spells it, its value. */
    record Entry(int line, String flag, List<String> args) {}

    /** The file's options as arguments for {@code spec}. */
    static List<String> arguments(Path file, CommandSpec spec) throws UsageException {
        List<String> args = new ArrayList<>();
        for (Entry e : entries(file, spec)) {
            args.addAll(e.args());
        }
        return args;
    }

    /** The file's option lines, in order; a line that is not an option of {@code spec} fails naming file and line. */
    static List<Entry> entries(Path file, CommandSpec spec) throws UsageException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("--config " + file + ": cannot read: " + e.getMessage());
        }
        List<Entry> entries = new ArrayList<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash).strip();
            }
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(where(file, n) + "expected 'name = value', got '" + line + "'");
            }
            String name = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if ("config".equals(name)) {
                throw new UsageException(where(file, n) + "a config file cannot name another");
            }
            String flag = (name.length() == 1 ? "-" : "--") + name;
            OptionSpec opt = spec.findOption(flag);
            if (opt == null || opt.hidden()) {
                throw new UsageException(where(file, n) + "unknown option '" + name + "'");
            }
            if (opt.arity().max() == 0) {
                if (value.equals("true")) {
                    entries.add(new Entry(n, flag, List.of(flag)));
                } else if (!value.equals("false")) {
                    throw new UsageException(where(file, n) + "'" + name + "' is a flag: give true or false");
                }
            } else {
                if (value.isEmpty()) {
                    throw new UsageException(where(file, n) + "'" + name + "' needs a value");
                }
                entries.add(new Entry(n, flag, List.of(flag, value)));
            }
        }
        return entries;
    }

    /**
     * The line an error about the file's options comes from: the message starts with the option
     * ({@code --steer 198.18.0.0/33: ...}); of the file's lines with that option, the one whose
     * value the message quotes, else the last. Empty when the option is not in the file.
     */
    static java.util.Optional<Entry> lineOf(String message, List<Entry> entries) {
        var m = java.util.regex.Pattern.compile("^(-{1,2}[A-Za-z][A-Za-z0-9-]*)").matcher(message);
        if (!m.find()) {
            return java.util.Optional.empty();
        }
        String flag = m.group(1);
        Entry last = null;
        for (Entry e : entries) {
            if (e.flag().equals(flag)) {
                if (e.args().size() > 1 && message.contains(e.args().get(1))) {
                    return java.util.Optional.of(e);
                }
                last = e;
            }
        }
        return java.util.Optional.ofNullable(last);
    }

    /** "--config FILE line N: " */
    static String where(Path file, int line) {
        return "--config " + file + " line " + line + ": ";
    }
}
