package dev.tuncrypt.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The installation as an operator gets it: {@code tools/package deb} (what {@code make deb}
 * runs after the build) makes a Debian package; {@code dpkg --root} installs it into a throwaway
 * root (the host's own package database and files stay untouched); {@code tools/check-install}
 * then checks that root laid over this host's /usr and /etc in a private mount namespace:
 * {@code tuncryptd --version} on the bundled runtime, the man pages, the bash completions,
 * {@code systemd-analyze verify} of the unit, a unit that reads the config file and is
 * {@code Type=notify}, the daemon's READY=1 and STOPPING=1 on {@code $NOTIFY_SOCKET}, the CLI
 * finding the daemon at the shared default control socket, and a second daemon told to use
 * {@code -u}. Finally {@code make install DESTDIR=... PREFIX=/usr} must lay out exactly the
 * package's files with the same modes.
 */
class PackageTest {
    private static final Path ROOT = Daemon.ROOT;
    private final List<Path> temporary = new ArrayList<>();

    @AfterEach
    void removeTemporaryTrees() throws IOException {
        for (Path p : temporary) {
            delete(p);
        }
    }

    @Test
    void debianPackageInstallsAWorkingDaemonAndMakeInstallLaysOutTheSameFiles() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("dpkg-deb", "dpkg");
        Requirements.command("systemd-analyze", "systemd");
        Requirements.command("man", "man-db");
        Requirements.command("socat", "socat");
        Requirements.command("unshare", "util-linux");

        Path work = temp("tuncrypt-package-");
        Result built = run(Map.of(), "tools/package", "deb", work.resolve("out").toString());
        assertThat(built.exit()).as(built.output()).isZero();
        Path deb = Path.of(built.output().strip().lines().reduce((a, b) -> b).orElseThrow());
        assertThat(deb.getFileName().toString()).matches("tuncrypt_[0-9.]+_[a-z0-9]+\\.deb");

        Path root = work.resolve("root");
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
        Files.writeString(root.resolve("var/lib/dpkg/status"), "");
        // --force-depends: the throwaway root has no iproute2 or libc6 packages; the host has them
        Result installed = run(Map.of(), "dpkg", "--root=" + root, "--force-script-chrootless", "--force-depends",
                "-i", deb.toString());
        assertThat(installed.exit()).as(installed.output()).isZero();
        assertThat(installed.output()).contains("Setting up tuncrypt");

        Result checked = run(Map.of(), "tools/check-install", root.toString());
        assertThat(checked.output()).doesNotContain("FAIL:");
        assertThat(checked.exit()).as(checked.output()).isZero();
        assertThat(checked.output()).contains(
                "ok: tuncryptd --version: tuncrypt ",
                "ok: man tuncryptd documents --config",
                "ok: bash completion tuncrypt",
                "ok: systemd-analyze verify /usr/lib/systemd/system/tuncryptd.service",
                "ok: ExecStart=/usr/bin/tuncryptd --config /etc/tuncrypt/tuncryptd.conf",
                "ok: Type=notify",
                "ok: READY=1 on $NOTIFY_SOCKET",
                "ok: tuncrypt status at the default control socket",
                "ok: second daemon refused:",
                "ok: TUNCRYPT_CONTROL moves the CLI's default:",
                "ok: STOPPING=1");
        assertThat(checked.output()).containsPattern("second daemon refused: .*another daemon answers on the control "
                + "socket /run/tuncryptd/control: give this one its own with -u");

        Path dest = work.resolve("dest");
        Result make = run(Map.of("PREFIX", "/usr", "UNITDIR", "/usr/lib/systemd/system"), "tools/package", "install",
                dest.toString());
        assertThat(make.exit()).as(make.output()).isZero();
        Map<String, String> packaged = listing(root);
        packaged.keySet().removeIf(p -> p.equals("var") || p.startsWith("var/")); // dpkg's database
        assertThat(listing(dest)).isEqualTo(packaged);
        assertThat(packaged).containsKeys("usr/bin/tuncryptd", "usr/bin/tuncrypt", "usr/share/man/man8/tuncryptd.8.gz",
                "usr/share/man/man1/tuncrypt-nc.1.gz", "usr/share/bash-completion/completions/tuncrypt",
                "usr/lib/systemd/system/tuncryptd.service", "etc/tuncrypt/tuncryptd.conf",
                "usr/share/doc/tuncrypt/LICENSE", "usr/share/doc/tuncrypt/copyright",
                "usr/lib/tuncrypt/runtime/bin/java");
    }

    /** Every path under {@code dir} (relative) with its type and permissions. */
    private static Map<String, String> listing(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(p -> !p.equals(dir)).toList()) {
                String kind = Files.isSymbolicLink(p) ? "link" : Files.isDirectory(p) ? "dir" : "file";
                String mode = Files.isSymbolicLink(p) ? ""
                        : PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                out.put(dir.relativize(p).toString(), kind + " " + mode);
            }
        }
        return out;
    }

    private record Result(int exit, String output) {}

    private static Result run(Map<String, String> env, String... argv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", argv) + " did not finish: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    private Path temp(String prefix) throws IOException {
        Path p = Files.createTempDirectory(prefix);
        temporary.add(p);
        return p;
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
