package dev.tuncrypt.client.wire;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * TUNCRYPT_STATUS reply: version (u16 length + UTF-8), uptime in milliseconds (u64), cached
 * sessions (u32), counter count (u32), then each counter's name (u16 length + UTF-8) and value
 * (u64), sorted by name.
 *
 * @param version the daemon's version
 * @param uptimeMillis time since start
 * @param cachedSessions sessions in the resumption cache
 * @param counters named counters, sorted by name
 */
public record StatusPayload(String version, long uptimeMillis, long cachedSessions, Map<String, Long> counters) {

    public StatusPayload {
        counters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(new TreeMap<>(counters)));
    }

    public byte[] encode() {
        PayloadWriter w = new PayloadWriter().string(version).i64(uptimeMillis).i32((int) cachedSessions)
                .i32(counters.size());
        counters.forEach((k, v) -> w.string(k).i64(v));
        return w.toByteArray();
    }

    public static StatusPayload decode(byte[] data) throws MalformedMessageException {
        PayloadReader r = new PayloadReader(data);
        String version = r.string();
        long uptime = r.i64();
        long cached = r.u32();
        long n = r.u32();
        Map<String, Long> counters = new LinkedHashMap<>();
        for (long i = 0; i < n; i++) {
            counters.put(r.string(), r.i64());
        }
        r.end();
        return new StatusPayload(version, uptime, cached, counters);
    }
}
