package dev.tuncrypt.routing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Reads and writes sysctls with {@code sysctl} (so it works inside a namespace too). */
final class Sysctls {
    private final CommandRunner runner;

    Sysctls(CommandRunner runner) {
        this.runner = runner;
    }

    /** The value, or empty if the key does not exist (a device that is gone). */
    Optional<String> read(String key) throws RoutingException {
        CommandRunner.Result r = runner.run(Command.of("sysctl", "-n", "-e", key));
        String v = r.stdout().strip();
        return r.ok() && !v.isEmpty() ? Optional.of(v) : Optional.empty();
    }

    void write(String key, String value) throws RoutingException {
        runner.check(Command.of("sysctl", "-q", "-w", key + "=" + value));
    }

    /** Every key matching a regular expression, with its value, in the kernel's order. */
    Map<String, String> readMatching(String pattern) throws RoutingException {
        String out = runner.check(Command.of("sysctl", "-a", "-r", pattern));
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf(" = ");
            if (eq > 0) {
                values.put(line.substring(0, eq).strip(), line.substring(eq + 3).strip());
            }
        }
        return values;
    }
}
