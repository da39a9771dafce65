package dev.tuncrypt.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what of ours is in the kernel, from the JSON of {@code ip -N -j} and {@code nft -j}: rules
 * and routes carrying our protocol number, nft tables carrying our name.
 */
final class KernelState {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CommandRunner runner;
    private final RoutingTags tags;

    KernelState(CommandRunner runner, RoutingTags tags) {
        this.runner = runner;
        this.tags = tags;
    }

    /** Our rules of a family (as JSON objects). */
    List<JsonNode> rules(boolean v4) throws RoutingException {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode rule : parse(runner.check(Command.of("ip", "-N", "-j", v4 ? "-4" : "-6", "rule", "show")), "ip rule")) {
            if (rule.path("protocol").asText().equals(Integer.toString(tags.protocol()))) {
                out.add(rule);
            }
        }
        return out;
    }

    /** Our routes of a family, in every table. */
    List<JsonNode> routes(boolean v4) throws RoutingException {
        List<JsonNode> out = new ArrayList<>();
        String json = runner.check(Command.of("ip", "-N", "-j", v4 ? "-4" : "-6", "route", "show", "table", "all",
                "proto", Integer.toString(tags.protocol())));
        for (JsonNode route : parse(json, "ip route")) {
            out.add(route);
        }
        return out;
    }

    /** The families ({@code inet}, {@code netdev}) in which our nft table exists. */
    List<String> nftTables() throws RoutingException {
        List<String> out = new ArrayList<>();
        JsonNode root = parse(runner.check(Command.of("nft", "-j", "list", "tables")), "nft");
        for (JsonNode item : root.path("nftables")) {
            JsonNode table = item.get("table");
            if (table != null && table.path("name").asText().equals(tags.nftTable())) {
                out.add(table.path("family").asText());
            }
        }
        return out;
    }

    /** The counters of the serving chain's {@code fwd} rules. */
    ServedTraffic servedTraffic() throws RoutingException {
        JsonNode root = parse(runner.check(Command.of("nft", "-j", "list", "chain", "netdev", tags.nftTable(), "ingress")), "nft");
        long[] v = new long[4];
        for (JsonNode item : root.path("nftables")) {
            JsonNode rule = item.get("rule");
            if (rule == null) {
                continue;
            }
            JsonNode counter = null;
            String family = null;
            for (JsonNode e : rule.path("expr")) {
                if (e.has("counter")) {
                    counter = e.get("counter");
                }
                if (e.has("fwd")) {
                    family = e.get("fwd").path("family").asText();
                }
            }
            if (counter != null && family != null) {
                int at = "ip6".equals(family) ? 2 : 0;
                v[at] += counter.path("packets").asLong();
                v[at + 1] += counter.path("bytes").asLong();
            }
        }
        return new ServedTraffic(v[0], v[1], v[2], v[3]);
    }

    /** One line per leftover found, empty when there is none. */
    List<String> describe() throws RoutingException {
        List<String> out = new ArrayList<>();
        for (boolean v4 : new boolean[] {true, false}) {
            for (JsonNode r : rules(v4)) {
                out.add((v4 ? "IPv4" : "IPv6") + " rule " + r);
            }
            for (JsonNode r : routes(v4)) {
                out.add((v4 ? "IPv4" : "IPv6") + " route " + r);
            }
        }
        for (String family : nftTables()) {
            out.add("nft table " + family + " " + tags.nftTable());
        }
        return out;
    }

    private static JsonNode parse(String json, String what) throws RoutingException {
        try {
            return JSON.readTree(json.isBlank() ? "[]" : json);
        } catch (java.io.IOException e) {
            throw new KernelFeatureException(what + " printed no JSON: " + e.getMessage());
        }
    }
}
