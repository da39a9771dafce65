package dev.tuncrypt.routing;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One command line of a plan, with what it reads on standard input ({@code nft -f -}), or
 * {@code null}.
 */
public record Command(List<String> argv, String stdin) {

    public Command {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
    }

    /** A command without standard input. */
    public static Command of(String... argv) {
        return new Command(List.of(argv), null);
    }

    /** The program name ({@code ip}, {@code nft}, ...). */
    public String tool() {
        return argv.get(0);
    }

    /** The command as a shell would take it (words with odd characters single-quoted). */
    public String render() {
        return argv.stream().map(Command::quote).collect(Collectors.joining(" "));
    }

    private static String quote(String word) {
        if (!word.isEmpty() && word.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./:=,@%+".indexOf(c) >= 0)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    @Override
    public String toString() {
        return render();
    }
}
