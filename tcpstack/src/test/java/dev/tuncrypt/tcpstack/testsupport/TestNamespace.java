package dev.tuncrypt.tcpstack.testsupport;

import dev.tuncrypt.tun.Netns;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/** A network namespace a test creates and always deletes (loopback up). */
public final class TestNamespace implements AutoCloseable {
    private final String name;

    private TestNamespace(String name) {
        this.name = name;
    }

    public static TestNamespace create(String prefix) throws IOException {
        String name = prefix + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        Netns.create(name);
        TestNamespace ns = new TestNamespace(name);
        ns.run("ip", "link", "set", "lo", "up");
        // No duplicate address detection on the test's TUN devices: nothing answers it anyway.
        ns.run("sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0");
        return ns;
    }

    public String name() {
        return name;
    }

    /** Runs a command inside the namespace. */
    public Netns.Result run(String... command) throws IOException {
        return Netns.run(name, command);
    }

    /** Runs {@code task} on a thread inside the namespace (sockets and devices it opens live there). */
    public <T> T exec(Callable<T> task) throws Exception {
        return Netns.exec(name, task);
    }

    @Override
    public void close() throws IOException {
        Netns.delete(name);
    }
}
