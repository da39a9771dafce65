package dev.tuncrypt.it.harness;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Device;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.utility.DockerImageName;

/**
 * One host of a test: a container on the test's {@link Network} with a fixed address, NET_ADMIN,
 * {@code /dev/net/tun}, IPv4 forwarding, a writable {@code /proc/sys} (see {@link UnconfinedPaths}), the host's {@code /usr} and {@code /etc} and the
 * project's build (at the same path as on the host, read-only). Its directory on the host is
 * {@code /out} inside: inputs, outputs, logs and captures of what runs in it.
 *
 * <p>Each peer owns a TUN subnet {@code 198.18.<index>.0/24}: the kernel side is {@code .1},
 * an embedded stack {@code .2}; {@link PeerNetwork#route()} makes every peer route the others'
 * TUN subnets via their addresses on the shared network.
 */
public final class Peer implements AutoCloseable {
    /** Capture snapshot length: more than any frame on the peers' 1500-byte links. */
    public static final int SNAPLEN = 4096;

    /** Where the peer's directory appears inside the container. */
    public static final String OUT = "/out";

    private final String name;
    private final int index;
    private final String address;
    private final Path dir;
    private final GenericContainer<?> container;

    Peer(String name, int index, String address, Path dir, Network network) throws IOException {
        this.name = name;
        this.index = index;
        this.address = address;
        this.dir = dir;
        Files.createDirectories(dir);
        @SuppressWarnings("resource")
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(Harness.IMAGE))
                .withImagePullPolicy(image -> false)
                .withNetwork(network)
                .withCommand("sleep", "infinity")
                .withLabel("dev.tuncrypt.it", "peer")
                .withStartupTimeout(Duration.ofSeconds(60))
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withHostName(name).withIpv4Address(address);
                    cmd.getHostConfig()
                            .withBinds(new Bind("/usr", new Volume("/usr"), AccessMode.ro),
                                    new Bind("/etc", new Volume("/etc"), AccessMode.ro),
                                    new Bind(Harness.ROOT.toString(), new Volume(Harness.ROOT.toString()), AccessMode.ro),
                                    new Bind(dir.toString(), new Volume(OUT), AccessMode.rw))
                            .withCapAdd(Capability.NET_ADMIN, Capability.NET_RAW)
                            .withDevices(Device.parse("/dev/net/tun"))
                            .withSysctls(Map.of("net.ipv4.ip_forward", "1", "net.ipv4.conf.all.rp_filter", "0"));
                    cmd.withHostConfig(UnconfinedPaths.of(cmd.getHostConfig()));
                });
        this.container = c;
        try {
            c.start();
        } catch (RuntimeException e) {
            c.stop(); // no reaper: a container that failed to start is removed here
            throw e;
        }
    }

    public String name() {
        return name;
    }

    /** Its address on the shared network (eth0). */
    public String address() {
        return address;
    }

    /** Its TUN subnet, {@code 198.18.<index>.0/24}. */
    public String tunSubnet() {
        return "198.18." + index + ".0/24";
    }

    /** The kernel's address on its TUN device, with prefix: {@code 198.18.<index>.1/24}. */
    public String tunKernelCidr() {
        return "198.18." + index + ".1/24";
    }

    /** The embedded stack's address: {@code 198.18.<index>.2}. */
    public String stackAddress() {
        return "198.18." + index + ".2";
    }

    /** Its directory on the host ({@link #OUT} inside). */
    public Path dir() {
        return dir;
    }

    /** A file of its directory, on the host. */
    public Path file(String fileName) {
        return dir.resolve(fileName);
    }

    /** The path of a file of its directory as the container sees it. */
    public static String inside(String fileName) {
        return OUT + "/" + fileName;
    }

    /** The container's id (for docker commands by hand). */
    public String containerId() {
        return container.getContainerId();
    }

    /** Runs a short command to its end. */
    public ExecResult exec(String... cmd) throws IOException, InterruptedException {
        return container.execInContainer(cmd);
    }

    /** Runs a short command and fails unless it exits 0; returns its stdout. */
    public String execOk(String... cmd) throws IOException, InterruptedException {
        ExecResult r = exec(cmd);
        if (r.getExitCode() != 0) {
            throw new AssertionError(name + ": " + String.join(" ", cmd) + " exited " + r.getExitCode() + ": "
                    + r.getStdout() + r.getStderr());
        }
        return r.getStdout();
    }

    /** Starts {@code cmd} in the background with no input. */
    public Service start(String serviceName, String... cmd) throws Exception {
        return startWithInput(serviceName, null, cmd);
    }

    /**
     * Starts {@code cmd} in the background; {@code input} (a file of this peer's directory, or
     * null for none) is its standard input.
     */
    public Service startWithInput(String serviceName, String input, String... cmd) throws Exception {
        if (!serviceName.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("service name: " + serviceName);
        }
        Files.deleteIfExists(file(serviceName + ".rc"));
        Files.deleteIfExists(file(serviceName + ".pid"));
        String o = inside(serviceName);
        String stdin = input == null ? "/dev/null" : quote(inside(input));
        String script = "( " + Stream.of(cmd).map(Peer::quote).collect(Collectors.joining(" "))
                + " >" + o + ".out 2>" + o + ".err <" + stdin + " & echo $! >" + o + ".pid; wait $!; echo $? >"
                + o + ".rc.tmp; mv " + o + ".rc.tmp " + o + ".rc ) >/dev/null 2>&1 </dev/null &";
        execOk("sh", "-c", script);
        long end = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(file(serviceName + ".pid")) && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        return new Service(this, serviceName);
    }

    /** {@code bin/tuncrypt nc} on its own TUN device {@code tunName} of this peer's TUN subnet. */
    public Service tuncryptNc(String serviceName, String tunName, String input, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Harness.ROOT.resolve("bin/tuncrypt").toString(), "nc", "--tun", tunName,
                "--tun-addr", tunKernelCidr(), "--stack-addr", stackAddress()));
        cmd.addAll(List.of(args));
        return startWithInput(serviceName, input, cmd.toArray(String[]::new));
    }

    /** The library test tool ({@code dev.tuncrypt.it.peer.StreamTool}) on TUN device {@code tunName}. */
    public Service streamTool(String serviceName, String tunName, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx1g", "-cp", Classpath.inContainer(),
                "dev.tuncrypt.it.peer.StreamTool"));
        cmd.add(args[0]);
        cmd.addAll(List.of("--tun", tunName, "--tun-addr", tunKernelCidr(), "--stack-addr", stackAddress()));
        cmd.addAll(List.of(args).subList(1, args.length));
        return startWithInput(serviceName, null, cmd.toArray(String[]::new));
    }

    /** Starts {@code bin/tuncryptd} with {@code options} and waits for its ready line. */
    public Service tuncryptd(String... options) throws Exception {
        return tuncryptd("tuncryptd", List.of(options));
    }

    /**
     * Starts {@code bin/tuncryptd} with {@code options} as service {@code serviceName} (a
     * restarted daemon gets a name of its own) and waits for its ready line.
     */
    public Service tuncryptd(String serviceName, List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Harness.ROOT.resolve("bin/tuncryptd").toString()));
        cmd.addAll(options);
        return startWithInput(serviceName, null, cmd.toArray(String[]::new)).awaitOutput("; ready", Duration.ofSeconds(30));
    }

    /** A Java program of the test classes ({@code mainClass}, e.g. a tool of {@code dev.tuncrypt.it.peer}) in the background. */
    public Service java(String serviceName, String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-cp", Classpath.inContainer(), mainClass));
        cmd.addAll(List.of(args));
        return startWithInput(serviceName, null, cmd.toArray(String[]::new));
    }

    /** What {@code bin/tuncrypt netstat} prints in this peer (the daemon's control socket). */
    public String netstat(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Harness.ROOT.resolve("bin/tuncrypt").toString(), "netstat"));
        cmd.addAll(List.of(args));
        return execOk(cmd.toArray(String[]::new));
    }

    /**
     * Starts tcpdump on {@code iface}, writing {@code <name>.pcap} here; returns once it captures.
     * Immediate mode: without it, packets wait in the capture ring for up to a second and a
     * capture stopped sooner loses them. Immediate mode makes libpcap use fixed ring slots of
     * the snapshot length, so the length is {@link #SNAPLEN} (frames here are at most 1514
     * bytes; {@link Capture#stop()} fails on a cut one) and the 64 MiB ring holds ~16k frames.
     */
    public Capture capture(String captureName, String iface, String filter) throws Exception {
        return capture(captureName, iface, filter, SNAPLEN);
    }

    /**
     * {@link #capture(String, String, String)} with another snapshot length: 65535 for plain
     * kernel-to-kernel TCP, whose GSO/GRO frames on the veth are far larger than the MTU (the
     * ring then holds ~1000 frames).
     */
    public Capture capture(String captureName, String iface, String filter, int snaplen) throws Exception {
        Service s = start("tcpdump-" + captureName, "tcpdump", "-i", iface, "-n", "-s", Integer.toString(snaplen), "-U", "--immediate-mode", "-B", "65536", "-Z", "root", "-w",
                inside(captureName + ".pcap"), filter);
        s.awaitOutput("listening on", Duration.ofSeconds(10));
        return new Capture(s, file(captureName + ".pcap"));
    }

    @Override
    public void close() {
        container.stop();
    }

    /**
     * A host configuration with empty {@code MaskedPaths} and {@code ReadonlyPaths}, what
     * {@code docker run --security-opt systempaths=unconfined} sends (the engine refuses that
     * option in the API; the CLI turns it into these fields, which docker-java does not have).
     * {@code /proc/sys} becomes writable: tuncryptd's routing plan sets its TUN device's
     * {@code rp_filter} and {@code accept_local}, as on a host. Without CAP_SYS_ADMIN only the
     * container's own network namespace's sysctls can be written.
     */
    static final class UnconfinedPaths extends HostConfig {
        private static final long serialVersionUID = 1L;
        private static final ObjectMapper MAPPER = new ObjectMapper();

        @JsonProperty("MaskedPaths")
        public final List<String> maskedPaths = List.of();

        @JsonProperty("ReadonlyPaths")
        public final List<String> readonlyPaths = List.of();

        static HostConfig of(HostConfig c) {
            return MAPPER.convertValue(c, UnconfinedPaths.class);
        }
    }

    /** Single-quotes for sh. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
