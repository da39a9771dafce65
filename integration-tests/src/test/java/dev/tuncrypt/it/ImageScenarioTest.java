package dev.tuncrypt.it;

import static dev.tuncrypt.it.DaemonScenariosTest.JSON;
import static dev.tuncrypt.it.DaemonScenariosTest.markedFile;
import static dev.tuncrypt.it.DaemonScenariosTest.sid;
import static dev.tuncrypt.it.TwoPeerScenariosTest.awaitListening;
import static dev.tuncrypt.it.TwoPeerScenariosTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuncrypt.it.harness.Harness;
import dev.tuncrypt.it.harness.ImagePod;
import dev.tuncrypt.it.harness.Peer;
import dev.tuncrypt.it.harness.PeerLogs;
import dev.tuncrypt.it.harness.PeerNetwork;
import dev.tuncrypt.it.harness.PodManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The two-daemon scenario with both daemons started from the container image ({@code make
 * image}, i.e. {@code tools/image build}, loaded into the test's engine) exactly as
 * {@code packaging/kubernetes/} starts them: peer b is a node running the DaemonSet (its
 * privileged prepare step, then the daemon with the manifest's command, environment, dropped
 * capabilities plus NET_ADMIN, read-only root and volumes, in b's network namespace as with
 * {@code hostNetwork}), peer a is a pod with the tuncryptd sidecar (the pod's sysctls, then the
 * sidecar in a's namespace). Their config files are the manifests' ConfigMaps with the
 * addresses of this network: a steers b's address, b serves port 8080 on eth0. An unmodified
 * curl in a fetches a file from python's http.server in b: byte-exact, and the session ID in
 * a's netstat equals b's (each asked inside its daemon's container, at the default control
 * socket the manifests' TUNCRYPT_CONTROL names). How {@code privileged} is mapped where the
 * engine cannot start privileged containers: see {@link ImagePod}.
 */
@ExtendWith(PeerLogs.class)
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class ImageScenarioTest {
    static final Path KUBERNETES = Harness.ROOT.resolve("packaging/kubernetes");

    @Test
    void curlBetweenDaemonsFromTheImageWithTheManifestsSettingsIsEncrypted(TestInfo info) throws Exception {
        String image = ImagePod.image();
        PodManifest node = PodManifest.read(KUBERNETES.resolve("daemonset.yaml"), image);
        PodManifest sidecar = PodManifest.read(KUBERNETES.resolve("sidecar.yaml"), image);
        assertThat(node.hostNetwork()).as("the DaemonSet runs in the node's network").isTrue();
        assertThat(node.containers()).extracting(PodManifest.PodContainer::name).containsExactly("prepare", "tuncryptd");
        assertThat(sidecar.containers()).extracting(PodManifest.PodContainer::name).containsExactly("tuncryptd");
        assertThat(sidecar.containers()).noneMatch(PodManifest.PodContainer::privileged);
        for (PodManifest m : List.of(node, sidecar)) {
            PodManifest.PodContainer daemon = m.containers().get(m.containers().size() - 1);
            assertThat(daemon.privileged()).isFalse();
            assertThat(daemon.capAdd()).containsExactly("NET_ADMIN");
            assertThat(daemon.capDrop()).containsExactly("ALL");
        }

        try (PeerNetwork net = PeerNetwork.create(info)) {
            Peer a = net.peer("a");
            Peer b = net.peer("b");
            String marker = "IMAGE-SCENARIO-PLAINTEXT-4b1d";
            Files.createDirectories(b.file("www"));
            Path blob = markedFile(b.file("www/blob"), marker, 1 << 20);

            try (ImagePod podB = ImagePod.start(b, node, config(node, "tuncryptd-node",
                            "serve = 8080\nserve-on = eth0\n"));
                    ImagePod podA = ImagePod.start(a, sidecar, config(sidecar, "tuncryptd-sidecar",
                            "steer = " + b.address() + "/32\n"))) {
                b.start("http", "python3", "-m", "http.server", "8080", "--bind", b.address(), "--directory",
                        Peer.inside("www"));
                awaitListening(b, 8080);
                var curl = a.exec("curl", "-sS", "--max-time", "60", "-o", Peer.inside("blob.got"),
                        "http://" + b.address() + ":8080/blob");
                assertThat(curl.getExitCode()).as("curl: %s", curl.getStderr()).isZero();
                assertThat(sha256(a.file("blob.got"))).as("sha256 of what curl fetched").isEqualTo(sha256(blob));

                String sa = sid(netstat(podA, a), "foreign", b.address() + ":8080", "a's connection to b:8080");
                String sb = sid(netstat(podB, b), "local", b.address() + ":8080", "b's served connection");
                assertThat(sb).as("b's session ID (a's: %s)", sa).isEqualTo(sa);
                assertThat(podB.daemonLog()).as("b's daemon wrote nothing under /proc/sys")
                        .contains("0 sysctls recorded");
                assertThat(podA.daemonLog()).as("a's daemon wrote nothing under /proc/sys")
                        .contains("0 sysctls recorded");
            }
        }
    }

    /** The manifest's ConfigMap with its steer/serve lines replaced by this network's. */
    static String config(PodManifest m, String configMap, String lines) {
        String shipped = m.configMaps().get(configMap).get("tuncryptd.conf");
        assertThat(shipped).as("ConfigMap %s", configMap).contains("tun = tcry0");
        String kept = shipped.lines().filter(l -> !l.matches("(steer|serve|serve-on)\\s*=.*"))
                .collect(Collectors.joining("\n"));
        return kept + "\n" + lines;
    }

    static List<JsonNode> netstat(ImagePod pod, Peer p) throws Exception {
        String out = pod.execOk("tuncrypt", "netstat", "--json", "--wide");
        Files.writeString(p.file("netstat-" + System.nanoTime() + ".json"), out);
        List<JsonNode> list = new ArrayList<>();
        JSON.readTree(out).get("connections").forEach(list::add);
        return list;
    }
}
