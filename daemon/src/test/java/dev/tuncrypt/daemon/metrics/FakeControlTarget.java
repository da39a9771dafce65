package dev.tuncrypt.daemon.metrics;

import dev.tuncrypt.daemon.control.ConnectionView;
import dev.tuncrypt.daemon.control.ControlStatus;
import dev.tuncrypt.daemon.control.ControlTarget;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** A control target holding connections a test made up. */
final class FakeControlTarget implements ControlTarget {
    final List<ConnectionView> connections = new CopyOnWriteArrayList<>();
    volatile ControlStatus status = new ControlStatus("0.1.0", Duration.ofMillis(12_345), 7, Map.of());

    /** Adds a connection in {@code phase} with {@code dialect} and the given byte counts. */
    FakeControlTarget add(ConnectionView.Phase phase, String dialect, long in, long out, long retransmits) {
        var details = new ConnectionView.ConnectionDetails("ESTABLISHED", dialect, Duration.ofMillis(3), 14_600,
                retransmits, in, out, Duration.ofSeconds(5));
        connections.add(new ConnectionView() {
            @Override
            public InetSocketAddress appLocal() {
                return new InetSocketAddress("198.18.7.1", 40000);
            }

            @Override
            public InetSocketAddress appRemote() {
                return new InetSocketAddress("198.18.9.2", 80);
            }

            @Override
            public Phase phase() {
                return phase;
            }

            @Override
            public Optional<TcpCryptInfo> crypto() {
                return Optional.empty();
            }

            @Override
            public Optional<String> plainReason() {
                return Optional.empty();
            }

            @Override
            public CompletionStage<Phase> settled() {
                return CompletableFuture.completedFuture(phase);
            }

            @Override
            public ConnectionDetails details() {
                return details;
            }

            @Override
            public int ownerUid() {
                return 0;
            }

            @Override
            public void reset() {}
        });
        return this;
    }

    @Override
    public Optional<ConnectionView> find(InetSocketAddress local, InetSocketAddress remote) {
        return Optional.empty();
    }

    @Override
    public List<ConnectionView> connections() {
        return List.copyOf(connections);
    }

    @Override
    public void preset(InetSocketAddress local, Preset preset) {}

    @Override
    public int flushCache() {
        return 0;
    }

    @Override
    public ControlStatus status() {
        return status;
    }
}
