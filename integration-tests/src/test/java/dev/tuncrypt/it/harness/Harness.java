package dev.tuncrypt.it.harness;

import java.nio.file.Path;

/** Paths the harness shares: the build the peers mount, and where each test's files go. */
public final class Harness {
    /** The project root (the integration-tests module runs one level below it). */
    public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** The image every peer runs: an almost empty root; /usr and /etc come from the host. */
    public static final String IMAGE = "tuncrypt-it-base:1";
    /** Per test: {@code target/peers/<TestClass>/<method>/<peer>/}. */
    public static final Path OUT = ROOT.resolve("integration-tests/target/peers");

    private Harness() {}

    /** The directory of one test's peers. */
    public static Path testDir(Class<?> testClass, String method) {
        return OUT.resolve(testClass.getSimpleName()).resolve(method);
    }
}
