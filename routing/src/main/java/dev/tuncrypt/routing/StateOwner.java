package dev.tuncrypt.routing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The daemon that owns the routing state of a network namespace: its pid and its start time,
 * kept next to the sysctl journal ({@code /run/tuncrypt/net-INODE/owner}). {@code --cleanup}
 * refuses while that process is alive. The start time tells a live owner from an unrelated
 * process that was given the same pid after the owner was killed.
 *
 * @param pid the owning process
 * @param startMillis its start time, milliseconds since the epoch, as {@link ProcessHandle.Info#startInstant()} reports it
 */
public record StateOwner(long pid, long startMillis) {
    /** The file name inside the state directory. */
    public static final String FILE_NAME = "owner";

    /** This process. */
    public static StateOwner current() {
        ProcessHandle self = ProcessHandle.current();
        return new StateOwner(self.pid(), self.info().startInstant().map(Instant::toEpochMilli).orElse(0L));
    }

    /** Whether the owner still runs: a process with this pid and the same start time exists. */
    public boolean alive() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .flatMap(h -> h.info().startInstant())
                .map(s -> startMillis == 0 || s.toEpochMilli() == startMillis)
                .orElse(false);
    }

    static Path file(Path directory) {
        return directory.resolve(FILE_NAME);
    }

    /** Writes "PID START" (one line) into the state directory. */
    static void write(Path directory, StateOwner owner) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(file(directory), owner.pid() + " " + owner.startMillis() + "\n", StandardCharsets.UTF_8);
    }

    /** The recorded owner; empty when there is no file or it cannot be read as one. */
    static Optional<StateOwner> read(Path directory) {
        try {
            String[] f = Files.readString(file(directory), StandardCharsets.UTF_8).strip().split("\\s+");
            return f.length == 2 ? Optional.of(new StateOwner(Long.parseLong(f[0]), Long.parseLong(f[1]))) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    static void delete(Path directory) throws IOException {
        Files.deleteIfExists(file(directory));
    }
}
