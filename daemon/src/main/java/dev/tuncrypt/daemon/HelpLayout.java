package dev.tuncrypt.daemon;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * How both command lines lay out {@code --help}: the synopsis is {@code [OPTIONS]} (the full one
 * broke options across lines, {@code [--require=PREFIX[:} / {@code PORTS]]}), descriptions written
 * as several source lines are joined into paragraphs that picocli wraps whole at the terminal's
 * width (pre-wrapped lines were wrapped again, leaving an option name alone on a line), and the
 * option column is wide enough for every option with its parameter. Applied to a command and all
 * its subcommands.
 */
final class HelpLayout {
    /** Widest option column: {@code --steer-mark=MARK[/MASK]} and the like stay beside their text. */
    static final int LONG_OPTIONS_WIDTH = 28;

    private HelpLayout() {}

    static CommandLine apply(CommandLine cmd) {
        UsageMessageSpec usage = cmd.getCommandSpec().usageMessage();
        usage.abbreviateSynopsis(true);
        usage.longOptionsMaxWidth(LONG_OPTIONS_WIDTH);
        usage.description(paragraphs(usage.description()));
        for (CommandLine sub : cmd.getSubcommands().values()) {
            apply(sub);
        }
        return cmd;
    }

    /**
     * Joins runs of non-empty lines into one line each; empty lines stay as paragraph breaks and
     * lines that begin with a space (indented examples) stay as they are.
     */
    static String[] paragraphs(String[] lines) {
        List<String> out = new ArrayList<>();
        StringBuilder para = null;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith(" ")) {
                if (para != null) {
                    out.add(para.toString());
                    para = null;
                }
                out.add(line);
            } else if (para == null) {
                para = new StringBuilder(line);
            } else {
                para.append(' ').append(line);
            }
        }
        if (para != null) {
            out.add(para.toString());
        }
        return out.toArray(String[]::new);
    }
}
