package dev.tuncrypt.daemon.control;

import dev.tuncrypt.tcpcrypt.SessionId;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpcrypt.Tep;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A ControlTarget holding hand-made connections, recording what the server asked of it. */
public class FakeTarget implements ControlTarget {
    public final List<FakeView> views = new CopyOnWriteArrayList<>();
    final List<Map.Entry<InetSocketAddress, Preset>> presets = new CopyOnWriteArrayList<>();
    public final AtomicInteger flushes = new AtomicInteger();
    public volatile int cached = 7;

    public FakeView add(FakeView v) {
        views.add(v);
        return v;
    }

    @Override
    public Optional<ConnectionView> find(InetSocketAddress local, InetSocketAddress remote) {
        for (FakeView v : views) {
            boolean localMatches = v.local.getPort() == local.getPort()
                    && (local.getAddress().isAnyLocalAddress() || v.local.getAddress().equals(local.getAddress()));
            if (localMatches && (remote == null || v.remote.equals(remote))) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    @Override
    public List<ConnectionView> connections() {
        return new ArrayList<>(views);
    }

    @Override
    public void preset(InetSocketAddress local, Preset preset) {
        presets.add(Map.entry(local, preset));
    }

    @Override
    public int flushCache() {
        flushes.incrementAndGet();
        int n = cached;
        cached = 0;
        return n;
    }

    @Override
    public ControlStatus status() {
        return new ControlStatus("0.1.0-test", Duration.ofSeconds(3723), cached,
                Map.of("handshakes", 12L, "fallbacks", 3L), Map.of("device", "ta0 (created)", "queues", "2"),
                java.util.List.of("steer 198.18.0.2/32"), java.util.List.of(new dev.tuncrypt.client.wire.StatusPayload.Peer(
                        "198.18.0.2", "rfc8548", 1_000, 2, 5, 1, 1, 0, 2048, 100)));
    }

    public static byte[] sid(int seed) {
        byte[] b = new byte[SessionId.LENGTH];
        b[0] = 0x21;
        for (int i = 1; i < b.length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    /** A connection whose phase the test moves. */
    public static final class FakeView implements ConnectionView {
        final InetSocketAddress local;
        final InetSocketAddress remote;
        volatile Phase phase;
        volatile TcpCryptInfo info;
        final int owner;
        final CompletableFuture<Phase> settled = new CompletableFuture<>();
        final AtomicInteger resets = new AtomicInteger();

        public FakeView(String local, int lport, String remote, int rport, Phase phase, int seed, int owner) {
            this.local = new InetSocketAddress(local, lport);
            this.remote = new InetSocketAddress(remote, rport);
            this.phase = phase;
            this.owner = owner;
            if (phase == Phase.ENCRYPTED) {
                encrypt(seed);
            }
            if (phase != Phase.HANDSHAKING) {
                settled.complete(phase);
            }
        }

        void encrypt(int seed) {
            info = new TcpCryptInfo("tcpcrypt-0.5", SessionId.of(sid(seed)), Tep.ECDHE_P256, SymCipher.AES_128_GCM,
                    false, true, new byte[0], new byte[0]);
        }

        /** Ends the handshake as the daemon would. */
        public void settle(Phase to, int seed) {
            if (to == Phase.ENCRYPTED) {
                encrypt(seed);
            }
            phase = to;
            settled.complete(to);
        }

        @Override
        public InetSocketAddress appLocal() {
            return local;
        }

        @Override
        public InetSocketAddress appRemote() {
            return remote;
        }

        @Override
        public Phase phase() {
            return phase;
        }

        @Override
        public Optional<TcpCryptInfo> crypto() {
            return Optional.ofNullable(info);
        }

        @Override
        public Optional<String> plainReason() {
            return phase == Phase.PLAIN ? Optional.of("peer sent no ENO") : Optional.empty();
        }

        @Override
        public CompletionStage<Phase> settled() {
            return settled;
        }

        @Override
        public ConnectionDetails details() {
            return new ConnectionDetails("ESTABLISHED", info == null ? "plain" : "tcpcrypt-0.5",
                    Duration.ofMillis(12), 14480, 2, 1000, 2000, Duration.ofSeconds(42));
        }

        @Override
        public int ownerUid() {
            return owner;
        }

        @Override
        public void reset() {
            resets.incrementAndGet();
            phase = Phase.CLOSED;
        }
    }
}
