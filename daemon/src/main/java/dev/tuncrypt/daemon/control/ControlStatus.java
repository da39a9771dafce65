package dev.tuncrypt.daemon.control;

import dev.tuncrypt.client.wire.StatusPayload;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The daemon at a glance.
 *
 * @param version the daemon's version
 * @param uptime time since start
 * @param cachedSessions sessions in the resumption cache
 * @param counters named counters (handshakes, resumptions, fallbacks, drops by reason, ...)
 * @param host the device and stack (name, addresses, queues, offloads), name to value, in order
 * @param routing what the daemon installed in the kernel, one line each
 * @param peers per remote address since start
 */
public record ControlStatus(String version, Duration uptime, int cachedSessions, Map<String, Long> counters,
        Map<String, String> host, List<String> routing, List<StatusPayload.Peer> peers) {

    /** Without host facts, routing or peers. */
    public ControlStatus(String version, Duration uptime, int cachedSessions, Map<String, Long> counters) {
        this(version, uptime, cachedSessions, counters, Map.of(), List.of(), List.of());
    }
}
