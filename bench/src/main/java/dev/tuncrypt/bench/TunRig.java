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
            device = ns.exec(() -> TunDevice.open(TunConfig.of("tb0").withMtu(mtu).withTcpOffloads(Bench.offload())));
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

    /** The namespace kernel's TCP retransmitted segments so far (/proc/net/snmp RetransSegs). */
    long kernelRetransmits() throws IOException {
        return snmpTcp(ns, "RetransSegs");
    }

    /** Packets the kernel could not queue to the TUN device (its TX drops: the stack read too slowly). */
    long tunDrops() throws IOException {
        String[] lines = ns.run("cat", "/sys/class/net/tb0/statistics/tx_dropped").output().strip().split("\\s+");
        return Long.parseLong(lines[0]);
    }

    static long snmpTcp(TestNamespace ns, String field) throws IOException {
        String[] lines = ns.run("cat", "/proc/net/snmp").output().split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Tcp:") && lines[i + 1].startsWith("Tcp:")) {
                String[] names = lines[i].trim().split("\\s+");
                String[] values = lines[i + 1].trim().split("\\s+");
                for (int j = 0; j < names.length; j++) {
                    if (names[j].equals(field)) {
                        return Long.parseLong(values[j]);
                    }
                }
            }
        }
        throw new IOException("no Tcp " + field + " in /proc/net/snmp of " + ns.name());
    }

    @Override
    public void close() throws IOException {
        try {
            stack.close();
            device.close();
        } finally {
            delete(ns);
        }
    }
}
