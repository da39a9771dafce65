package dev.tuncrypt.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The class path for Java run inside a peer: the daemon's jar and libraries, and these test classes. */
final class Classpath {
    private Classpath() {}

    static String inContainer() {
        Path target = Harness.ROOT.resolve("daemon/target");
        try (Stream<Path> s = Files.list(target)) {
            Path jar = s.filter(p -> p.getFileName().toString().matches("daemon-.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().matches(".*-(sources|tests|javadoc)\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no daemon jar in " + target + ": build first"));
            return jar + ":" + target.resolve("lib") + "/*:" + Harness.ROOT.resolve("integration-tests/target/test-classes");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
