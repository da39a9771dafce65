package dev.tuncrypt.it.harness;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The pod template of a Kubernetes manifest (a DaemonSet or Deployment in one of the files of
 * {@code packaging/kubernetes/}), as far as a test starts it: host network or not, the pod's
 * sysctls, and the containers from one image in the order the kubelet starts them (init
 * containers to completion, then native sidecars, then the rest), each with its command,
 * arguments, environment, security context and mounts. Only the fields the manifests use are
 * read; anything else in a container of that image fails the parse, so the test cannot
 * silently start something other than what the manifest says. {@code configMaps}: each
 * ConfigMap of the file by name, its data by key.
 */
public record PodManifest(String kind, boolean hostNetwork, Map<String, String> sysctls, List<PodContainer> containers,
        Map<String, Map<String, String>> configMaps) {

    /** One container of the pod. */
    public record PodContainer(String name, boolean runsToCompletion, String image, List<String> command,
            List<String> args, Map<String, String> env, boolean privileged, boolean allowPrivilegeEscalation,
            boolean readOnlyRootFilesystem, List<String> capAdd, List<String> capDrop, List<Mount> mounts) {}

    /** A volume mount: {@code kind} configMap (then {@code source} is its name), hostPath (a path) or emptyDir. */
    public record Mount(String path, String kind, String source, boolean readOnly) {}

    /** The containers of {@code file}'s workload that run {@code image}. */
    @SuppressWarnings("unchecked")
    public static PodManifest read(Path file, String image) throws IOException {
        Map<String, Object> workload = null;
        Map<String, Map<String, String>> configMaps = new LinkedHashMap<>();
        try (Reader r = Files.newBufferedReader(file)) {
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(r)) {
                Map<String, Object> m = (Map<String, Object>) doc;
                if (m != null && "ConfigMap".equals(m.get("kind"))) {
                    configMaps.put((String) map(m, "metadata").get("name"), (Map<String, String>) m.get("data"));
                }
                if (m != null && List.of("DaemonSet", "Deployment").contains(m.get("kind"))) {
                    if (workload != null) {
                        throw new IllegalArgumentException(file + ": more than one workload");
                    }
                    workload = m;
                }
            }
        }
        if (workload == null) {
            throw new IllegalArgumentException(file + ": no DaemonSet or Deployment");
        }
        Map<String, Object> pod = map(map(map(workload, "spec"), "template"), "spec");
        Map<String, String> sysctls = new LinkedHashMap<>();
        for (Object o : list(map(pod, "securityContext"), "sysctls")) {
            Map<String, Object> s = (Map<String, Object>) o;
            sysctls.put((String) s.get("name"), String.valueOf(s.get("value")));
        }
        Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
        for (Object o : list(pod, "volumes")) {
            Map<String, Object> v = (Map<String, Object>) o;
            volumes.put((String) v.get("name"), v);
        }
        List<PodContainer> containers = new ArrayList<>();
        for (Object o : list(pod, "initContainers")) {
            Map<String, Object> c = (Map<String, Object>) o;
            if (image.equals(c.get("image"))) {
                containers.add(container(c, !"Always".equals(c.get("restartPolicy")), volumes));
            }
        }
        for (Object o : list(pod, "containers")) {
            Map<String, Object> c = (Map<String, Object>) o;
            if (image.equals(c.get("image"))) {
                containers.add(container(c, false, volumes));
            }
        }
        return new PodManifest((String) workload.get("kind"), Boolean.TRUE.equals(pod.get("hostNetwork")), sysctls,
                containers, configMaps);
    }

    private static final List<String> KNOWN = List.of("name", "image", "imagePullPolicy", "command", "args", "env",
            "securityContext", "volumeMounts", "restartPolicy", "startupProbe", "livenessProbe", "readinessProbe",
            "resources", "ports");

    @SuppressWarnings("unchecked")
    private static PodContainer container(Map<String, Object> c, boolean toCompletion,
            Map<String, Map<String, Object>> volumes) {
        for (String key : c.keySet()) {
            if (!KNOWN.contains(key)) {
                throw new IllegalArgumentException("container " + c.get("name") + ": field " + key + " is not mapped");
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Object o : list(c, "env")) {
            Map<String, Object> e = (Map<String, Object>) o;
            env.put((String) e.get("name"), String.valueOf(e.get("value")));
        }
        Map<String, Object> sc = map(c, "securityContext");
        Map<String, Object> caps = map(sc, "capabilities");
        List<Mount> mounts = new ArrayList<>();
        for (Object o : list(c, "volumeMounts")) {
            Map<String, Object> m = (Map<String, Object>) o;
            Map<String, Object> v = volumes.get((String) m.get("name"));
            if (v == null) {
                throw new IllegalArgumentException("no volume " + m.get("name"));
            }
            Mount mount;
            if (v.containsKey("configMap")) {
                mount = new Mount((String) m.get("mountPath"), "configMap", (String) map(v, "configMap").get("name"),
                        Boolean.TRUE.equals(m.get("readOnly")));
            } else if (v.containsKey("hostPath")) {
                mount = new Mount((String) m.get("mountPath"), "hostPath", (String) map(v, "hostPath").get("path"),
                        Boolean.TRUE.equals(m.get("readOnly")));
            } else if (v.containsKey("emptyDir")) {
                mount = new Mount((String) m.get("mountPath"), "emptyDir", null, false);
            } else {
                throw new IllegalArgumentException("volume " + m.get("name") + " is of a kind not mapped");
            }
            mounts.add(mount);
        }
        return new PodContainer((String) c.get("name"), toCompletion, (String) c.get("image"),
                strings(c.get("command")), strings(c.get("args")), env, Boolean.TRUE.equals(sc.get("privileged")),
                !Boolean.FALSE.equals(sc.get("allowPrivilegeEscalation")),
                Boolean.TRUE.equals(sc.get("readOnlyRootFilesystem")), strings(caps.get("add")),
                strings(caps.get("drop")), mounts);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? Map.of() : (Map<String, Object>) v;
    }

    private static List<?> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? List.of() : (List<?>) v;
    }

    private static List<String> strings(Object v) {
        List<String> out = new ArrayList<>();
        if (v != null) {
            for (Object o : (List<?>) v) {
                out.add(String.valueOf(o));
            }
        }
        return out;
    }
}
