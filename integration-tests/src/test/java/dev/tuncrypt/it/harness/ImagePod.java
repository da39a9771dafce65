package dev.tuncrypt.it.harness;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Device;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The tuncrypt containers of a {@link PodManifest}, started from the image {@code tools/image}
 * builds, in a {@link Peer}'s network namespace: the peer is the node of a host-network pod, or
 * the pod itself (its application container) for a sidecar. Mapped from the manifest as the
 * kubelet would: the pod's sysctls are set in the namespace first; init containers run to
 * completion in order; the others start and must print the daemon's ready line. Command,
 * arguments, environment, capabilities (drop, then add), read-only root, no-new-privileges and
 * mounts are the manifest's: a configMap volume is a read-only directory holding the config
 * given here, hostPath {@code /dev/net/tun} the device, emptyDir a tmpfs (exec, mode 0777, as
 * an emptyDir is). One exception, because engines on hosts without every capability cannot
 * start privileged containers (runc fails applying CAP_SYS_RESOURCE here): {@code privileged:
 * true} becomes what that step uses of it, NET_ADMIN, {@code /dev/net/tun} and a writable
 * {@code /proc/sys}.
 */
public final class ImagePod implements AutoCloseable {
    private static String loadedImage;

    private final Peer peer;
    private final List<GenericContainer<?>> running = new ArrayList<>();
    private final Map<GenericContainer<?>, String> names = new HashMap<>();
    private final Map<GenericContainer<?>, StringBuilder> outputs = new HashMap<>();
    private GenericContainer<?> daemon;

    private ImagePod(Peer peer) {
        this.peer = peer;
    }

    /**
     * Builds the image with {@code tools/image build} and loads it into the test's engine, once
     * per JVM; returns its name ({@code tuncrypt/tuncryptd:VERSION}).
     */
    public static synchronized String image() throws IOException, InterruptedException {
        if (loadedImage != null) {
            return loadedImage;
        }
        DockerEngine.require();
        Map<String, String> env = new HashMap<>();
        if (DockerEngine.privateHost() != null) {
            env.put("DOCKER_HOST", DockerEngine.privateHost());
        }
        String built = tool(env, "build");
        if (!built.contains("loaded into")) {
            throw new AssertionError("tools/image build did not load the image: " + built);
        }
        loadedImage = tool(env, "name").strip();
        return loadedImage;
    }

    private static String tool(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(Harness.ROOT.resolve("tools/image").toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(Harness.ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("tools/image " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /**
     * Starts {@code manifest}'s containers in {@code peer}'s network namespace; every configMap
     * volume holds {@code tuncryptd.conf} = {@code config}. Returns once the daemon is ready.
     */
    public static ImagePod start(Peer peer, PodManifest manifest, String config) throws Exception {
        ImagePod pod = new ImagePod(peer);
        try {
            // what the kubelet does with the pod's sysctls before any container starts
            for (Map.Entry<String, String> s : manifest.sysctls().entrySet()) {
                peer.execOk("sysctl", "-q", "-w", s.getKey() + "=" + s.getValue());
            }
            Path configDir = peer.dir().resolve("configmap");
            Files.createDirectories(configDir);
            Files.writeString(configDir.resolve("tuncryptd.conf"), config);
            for (PodManifest.PodContainer c : manifest.containers()) {
                pod.run(c, configDir);
            }
            if (pod.daemon == null) {
                throw new IllegalArgumentException("the manifest starts no long-running tuncryptd container");
            }
            return pod;
        } catch (Exception | AssertionError e) {
            pod.close();
            throw e;
        }
    }

    @SuppressWarnings("resource")
    private void run(PodManifest.PodContainer c, Path configDir) throws IOException {
        GenericContainer<?> g = new GenericContainer<>(DockerImageName.parse(c.image()))
                .withImagePullPolicy(image -> false)
                .withNetworkMode("container:" + peer.containerId())
                .withLabel("dev.tuncrypt.it", "pod")
                .withEnv(c.env())
                .withCreateContainerCmdModifier(cmd -> {
                    if (!c.command().isEmpty()) {
                        cmd.withEntrypoint(c.command()); // as in Kubernetes, the image's CMD goes too
                    }
                    if (!c.args().isEmpty() || !c.command().isEmpty()) {
                        cmd.withCmd(c.args());
                    }
                    cmd.withHostConfig(hostConfig(c, cmd.getHostConfig(), configDir));
                });
        if (c.runsToCompletion()) {
            g.withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(120)));
        } else {
            g.waitingFor(Wait.forLogMessage(".*; ready.*", 1).withStartupTimeout(Duration.ofSeconds(120)));
        }
        // kept as it comes: a container that fails to start is removed before its logs can be read
        StringBuilder output = new StringBuilder();
        g.withLogConsumer(frame -> {
            synchronized (output) {
                output.append(frame.getUtf8StringWithoutLineEnding()).append('\n');
            }
        });
        outputs.put(g, output);
        running.add(g);
        names.put(g, c.name());
        try {
            g.start();
        } catch (RuntimeException e) {
            saveLog(g);
            throw new AssertionError("container " + c.name() + " of the manifest failed: " + e.getMessage()
                    + "; its output: " + peer.file("pod-" + c.name() + ".log"), e);
        }
        if (c.runsToCompletion()) {
            saveLog(g);
            g.stop();
            running.remove(g);
        } else {
            daemon = g;
        }
    }

    private static HostConfig hostConfig(PodManifest.PodContainer c, HostConfig hc, Path configDir) {
        Set<Capability> drop = new LinkedHashSet<>();
        Set<Capability> add = new LinkedHashSet<>();
        c.capDrop().forEach(s -> drop.add(Capability.valueOf(s)));
        c.capAdd().forEach(s -> add.add(Capability.valueOf(s)));
        List<Device> devices = new ArrayList<>();
        List<Bind> binds = new ArrayList<>();
        Map<String, String> tmpfs = new HashMap<>();
        for (PodManifest.Mount m : c.mounts()) {
            switch (m.kind()) {
                case "configMap" -> binds.add(new Bind(configDir.toString(), new Volume(m.path()), AccessMode.ro));
                case "hostPath" -> {
                    if (!m.source().equals("/dev/net/tun") || !m.path().equals("/dev/net/tun")) {
                        throw new IllegalArgumentException("hostPath " + m.source() + " is not mapped");
                    }
                    devices.add(Device.parse("/dev/net/tun"));
                }
                case "emptyDir" -> tmpfs.put(m.path(), "rw,exec,mode=0777");
                default -> throw new IllegalArgumentException(m.kind());
            }
        }
        if (c.privileged()) {
            add.add(Capability.NET_ADMIN);
            if (devices.isEmpty()) {
                devices.add(Device.parse("/dev/net/tun"));
            }
        }
        hc.withCapDrop(drop.toArray(Capability[]::new)).withCapAdd(add.toArray(Capability[]::new))
                .withDevices(devices).withBinds(binds).withTmpFs(tmpfs).withReadonlyRootfs(c.readOnlyRootFilesystem());
        if (!c.allowPrivilegeEscalation()) {
            hc.withSecurityOpts(List.of("no-new-privileges"));
        }
        return c.privileged() ? Peer.UnconfinedPaths.of(hc) : hc;
    }

    /** Runs a command in the daemon's container (its environment, e.g. TUNCRYPT_CONTROL, applies). */
    public ExecResult exec(String... cmd) throws IOException, InterruptedException {
        return daemon.execInContainer(cmd);
    }

    /** {@link #exec} that must exit 0; its stdout. */
    public String execOk(String... cmd) throws IOException, InterruptedException {
        ExecResult r = exec(cmd);
        if (r.getExitCode() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " in the daemon's container exited " + r.getExitCode()
                    + ": " + r.getStdout() + r.getStderr());
        }
        return r.getStdout();
    }

    /** The daemon's output so far. */
    public String daemonLog() {
        return daemon == null ? "" : daemon.getLogs();
    }

    private void saveLog(GenericContainer<?> g) {
        StringBuilder output = outputs.get(g);
        try {
            synchronized (output) {
                Files.writeString(peer.file("pod-" + names.get(g) + ".log"), output);
            }
        } catch (IOException e) {
            System.err.println("saving the output of " + names.get(g) + ": " + e);
        }
    }

    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            GenericContainer<?> g = running.get(i);
            saveLog(g);
            try {
                g.stop();
            } catch (RuntimeException e) {
                System.err.println("stopping " + names.get(g) + ": " + e);
            }
        }
        running.clear();
    }
}
