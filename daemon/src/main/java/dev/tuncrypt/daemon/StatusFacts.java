package dev.tuncrypt.daemon;

import dev.tuncrypt.routing.Destination;
import dev.tuncrypt.routing.RoutingPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** What {@code tuncrypt status} shows of the routing the daemon installed, one line each, from its plan. */
final class StatusFacts {
    private StatusFacts() {}

    static List<String> routing(RoutingPlan plan) {
        List<String> lines = new ArrayList<>();
        if (!plan.changesKernel()) {
            return lines;
        }
        RoutingPlan p = plan;
        for (Destination d : p.steer()) {
            lines.add("steer " + d + " -> " + p.tunName() + " (table " + p.tags().table() + ", rule priority "
                    + p.tags().steerPriority() + ")");
        }
        p.steerUids().forEach(u -> lines.add("steer uid " + u));
        p.steerMarks().forEach(m -> lines.add("steer fwmark " + m));
        p.serve().ifPresent(s -> lines.add("serve " + (s.allPorts() ? "all ports"
                : "ports " + s.ports().stream().map(Object::toString).collect(Collectors.joining(",")))
                + (s.ingressDevices().isEmpty() ? "" : " on " + String.join(",", s.ingressDevices()))
                + " (nft table " + p.tags().nftTable() + ")"));
        for (Destination d : p.require()) {
            lines.add("require " + d);
        }
        return lines;
    }
}
