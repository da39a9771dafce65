package dev.tuncrypt.routing;

import java.util.List;

/**
 * Inbound tcpcrypt ({@code --serve}): SYNs carrying a TCP-ENO option to these local TCP ports
 * (every port when {@code ports} is empty), arriving on these interfaces, go to the stack instead
 * of the kernel's sockets.
 */
public record ServeSpec(List<PortRange> ports, List<String> ingressDevices) {

    public ServeSpec {
        ports = List.copyOf(ports);
        ingressDevices = List.copyOf(ingressDevices);
        if (ingressDevices.isEmpty()) {
            throw new IllegalArgumentException("serving needs at least one ingress device");
        }
    }

    /** Whether every port is served ({@code --serve all}). */
    public boolean allPorts() {
        return ports.isEmpty();
    }
}
