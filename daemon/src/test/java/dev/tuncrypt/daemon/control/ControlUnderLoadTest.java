package dev.tuncrypt.daemon.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.client.ControlClient;
import dev.tuncrypt.client.ControlException;
import dev.tuncrypt.client.ControlAddress;
import dev.tuncrypt.client.wire.ConnectionRecord;
import dev.tuncrypt.client.wire.ControlMessage;
import dev.tuncrypt.client.wire.ControlOption;
import dev.tuncrypt.client.wire.WidePage;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With 10,000 connections that ended (their kernel sockets gone from the owner table, which still
 * lists 10,000 live sockets), {@code netstat} and {@code status} answer within a second while
 * eight other clients flood the control socket.
 */
class ControlUnderLoadTest {
    static final int CLOSED = 10_000;
    static final int FLOODERS = 8;

    @TempDir
    Path dir;

    ControlServer server;
    final AtomicBoolean stop = new AtomicBoolean();
    final List<Thread> flooders = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        stop.set(true);
        for (Thread t : flooders) {
            t.join(5000);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void netstatAndStatusAnswerWithinASecondUnderAFlood() throws Exception {
        Path tcp = dir.resolve("tcp");
        StringBuilder table = new StringBuilder(SocketOwnersTest.HEADER4);
        for (int i = 0; i < 10_000; i++) { // live sockets of other applications: 127.0.0.1:i+1 -> 127.0.0.1:80
            table.append(String.format("%5d: 0100007F:%04X 0100007F:0050 01 00000000:00000000 00:00000000 00000000"
                    + "  1000        0 %d 1 0000000000000000 20 4 30 10 -1%n", i, i + 1, 100_000 + i));
        }
        Files.writeString(tcp, table);
        OwnerCache owners = new OwnerCache(new SocketOwners(tcp, dir.resolve("none")),
                Duration.ofSeconds(1).toNanos(), System::nanoTime);
        List<ConnectionView> closed = new ArrayList<>();
        FakeTarget target = new FakeTarget() {
            @Override
            public List<ConnectionView> connections() {
                return new ArrayList<>(closed);
            }
        };
        for (int i = 0; i < CLOSED; i++) {
            FakeTarget.FakeView v = new FakeTarget.FakeView("198.18.1.1", 10000 + (i % 50000), "198.18.2." + (1 + i / 50000),
                    443, ConnectionView.Phase.ENCRYPTED, i, 0);
            v.phase = ConnectionView.Phase.CLOSED;
            closed.add(new OwnedView(v, owners));
        }
        ControlAddress a = ControlAddress.parse(dir.resolve("ctl").toString());
        server = ControlServer.start(a, target, SocketPermissions.DEFAULT);

        AtomicLong floodRequests = new AtomicLong();
        AtomicLong pageStart = new AtomicLong();
        for (int i = 0; i < FLOODERS; i++) {
            boolean wide = i % 2 == 0;
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                try (ControlClient c = ControlClient.open(a, Duration.ofSeconds(5))) {
                    while (!stop.get()) {
                        try {
                            // pages and status as fast as the socket takes them (no decoding: a flooder
                            // spends nothing on the answers)
                            int option = wide ? ControlOption.TUNCRYPT_NETSTAT_WIDE : ControlOption.TUNCRYPT_STATUS;
                            byte[] data = wide ? WidePage.request(pageStart.getAndAdd(300) % CLOSED) : new byte[0];
                            c.exchange(ControlMessage.request(0, option, false, data));
                        } catch (ControlException e) {
                            // EAGAIN when over its limit: keep flooding
                        }
                        floodRequests.incrementAndGet();
                    }
                } catch (ControlException e) {
                    throw new IllegalStateException(e);
                }
            });
            flooders.add(t);
        }
        Thread.sleep(500); // the flood is on

        for (int round = 0; round < 4; round++) {
            try (ControlClient c = ControlClient.open(a, Duration.ofSeconds(30))) { // round 0 runs cold (JIT), unasserted
                long t0 = System.nanoTime();
                List<ConnectionRecord> all = c.netstatWide();
                long netstatMillis = (System.nanoTime() - t0) / 1_000_000;
                t0 = System.nanoTime();
                c.status();
                long statusMillis = (System.nanoTime() - t0) / 1_000_000;
                System.out.println("netstat " + netstatMillis + " ms, status " + statusMillis + " ms, owner readings " + owners.readings());
                if (round == 0) {
                    continue; // warms the code up, as a daemon that has run for a while is
                }
                assertThat(all).hasSize(CLOSED);
                assertThat(netstatMillis).as("netstat of %d closed connections under a flood", CLOSED).isLessThan(1000);
                assertThat(statusMillis).as("status under a flood").isLessThan(1000);
            }
        }
        assertThat(floodRequests.get()).as("the flood ran").isGreaterThan(FLOODERS);
        assertThat(owners.readings()).as("owner table readings").isLessThan(20);
    }

    /** A connection whose owner comes from the shared owner table, as a spliced connection's does. */
    record OwnedView(FakeTarget.FakeView v, OwnerCache owners) implements ConnectionView {
        @Override
        public InetSocketAddress appLocal() {
            return v.appLocal();
        }

        @Override
        public InetSocketAddress appRemote() {
            return v.appRemote();
        }

        @Override
        public Phase phase() {
            return v.phase();
        }

        @Override
        public Optional<TcpCryptInfo> crypto() {
            return v.crypto();
        }

        @Override
        public Optional<String> plainReason() {
            return v.plainReason();
        }

        @Override
        public CompletionStage<Phase> settled() {
            return v.settled();
        }

        @Override
        public ConnectionDetails details() {
            return v.details();
        }

        @Override
        public int ownerUid() {
            return owners.uidOf(v.appLocal(), v.appRemote());
        }

        @Override
        public void reset() {
            v.reset();
        }
    }
}
