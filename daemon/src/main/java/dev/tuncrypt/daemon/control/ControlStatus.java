package dev.tuncrypt.daemon.control;

import java.time.Duration;
import java.util.Map;

/**
 * The daemon at a glance.
 *
 * @param version the daemon's version
 * @param uptime time since start
 * @param cachedSessions sessions in the resumption cache
 * @param counters named counters (handshakes, resumptions, fallbacks, drops by reason, ...)
 */
public record ControlStatus(String version, Duration uptime, int cachedSessions, Map<String, Long> counters) {}
