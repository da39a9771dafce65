package dev.tuncrypt.tcpstack.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Checks for what real-peer tests need (root, /dev/net/tun, tools). In CI ({@code CI=true}) a
 * missing requirement fails the test, so nothing is silently skipped there; elsewhere the test
 * is skipped with the reason.
 */
public final class Requirements {
    private Requirements() {}

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Root (for namespaces and TUN) and the TUN driver. */
    public static void rootAndTun() {
        require("root".equals(System.getProperty("user.name")),
                "needs root: it creates a network namespace and a TUN device (run make test as root)");
        require(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun (modprobe tun)");
        require(tool("ip"), "needs iproute2 (apt-get install iproute2)");
    }

    /** A command on the PATH. */
    public static void command(String name, String debianPackage) {
        require(tool(name), "needs '" + name + "' (apt-get install " + debianPackage + ")");
    }

    /** Debian's python3 at /usr/bin/python3 with scapy (the python3 on PATH may be another one). */
    public static void scapy() {
        require(Files.isExecutable(Path.of(PYTHON3)), "needs " + PYTHON3 + " (apt-get install python3)");
        require(scapyImports(), "needs scapy for " + PYTHON3 + " (apt-get install python3-scapy)");
    }

    /** The interpreter {@link #scapy()} checks: Debian's, whatever python3 comes first on the PATH. */
    public static final String PYTHON3 = "/usr/bin/python3";

    private static volatile Boolean scapyOk;

    private static boolean scapyImports() {
        Boolean ok = scapyOk;
        if (ok == null) {
            try {
                Process p = new ProcessBuilder(PYTHON3, "-c", "from scapy.layers.inet import IP, TCP")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                ok = p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            } catch (java.io.IOException e) {
                ok = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ok = false;
            }
            scapyOk = ok;
        }
        return ok;
    }

    private static boolean tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin:/usr/sbin:/sbin").split(":")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", name)) || Files.isExecutable(Path.of("/sbin", name));
    }

    private static void require(boolean ok, String why) {
        if (ok) {
            return;
        }
        if (inCi()) {
            fail("CI must run this test but it " + why);
        }
        Assumptions.abort("skipped: this test " + why);
    }
}
