package dev.tuncrypt.client.wire;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * TUNCRYPT_STATUS reply: version (u16 length + UTF-8), uptime in milliseconds (u64), cached
 * sessions (u32), counter count (u32), then each counter's name (u16 length + UTF-8) and value
 * (u64), sorted by name. Then, added later and absent from an older daemon's reply (decoded as
 * empty): host facts (u32 count, name {@code str} + value {@code str} each, in the daemon's
 * order), routing lines (u32 count, {@code str} each), peers (u32 count, {@link Peer} each).
 *
 * @param version the daemon's version
 * @param uptimeMillis time since start
 * @param cachedSessions sessions in the resumption cache
 * @param counters named counters, sorted by name
 * @param host the device and stack: name, addresses, queues, offloads ... (name to value)
 * @param routing what the daemon installed in the kernel (steer, serve, require), one per line
 * @param peers per remote address, since start
 */
public record StatusPayload(String version, long uptimeMillis, long cachedSessions, Map<String, Long> counters,
        Map<String, String> host, List<String> routing, List<Peer> peers) {

    /**
     * One remote peer: its address (without port), the dialect and wall-clock time (ms since
     * the epoch, 0 never) of its last tcpcrypt session, connections open now, and since start
     * the connections by outcome and the payload bytes (in = toward the local application) of
     * the connections that have ended plus those open now. Encoded: address {@code str},
     * dialect {@code str}, then u64 each: last handshake, open, encrypted, plain, refused,
     * connect failed, bytes in, bytes out.
     */
    public record Peer(String address, String dialect, long lastHandshakeMillis, long open, long encrypted, long plain,
            long refused, long connectFailed, long bytesIn, long bytesOut) {}

    public StatusPayload {
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(new TreeMap<>(counters)));
        host = Collections.unmodifiableMap(new LinkedHashMap<>(host));
        routing = List.copyOf(routing);
        peers = List.copyOf(peers);
    }

    /** The original payload: no host facts, routing or peers. */
    public StatusPayload(String version, long uptimeMillis, long cachedSessions, Map<String, Long> counters) {
        this(version, uptimeMillis, cachedSessions, counters, Map.of(), List.of(), List.of());
    }

    public byte[] encode() {
        PayloadWriter w = new PayloadWriter().string(version).i64(uptimeMillis).i32((int) cachedSessions)
                .i32(counters.size());
        counters.forEach((k, v) -> w.string(k).i64(v));
        w.i32(host.size());
        host.forEach((k, v) -> w.string(k).string(v));
        w.i32(routing.size());
        routing.forEach(w::string);
        w.i32(peers.size());
        for (Peer p : peers) {
            w.string(p.address()).string(p.dialect()).i64(p.lastHandshakeMillis()).i64(p.open()).i64(p.encrypted())
                    .i64(p.plain()).i64(p.refused()).i64(p.connectFailed()).i64(p.bytesIn()).i64(p.bytesOut());
        }
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
        Map<String, String> host = new LinkedHashMap<>();
        List<String> routing = new ArrayList<>();
        List<Peer> peers = new ArrayList<>();
        if (r.remaining() > 0) { // a daemon that sends the later sections
            long h = r.u32();
            for (long i = 0; i < h; i++) {
                host.put(r.string(), r.string());
            }
            long rl = r.u32();
            for (long i = 0; i < rl; i++) {
                routing.add(r.string());
            }
            long np = r.u32();
            for (long i = 0; i < np; i++) {
                peers.add(new Peer(r.string(), r.string(), r.i64(), r.i64(), r.i64(), r.i64(), r.i64(), r.i64(),
                        r.i64(), r.i64()));
            }
        }
        r.end();
        return new StatusPayload(version, uptime, cached, counters, host, routing, peers);
    }
}
