package dev.tuncrypt.daemon.splice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.tuncrypt.daemon.control.ConnectionView;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.SegmentProtection;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tun.Clock;
import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.MemoryLink;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The splice's data path without a kernel: stack D runs the {@link Splicer}; stack K, on the
 * other end of a {@link MemoryLink}, holds both the application (a plain client connecting to
 * 198.18.6.1:5000, which D's transparent listener takes as leg 1) and the destination (a
 * transparent listener of K with tcpcrypt, which answers D's leg 2 as 198.18.6.1:5000).
 */
class LoopSpliceTest {
    private static final InetSocketAddress DESTINATION = new InetSocketAddress(InetAddress.ofLiteral("198.18.6.1"), 5000);
    private static final int BULK = 32 << 20;

    private TcpCrypt daemonCrypt;
    private TcpCrypt serverCrypt;
    private NetStack daemon;
    private NetStack hosts;
    private Splicer splicer;
    private TcpListener server;

    @BeforeEach
    void stacks() throws Exception {
        start(TcpCryptConfig.DEFAULT);
    }

    private void start(TcpCryptConfig crypt) throws Exception {
        MemoryLink.Pair link = MemoryLink.pair(Clock.SYSTEM, 7, FaultModel.NONE, FaultModel.NONE);
        daemonCrypt = TcpCrypt.create(crypt);
        serverCrypt = TcpCrypt.create(crypt);
        // Both ends are stacks of this JVM on a shared, often busy machine: a thread descheduled for
        // longer than the minimum RTO makes spurious timeouts on both ends, which once turned into
        // an endless ACK exchange between the two stacks (AckLoopTest); the default 200 ms stays.
        TcpConfig tcp = TcpConfig.DEFAULT;
        daemon = NetStack.builder().link(link.a()).address(InetAddress.ofLiteral("198.18.5.2")).tcp(tcp).build();
        hosts = NetStack.builder().link(link.b()).address(InetAddress.ofLiteral("198.18.5.1")).tcp(tcp).build();
        daemon.start();
        hosts.start();
        splicer = Splicer.start(daemon, daemonCrypt, SpliceSettings.DEFAULT, "test");
        server = TcpListener.open(hosts, 0, true, 16, null, serverCrypt.protections());
    }

    @AfterEach
    void close() {
        if (splicer != null) {
            splicer.close(Duration.ofMillis(200));
        }
        if (server != null) {
            server.close();
        }
        hosts.close();
        daemon.close();
        daemonCrypt.close();
        serverCrypt.close();
    }

    private TcpSocket connectClient() throws IOException {
        SegmentProtection.Factory plain = (flow, active) -> SegmentProtection.NONE;
        return TcpSocket.connect(hosts, null, DESTINATION, null, plain, Duration.ofSeconds(10));
    }

    @Test
    void thirtyTwoMebibytesEachWayWithHalfCloseMoveOnTheLoopAlone() throws Exception {
        bulkBothWays();
    }

    @Test
    void theSameInTheRfc8548Dialect() throws Exception {
        close();
        start(TcpCryptConfig.DEFAULT.withDialects(java.util.List.of(dev.tuncrypt.tcpcrypt.Dialect.RFC8548)));
        bulkBothWays();
    }

    private void bulkBothWays() throws Exception {
        TcpSocket client = connectClient();
        TcpSocket far = server.accept(Duration.ofSeconds(10));
        CountDownLatch midway = new CountDownLatch(1);
        CompletableFuture<Long> toServer = CompletableFuture.supplyAsync(() -> exchange(client, 1, 2, null));
        CompletableFuture<Long> toClient = CompletableFuture.supplyAsync(() -> exchange(far, 2, 1, midway));
        if (!midway.await(60, TimeUnit.SECONDS)) {
            SplicedConnection sc = (SplicedConnection) splicer.connections().getFirst();
            throw new AssertionError("stalled: leg 1 " + sc.leg1().stats() + ", leg 2 " + sc.leg2().stats());
        }
        assertThat(threadsInTheSplice()).as("threads with a splice frame on their stack, mid-transfer")
                // the loops; besides them only the splicer's two timer threads (no thread per connection)
                .allMatch(name -> name.startsWith("tuncrypt-loop-") || name.equals("splice-sweep")
                        || name.equals("splice-deadlines"));
        try {
            toServer.get(90, TimeUnit.SECONDS);
            toClient.get(90, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            SplicedConnection sc = (SplicedConnection) splicer.connections().getFirst();
            throw new AssertionError("stalled: leg 1 " + sc.leg1().stats() + ", leg 2 " + sc.leg2().stats()
                    + ", client " + client.stats() + ", far " + far.stats());
        }
        assertThat(toServer.get(90, TimeUnit.SECONDS)).isEqualTo(BULK);
        assertThat(toClient.get(90, TimeUnit.SECONDS)).isEqualTo(BULK);

        ConnectionView c = splicer.connections().getFirst();
        assertThat(c.settled().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(ConnectionView.Phase.ENCRYPTED);
        assertThat(splicer.counters().snapshot()).containsEntry("splice_bytes_out", (long) BULK)
                .containsEntry("splice_bytes_in", (long) BULK).containsEntry("splice_resets_propagated", 0L);
        ((SplicedConnection) c).ended().get(10, TimeUnit.SECONDS); // both FINs carried: the splice ends
        client.close();
        far.close();
    }

    /**
     * Request and answer of one full segment and a short tail each, between endpoints that
     * turned Nagle off: the splice adds no Nagle hold of its own. With it, leg 2 sent the full
     * segment, held the tail until that segment was acknowledged, and the far end delayed the
     * ACK of its one full segment (40 ms): every round trip took more than 40 ms.
     */
    @Test
    void shortTailsCrossTheSpliceWithoutWaitingForADelayedAck() throws Exception {
        TcpSocket client = connectClient();
        TcpSocket far = server.accept(Duration.ofSeconds(10));
        client.setNoDelay(true);
        far.setNoDelay(true);
        int size = 2_000; // more than one segment's plaintext, less than two
        long[] nanos = new long[21];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            client.write(ByteBuffer.allocate(size));
            readFully(far, size);
            far.write(ByteBuffer.allocate(size));
            readFully(client, size);
            nanos[i] = System.nanoTime() - start;
        }
        java.util.Arrays.sort(nanos);
        assertThat(Duration.ofNanos(nanos[nanos.length / 2]))
                .as("median round trip (all, µs: %s)", java.util.Arrays.toString(java.util.Arrays.stream(nanos).map(n -> n / 1000).toArray()))
                .isLessThan(Duration.ofMillis(TcpConfig.DEFAULT.delayedAckNanos() / 2_000_000));
        client.close();
        far.close();
    }

    private static void readFully(TcpSocket s, int size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(size);
        while (b.hasRemaining()) {
            if (s.read(b) < 0) {
                throw new IOException("end of stream after " + b.position() + " of " + size + " bytes");
            }
        }
    }

    @Test
    void aResetOnOneLegResetsTheOther() throws Exception {
        TcpSocket client = connectClient();
        TcpSocket far = server.accept(Duration.ofSeconds(10));
        client.getOutputStream().write(1);
        assertThat(far.getInputStream().read()).isEqualTo(1);
        far.abort();
        assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(IOException.class);
        ((SplicedConnection) splicer.connections().getFirst()).ended().get(10, TimeUnit.SECONDS);
        assertThat(splicer.counters().snapshot()).containsEntry("splice_resets_propagated", 1L);
    }

    /**
     * A client that reuses its port while the splice of its last connection from that port still
     * lingers (a kernel with tcp_tw_reuse): after the linger both tables are empty. The new
     * connection took the old one's application-tuple entry, and the old one's leg 2 entry,
     * which the sweep never looked at, stayed forever (130-150 MB on the steering daemon after a
     * 60 s storm).
     */
    @Test
    void aSpliceWhoseClientTupleCameBackLeavesTheTablesAfterTheLinger() throws Exception {
        InetSocketAddress from = new InetSocketAddress(InetAddress.ofLiteral("198.18.5.1"), 47_000);
        SegmentProtection.Factory plain = (flow, active) -> SegmentProtection.NONE;
        for (int round = 0; round < 2; round++) {
            // the second connect takes over the client's own TIME-WAIT on the same 4-tuple
            TcpSocket client = TcpSocket.connect(hosts, from, DESTINATION, null, plain, Duration.ofSeconds(10));
            TcpSocket far = server.accept(Duration.ofSeconds(10));
            client.getOutputStream().write(1);
            assertThat(far.getInputStream().read()).isEqualTo(1);
            far.getOutputStream().write(2);
            assertThat(client.getInputStream().read()).isEqualTo(2);
            SplicedConnection sc = (SplicedConnection) splicer.connections().stream()
                    .filter(c -> c.phase() != ConnectionView.Phase.CLOSED).findFirst().orElseThrow();
            client.close();
            assertThat(far.getInputStream().read()).isEqualTo(-1);
            far.close();
            sc.ended().get(10, TimeUnit.SECONDS);
            // both legs closed (leg 2 in TIME-WAIT, the stack's own): the lingering entry lets go of them
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((sc.leg1() != null || sc.leg2() != null) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(sc.leg1()).as("leg 1 of an ended splice, kept for its listing").isNull();
            assertThat(sc.leg2()).as("leg 2 of an ended splice, kept for its listing").isNull();
            assertThat(sc.crypto()).as("the ended connection is still listed with its session").isPresent();
            assertThat(sc.details().state()).isIn("TIME_WAIT", "CLOSED");
            assertThat(sc.details().bytesIn() + sc.details().bytesOut()).isEqualTo(2);
        }
        assertThat(splicer.connections()).as("listed under the one application tuple").hasSize(1);
        splicer.sweep(System.nanoTime() + Duration.ofSeconds(61).toNanos());
        assertThat(splicer.tableEntries()).as("entries by application tuple and by leg 2 tuple after the linger")
                .isZero();
    }

    /**
     * Sends {@link #BULK} bytes of stream {@code sendSeed} and half-closes, while checking that
     * the bytes received are exactly stream {@code expectSeed} up to the peer's FIN.
     */
    private static long exchange(TcpSocket s, long sendSeed, long expectSeed, CountDownLatch midway) {
        AtomicReference<Throwable> sendFailure = new AtomicReference<>();
        Thread sender = Thread.ofPlatform().start(() -> {
            try {
                SplittableRandom r = new SplittableRandom(sendSeed);
                ByteBuffer b = ByteBuffer.allocate(64 << 10);
                for (int sent = 0; sent < BULK; sent += b.capacity()) {
                    b.clear();
                    while (b.hasRemaining()) {
                        b.putLong(r.nextLong());
                    }
                    b.flip();
                    s.write(b);
                }
                s.shutdownOutput();
            } catch (IOException e) {
                sendFailure.set(e);
            }
        });
        try {
            SplittableRandom r = new SplittableRandom(expectSeed);
            ByteBuffer b = ByteBuffer.allocate(64 << 10);
            ByteBuffer expected = ByteBuffer.allocate(8);
            long received = 0;
            int n;
            while ((n = s.read(b)) >= 0) {
                b.flip();
                while (b.hasRemaining()) {
                    if (received % 8 == 0) {
                        expected.clear();
                        expected.putLong(0, r.nextLong());
                    }
                    if (b.get() != expected.get((int) (received % 8))) {
                        throw new AssertionError("byte " + received + " differs");
                    }
                    received++;
                }
                b.clear();
                if (midway != null && received > BULK / 4) {
                    midway.countDown();
                }
            }
            sender.join();
            if (sendFailure.get() != null) {
                throw new AssertionError("sending failed", sendFailure.get());
            }
            return received;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Names of the threads (virtual ones too) with a frame of the splice package on their stack. */
    private static java.util.List<String> threadsInTheSplice() throws IOException {
        Thread probe = Thread.ofVirtual().name("probe-of-the-dump").start(() -> parkInTheSplicePackage());
        Path file = Files.createTempDirectory("dump").resolve("threads.txt");
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            String dump = Files.readString(file);
            java.util.List<String> names = new java.util.ArrayList<>();
            for (String thread : dump.split("\n\n")) {
                String[] lines = thread.strip().split("\n");
                if (lines.length > 1 && thread.contains("dev.tuncrypt.daemon.splice.") && !thread.contains("LoopSpliceTest")) {
                    names.add(lines[0].replaceFirst("^#\\d+ \"([^\"]*)\".*$", "$1"));
                }
            }
            // the dump must see virtual threads, or the check above proves nothing
            assertThat(dump).contains("probe-of-the-dump");
            return names;
        } finally {
            probe.interrupt();
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        }
    }

    private static void parkInTheSplicePackage() {
        while (!Thread.currentThread().isInterrupted()) {
            LockSupport.park();
        }
    }
}
