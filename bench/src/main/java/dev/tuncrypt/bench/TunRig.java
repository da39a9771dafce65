package dev.tuncrypt.bench;

import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import dev.tuncrypt.tun.Netns;
import dev.tuncrypt.tun.TunConfig;
import dev.tuncrypt.tun.TunDevice;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The kernel ↔ stack topology of docs/testing.md: a namespace whose kernel reaches the stack
 * through a TUN device ({@code tb0} 198.18.7.1/24, stack 198.18.7.2). Namespaces are deleted on
 * close and, should the JVM die first, by a shutdown hook.
 */
final class TunRig implements AutoCloseable {
    private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (String name : LIVE) {
                try {
                    Netns.delete(name);
                } catch (IOException e) {
                    System.err.println("could not delete namespace " + name + ": " + e.getMessage());
                }
            }
        }));
    }

    final TestNamespace ns;
    final TunDevice device;
    final NetStack stack;

    private TunRig(TestNamespace ns, TunDevice device, NetStack stack) {
        this.ns = ns;
        this.device = device;
        this.stack = stack;
    }

    /** A namespace that is deleted on exit if the caller does not close it first. */
    static TestNamespace namespace(String prefix) throws IOException {
        TestNamespace ns = TestNamespace.create(prefix);
        LIVE.add(ns.name());
        return ns;
    }

    static void delete(TestNamespace ns) throws IOException {
        ns.close();
        LIVE.remove(ns.name());
    }

    /** Runs a command in {@code ns} and fails with its output if it fails. */
    static void run(TestNamespace ns, String... command) throws IOException {
        Netns.Result r = ns.run(command);
        if (!r.ok()) {
            throw new IOException(String.join(" ", command) + " failed in " + ns.name() + ": " + r.output().strip());
        }
    }

    static TunRig open(String prefix, int mtu, TcpConfig tcp) throws Exception {
        TestNamespace ns = namespace(prefix);
        TunDevice device = null;
        try {
            device = ns.exec(() -> TunDevice.open(TunConfig.of("tb0").withMtu(mtu)));
            device.addAddress(InetAddress.ofLiteral(Bench.KERNEL_ADDR), 24);
            device.setUp(true);
            NetStack stack = NetStack.builder().link(device.queue(0)).address(InetAddress.ofLiteral(Bench.STACK_ADDR))
                    .tcp(tcp).build();
            stack.start();
            return new TunRig(ns, device, stack);
        } catch (Exception e) {
            if (device != null) {
                device.close();
            }
            delete(ns);
            throw e;
        }
    }

    <T> T exec(Callable<T> task) throws Exception {
        return ns.exec(task);
    }

    /** Starts a thread whose body runs inside {@code ns} (the sockets it opens live there). */
    static Thread startIn(TestNamespace ns, String name, AtomicReference<Throwable> failure, Bench.Body body) {
        return Bench.start(name, failure, () -> ns.exec(() -> {
            body.run();
            return null;
        }));
    }

    Thread startInNamespace(String name, AtomicReference<Throwable> failure, Bench.Body body) {
        return startIn(ns, name, failure, body);
    }

    @Override
    public void close() throws Exception {
        try {
            stack.close();
            device.close();
        } finally {
            delete(ns);
        }
    }
}
