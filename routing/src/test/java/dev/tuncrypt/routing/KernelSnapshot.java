package dev.tuncrypt.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a routing plan may touch, read from the kernel: rules and routes of both families (all
 * tables), the whole nft ruleset, and the forwarding, rp_filter and accept_local sysctls.
 */
record KernelSnapshot(Map<String, JsonNode> json, String sysctls) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static KernelSnapshot take(CommandRunner runner) throws Exception {
        Map<String, JsonNode> json = new LinkedHashMap<>();
        json.put("ip -4 rule", read(runner, "ip", "-j", "-4", "rule", "show"));
        json.put("ip -6 rule", read(runner, "ip", "-j", "-6", "rule", "show"));
        json.put("ip -4 route", read(runner, "ip", "-j", "-4", "route", "show", "table", "all"));
        json.put("ip -6 route", read(runner, "ip", "-j", "-6", "route", "show", "table", "all"));
        json.put("nft ruleset", read(runner, "nft", "-j", "list", "ruleset"));
        String sysctls = runner.check(Command.of("sysctl", "-a", "-r",
                "^net\\.ipv4\\.ip_forward$|^net\\.ipv[46]\\.conf\\..*\\.(forwarding|rp_filter|accept_local)$"));
        return new KernelSnapshot(json, sysctls);
    }

    private static JsonNode read(CommandRunner runner, String... argv) throws Exception {
        return JSON.readTree(runner.check(Command.of(argv)));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        json.forEach((k, v) -> sb.append(k).append(": ").append(v.toPrettyString()).append('\n'));
        return sb.append("sysctls:\n").append(sysctls).toString();
    }
}
