package dev.tuncrypt.routing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The sysctl values from before a plan was applied, in a small state file
 * ({@code /run/tuncrypt/routing.state}), written before the first change so that
 * {@link Cleanup} can restore them after the daemon was killed.
 *
 * <p>Format: UTF-8 text, {@code #} comments, then one {@code key=value} line per original value
 * in the order they were recorded; restoring goes backwards, so a global switch
 * ({@code net.ipv4.ip_forward}) is put back before the per-device values it overwrote.
 */
public final class SysctlJournal {
    /** The file name inside the state directory. */
    public static final String FILE_NAME = "routing.state";
    /**
     * Where {@code tuncryptd} keeps it: one directory per network namespace
     * ({@code /run/tuncrypt/net-INODE}), since /run is shared between namespaces and each has
     * its own sysctls, rules and nft tables.
     */
    public static final Path DEFAULT_DIRECTORY = Path.of("/run/tuncrypt", "net-" + networkNamespaceId());

    /** One recorded original value. */
    public record Entry(String key, String value) {}

    private SysctlJournal() {}

    /** The inode of this process's network namespace ("net:[4026531840]" → 4026531840), or "unknown". */
    static String networkNamespaceId() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            return link.replaceAll("[^0-9]", "");
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }

    static Path file(Path directory) {
        return directory.resolve(FILE_NAME);
    }

    /** Writes the entries atomically (temporary file, then rename). */
    static void write(Path directory, String tunName, List<Entry> entries) throws IOException {
        Files.createDirectories(directory);
        StringBuilder sb = new StringBuilder();
        sb.append("# tuncrypt routing: sysctl values before the plan for ").append(tunName).append(" was applied.\n");
        sb.append("# Restored (last line first) on a clean stop or by tuncryptd --cleanup; then this file is removed.\n");
        for (Entry e : entries) {
            sb.append(e.key()).append('=').append(e.value()).append('\n');
        }
        Path tmp = directory.resolve(FILE_NAME + ".tmp");
        Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file(directory), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file(directory), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The recorded entries, or an empty list if there is no file. */
    static List<Entry> read(Path directory) throws IOException {
        Path f = file(directory);
        if (!Files.exists(f)) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IOException(f + ": malformed line '" + line + "'");
            }
            out.add(new Entry(line.substring(0, eq), line.substring(eq + 1)));
        }
        return out;
    }

    static boolean exists(Path directory) {
        return Files.exists(file(directory));
    }

    static void delete(Path directory) throws IOException {
        Files.deleteIfExists(file(directory));
        try {
            Files.deleteIfExists(directory); // the per-namespace directory, when nothing else is in it
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            // someone keeps other files there: leave it
        }
    }

    /**
     * Puts the recorded values back, last first; keys that no longer exist (a TUN device that
     * went away with the daemon) are skipped, values already equal are not rewritten.
     *
     * @return how many values were written
     */
    static int restore(Sysctls sysctls, List<Entry> entries) throws RoutingException {
        int written = 0;
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            var now = sysctls.read(e.key());
            if (now.isPresent() && !now.get().equals(e.value())) {
                sysctls.write(e.key(), e.value());
                written++;
            }
        }
        return written;
    }
}
