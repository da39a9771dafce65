package dev.tuncrypt.daemon.splice;

import dev.tuncrypt.tcpcrypt.CryptMode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * How the splicer treats connections.
 *
 * @param mode tcpcrypt on leg 2 of outbound connections: DEFAULT (opportunistic), NEVER
 *     (pass-through) or ALWAYS (a peer without tcpcrypt is refused)
 * @param required destinations that must be encrypted whatever {@code mode} says
 * @param connectTimeout how long leg 2's handshake may take
 * @param idleTimeout a connection with no byte either way for this long is reset (zero: never)
 * @param bufferBytes no longer used: the splice moves bytes ring to ring on the loop (kept so
 *     callers that set it still compile)
 * @param pathMtu the MTU of the path leg 2 takes beyond the TUN device: its MSS is clamped to it,
 *     so the TUN device (leg 1, kernel to stack on this host) may use a far larger MTU
 * @param served whether a SYN to this destination came in by the serve hook ({@code --serve}: one
 *     of this host's own addresses on a served port); every other SYN was steered
 * @param maxPending leg 2 connects that may wait at once for their leg 1 to complete its handshake
 *     (the bound on connect-first amplification by spoofed SYNs)
 * @param maxPendingPerSource the same, for one source address
 */
public record SpliceSettings(CryptMode mode, Predicate<InetSocketAddress> required, Duration connectTimeout,
        Duration idleTimeout, int bufferBytes, int pathMtu, Predicate<InetSocketAddress> served, int maxPending,
        int maxPendingPerSource) {

    /**
     * Opportunistic, nothing required, nothing served, 10 s connect, 2 h idle, 16 KiB buffers, at
     * most 1024 pending leg 2 connects, 256 per source.
     */
    public static final SpliceSettings DEFAULT = new SpliceSettings(CryptMode.DEFAULT, a -> false,
            Duration.ofSeconds(10), Duration.ofHours(2), 16 * 1024, 1500, a -> false, 1024, 256);

    public SpliceSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(required, "required");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connect timeout must be positive");
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idle timeout must not be negative");
        }
        if (bufferBytes < 1024) {
            throw new IllegalArgumentException("buffer must be at least 1024 bytes");
        }
        if (pathMtu < 1280 || pathMtu > 65535) {
            throw new IllegalArgumentException("path MTU must be 1280-65535");
        }
        Objects.requireNonNull(served, "served");
        if (maxPending < 1 || maxPendingPerSource < 1 || maxPendingPerSource > maxPending) {
            throw new IllegalArgumentException("pending bounds must be positive, the per-source one at most the global one");
        }
    }

    public SpliceSettings withMode(CryptMode m) {
        return new SpliceSettings(m, required, connectTimeout, idleTimeout, bufferBytes, pathMtu, served, maxPending,
                maxPendingPerSource);
    }

    public SpliceSettings withRequired(Predicate<InetSocketAddress> r) {
        return new SpliceSettings(mode, r, connectTimeout, idleTimeout, bufferBytes, pathMtu, served, maxPending,
                maxPendingPerSource);
    }

    public SpliceSettings withConnectTimeout(Duration d) {
        return new SpliceSettings(mode, required, d, idleTimeout, bufferBytes, pathMtu, served, maxPending,
                maxPendingPerSource);
    }

    public SpliceSettings withIdleTimeout(Duration d) {
        return new SpliceSettings(mode, required, connectTimeout, d, bufferBytes, pathMtu, served, maxPending,
                maxPendingPerSource);
    }

    public SpliceSettings withPathMtu(int mtu) {
        return new SpliceSettings(mode, required, connectTimeout, idleTimeout, bufferBytes, mtu, served, maxPending,
                maxPendingPerSource);
    }

    public SpliceSettings withServed(Predicate<InetSocketAddress> s) {
        return new SpliceSettings(mode, required, connectTimeout, idleTimeout, bufferBytes, pathMtu, s, maxPending,
                maxPendingPerSource);
    }

    public SpliceSettings withPendingBounds(int global, int perSource) {
        return new SpliceSettings(mode, required, connectTimeout, idleTimeout, bufferBytes, pathMtu, served, global,
                perSource);
    }

    /** The mode leg 2 of an outbound connection to {@code destination} uses. */
    CryptMode modeFor(InetSocketAddress destination) {
        if (mode != CryptMode.NEVER && required.test(destination)) {
            return CryptMode.ALWAYS;
        }
        return mode;
    }
}
