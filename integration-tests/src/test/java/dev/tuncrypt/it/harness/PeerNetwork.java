package dev.tuncrypt.it.harness;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInfo;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Network;

/**
 * The peers of one test on one Docker network {@code 198.19.<n>.0/24} (peer {@code i} at
 * {@code .<10+i>}). Peers' files go to {@code target/peers/<TestClass>/<method>/<peer>/};
 * {@link PeerLogs} prints their logs when the test fails. Closing stops every peer and removes
 * the network.
 *
 * <pre>
 * try (PeerNetwork net = PeerNetwork.create(testInfo)) {
 *     Peer a = net.peer("a"), b = net.peer("b");
 *     net.route();
 *     ...
 * }
 * </pre>
 */
public final class PeerNetwork implements AutoCloseable {
    private final Network network;
    private final int subnet;
    private final Path dir;
    private final List<Peer> peers = new ArrayList<>();

    private PeerNetwork(Network network, int subnet, Path dir) {
        this.network = network;
        this.subnet = subnet;
        this.dir = dir;
    }

    /** A network for the test {@code info} describes (its directory is emptied first). */
    public static PeerNetwork create(TestInfo info) throws Exception {
        return create(Harness.testDir(info.getTestClass().orElseThrow(), info.getTestMethod().orElseThrow().getName()));
    }

    /** A network whose peers keep their files under {@code dir} (emptied first). */
    public static PeerNetwork create(Path dir) throws Exception {
        deleteTree(dir); // first: a failure below must not show an earlier run's files
        Files.createDirectories(dir);
        DockerEngine.require();
        ensureImage();
        RuntimeException last = null;
        for (int attempt = 0; attempt < 8; attempt++) {
            // a private engine has the range to itself; a shared one may hold other runs' networks
            int n = DockerEngine.require() == DockerEngine.Source.PRIVATE && attempt == 0
                    ? 0 : ThreadLocalRandom.current().nextInt(256);
            String cidr = "198.19." + n + ".0/24";
            Network network = Network.builder().createNetworkCmdModifier(cmd -> cmd
                    .withLabels(new java.util.HashMap<>(Map.of("dev.tuncrypt.it", "network")))
                    .withIpam(new com.github.dockerjava.api.model.Network.Ipam().withConfig(
                            new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet(cidr)
                                    .withGateway("198.19." + n + ".1")))).build();
            try {
                network.getId(); // created lazily: now
                return new PeerNetwork(network, n, dir);
            } catch (RuntimeException e) {
                last = e;
                network.close();
            }
        }
        throw last;
    }

    /** Starts a peer called {@code name} (index = order of creation, from 1). */
    public Peer peer(String name) throws IOException {
        int index = peers.size() + 1;
        Peer p = new Peer(name, index, "198.19." + subnet + "." + (10 + index), dir.resolve(name), network);
        peers.add(p);
        return p;
    }

    /**
     * Every peer routes every other peer's TUN subnet via that peer's address. Each peer's eth0
     * segments in software what it sends (TSO off), so the shared network carries frames of at
     * most the MTU, as a wire would: a stack's super-packets (and the kernel's own) would
     * otherwise cross it whole and exceed the captures' snapshot length.
     */
    public void route() throws Exception {
        for (Peer p : peers) {
            p.execOk("ethtool", "-K", "eth0", "tso", "off");
        }
        for (Peer p : peers) {
            for (Peer q : peers) {
                if (p != q) {
                    p.execOk("ip", "route", "replace", q.tunSubnet(), "via", q.address());
                }
            }
        }
    }

    public List<Peer> peers() {
        return List.copyOf(peers);
    }

    /** The test's directory on the host. */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        for (Peer p : peers) {
            try {
                p.close();
            } catch (RuntimeException e) {
                System.err.println("stopping peer " + p.name() + ": " + e);
            }
        }
        network.close();
    }

    /** The base image: imported by tools/docker-private, else here (an engine of one's own). */
    private static synchronized void ensureImage() throws IOException, InterruptedException {
        DockerClient docker = DockerClientFactory.instance().client();
        try {
            docker.inspectImageCmd(Harness.IMAGE).exec();
            return;
        } catch (NotFoundException e) {
            // import it below
        }
        Path root = Files.createTempDirectory("tuncrypt-it-root");
        try {
            for (String d : List.of("usr", "etc", "proc", "sys", "dev", "run", "root", "out", "tmp", "var/tmp")) {
                Files.createDirectories(root.resolve(d));
            }
            for (String l : List.of("bin", "lib", "lib64", "sbin")) {
                Files.createSymbolicLink(root.resolve(l), Path.of("usr", l));
            }
            // docker import through the CLI: docker-java's import call sends the tar truncated
            // (the engine answers "unexpected EOF"); DOCKER_HOST, if set, reaches the CLI too
            Process p = new ProcessBuilder("sh", "-c", "tar -C \"$0\" -c . | docker import - \"$1\"",
                    root.toString(), Harness.IMAGE).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("importing " + Harness.IMAGE + " (tar | docker import) failed: " + out.strip());
            }
        } finally {
            deleteTree(root);
        }
    }

    static void deleteTree(Path dir) throws IOException {
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
