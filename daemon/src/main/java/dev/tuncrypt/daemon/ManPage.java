package dev.tuncrypt.daemon;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A man page in troff (the {@code man} macros) made from a picocli command: name and first
 * description sentence, synopsis, the description, every visible option and parameter with its
 * help text (defaults filled in), the subcommands, the footer (examples, exit status) verbatim,
 * and SEE ALSO. The command line stays the one source of the text.
 */
final class ManPage {
    private final CommandLine cmd;
    private final String title;
    private final int section;
    private final String date;
    private final List<String> seeAlso;

    /**
     * @param title the page's name, e.g. {@code tuncrypt-nc} for the subcommand {@code nc}
     * @param date the date in the page's footer, {@code YYYY-MM-DD}
     */
    ManPage(CommandLine cmd, String title, int section, String date, List<String> seeAlso) {
        this.cmd = cmd;
        this.title = title;
        this.section = section;
        this.date = date;
        this.seeAlso = seeAlso;
    }

    /** The full command as typed: {@code tuncrypt nc}. */
    private String commandName() {
        return cmd.getCommandSpec().qualifiedName(" ");
    }

    String render() {
        CommandSpec spec = cmd.getCommandSpec();
        StringBuilder t = new StringBuilder();
        t.append(".\\\" Generated from the picocli command line of ").append(commandName())
                .append("; edit the command's help text, not this file.\n");
        t.append(".TH ").append(quoted(title.toUpperCase())).append(' ').append(section).append(' ').append(quoted(date))
                .append(' ').append(quoted("tuncrypt " + Version.NUMBER)).append(' ').append(quoted("tuncrypt manual"))
                .append('\n');
        String[] description = HelpLayout.paragraphs(spec.usageMessage().description());
        t.append(".SH NAME\n").append(escape(title)).append(" \\- ").append(escape(summary(spec))).append('\n');

        t.append(".SH SYNOPSIS\n.B ").append(escape(commandName())).append('\n');
        if (!visibleOptions(spec).isEmpty()) {
            t.append("[\\fIOPTIONS\\fR]\n");
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) {
                t.append("\\fI").append(escape(p.paramLabel())).append("\\fR\n");
            }
        }
        if (!cmd.getSubcommands().isEmpty()) {
            t.append("\\fICOMMAND\\fR [\\fIARGS\\fR]\n");
        }

        t.append(".SH DESCRIPTION\n");
        paragraphs(t, description);

        if (!spec.positionalParameters().isEmpty()) {
            t.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : spec.positionalParameters()) {
                if (!p.hidden()) {
                    t.append(".TP\n\\fI").append(escape(p.paramLabel())).append("\\fR\n")
                            .append(escape(String.join(" ", p.description()))).append('\n');
                }
            }
        }
        List<OptionSpec> options = visibleOptions(spec);
        if (!options.isEmpty()) {
            t.append(".SH OPTIONS\n");
            for (OptionSpec o : options) {
                t.append(".TP\n").append(optionHead(o)).append('\n')
                        .append(escape(String.join(" ", o.description()))).append('\n');
            }
        }
        if (!cmd.getSubcommands().isEmpty()) {
            t.append(".SH COMMANDS\n");
            cmd.getSubcommands().forEach((name, sub) -> {
                t.append(".TP\n\\fB").append(escape(name)).append("\\fR\n").append(escape(summary(sub.getCommandSpec())))
                        .append('.');
                if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
                    t.append(" See \\fB").append(escape(title + "-" + name)).append("\\fR(").append(section).append(").");
                }
                t.append('\n');
            });
        }
        String[] footer = spec.usageMessage().footer();
        if (footer.length > 0) {
            t.append(".SH NOTES\n");
            footerText(t, footer);
        }
        if (!seeAlso.isEmpty()) {
            t.append(".SH SEE ALSO\n");
            List<String> refs = new ArrayList<>();
            for (String s : seeAlso) {
                int paren = s.indexOf('(');
                refs.add(paren > 0 ? "\\fB" + escape(s.substring(0, paren)) + "\\fR" + s.substring(paren) : escape(s));
            }
            t.append(String.join(",\n", refs)).append('\n');
        }
        return t.toString();
    }

    private static List<OptionSpec> visibleOptions(CommandSpec spec) {
        return spec.options().stream().filter(o -> !o.hidden()).toList();
    }

    /** {@code \fB-u\fR, \fB--control\fR=\fIADDR\fR}. */
    private static String optionHead(OptionSpec o) {
        List<String> names = new ArrayList<>();
        for (String n : o.names()) {
            names.add("\\fB" + escape(n) + "\\fR");
        }
        String head = String.join(", ", names);
        if (o.arity().max() > 0) {
            head += "=\\fI" + escape(o.paramLabel()) + "\\fR";
        }
        return head;
    }

    /** The command's header if it has one, else its description's first sentence. */
    static String summary(CommandSpec spec) {
        String[] header = spec.usageMessage().header();
        return summary(header.length > 0 ? header : HelpLayout.paragraphs(spec.usageMessage().description()));
    }

    /** The first sentence of the description, without its full stop. */
    static String summary(String[] description) {
        String first = description.length == 0 ? "" : description[0].replace("%n", " ").strip();
        int end = first.indexOf(". ");
        first = end > 0 ? first.substring(0, end) : first;
        return first.endsWith(".") ? first.substring(0, first.length() - 1) : first;
    }

    private static void paragraphs(StringBuilder t, String[] lines) {
        boolean open = false;
        for (String raw : lines) {
            String line = raw.replace("%n", " ");
            if (line.isBlank()) {
                open = false;
            } else if (line.startsWith(" ")) {
                t.append(".PP\n.nf\n").append(escape(line)).append("\n.fi\n");
                open = false;
            } else {
                t.append(open ? "" : ".PP\n").append(escape(line)).append('\n');
                open = true;
            }
        }
    }

    /** Footers hold examples laid out by hand: indented lines verbatim, the rest as paragraphs. */
    private static void footerText(StringBuilder t, String[] footer) {
        boolean verbatim = false;
        boolean para = false;
        for (String line : footer) {
            boolean indented = line.startsWith(" ");
            if (indented && !verbatim) {
                t.append(".PP\n.nf\n");
                verbatim = true;
                para = false;
            } else if (!indented && verbatim) {
                t.append(".fi\n");
                verbatim = false;
            }
            if (line.isBlank()) {
                para = false;
                continue;
            }
            if (!verbatim && !para) {
                t.append(".PP\n");
                para = true;
            }
            t.append(escape(line)).append('\n');
        }
        if (verbatim) {
            t.append(".fi\n");
        }
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\"", "\\(dq") + "\"";
    }

    /** Text safe in troff: backslashes, minus signs, and a leading control character. */
    static String escape(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        if (e.startsWith(".") || e.startsWith("'")) {
            e = "\\&" + e;
        }
        return e;
    }
}
