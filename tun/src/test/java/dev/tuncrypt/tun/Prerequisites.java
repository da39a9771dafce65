package dev.tuncrypt.tun;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * What some tests need from the machine. Missing pieces skip the test with a reason, except under
 * {@code CI=true}, where they fail it: CI must run everything.
 */
final class Prerequisites {
    private Prerequisites() {}

    static void require(boolean present, String reason) {
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(reason + " (CI=true, so this fails instead of skipping)");
        }
        Assumptions.abort(reason);
    }

    /** Whether {@code command} is an executable on the PATH or in an sbin directory. */
    static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** Root, /dev/net/tun and iproute2. */
    static void requireTunAndNetns() throws IOException {
        require(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun missing: load the tun module (modprobe tun)");
        require(onPath("ip"), "the ip command is missing: install iproute2");
        require(isRoot(), "TUN and network namespace tests need root");
    }

    private static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[2].equals("0");
            }
        }
        return false;
    }
}
