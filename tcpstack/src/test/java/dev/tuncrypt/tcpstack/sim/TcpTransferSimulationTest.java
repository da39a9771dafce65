package dev.tuncrypt.tcpstack.sim;

import static dev.tuncrypt.tcpstack.sim.Simulation.MILLISECOND;
import static dev.tuncrypt.tcpstack.sim.Simulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tun.FaultModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bulk TCP transfers between two simulated stacks over a faulty {@link dev.tuncrypt.tun.MemoryLink}
 * ({@link TcpTransfer}): every byte arrives exactly once and in order both ways, both ends close in
 * order and leave TIME-WAIT after 2×MSL, and the simulation goes quiet within a virtual-time
 * bound. Each run is replayed by its seed ({@link SimulationSeeds}).
 *
 * <p>The link is 100 Mbit/s each way with no queue limit (random faults are the only loss) and a
 * one-way delay of 1-10 ms drawn from the seed; TIME-WAIT is shortened to 30 s (virtual).
 */
@ExtendWith(SimulationSeeds.class)
// A stack that spins inside one poll never returns to the simulation's own guards: fail instead of hanging.
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TcpTransferSimulationTest {
    static final long RATE = 100_000_000L;
    /**
     * 2×MSL, shorter than Linux's 60 s but longer than any retransmission timeout these runs
     * reach: TIME-WAIT exists to answer a retransmitted FIN, and with 1 s a FIN resent after a
     * 1.6 s backed-off RTO found the peer gone and drew a reset (seeds 2013 and 7003 at 10 % loss).
     * Virtual time is free, so this costs nothing.
     */
    static final long TIME_WAIT = 30 * SECOND;
    static final TcpConfig CONFIG = TcpConfig.DEFAULT.withTimeWait(TIME_WAIT);
    static final long MIB = 1 << 20;

    /** "Some" of each fault: rates per packet. */
    static final double REORDER = 0.01;
    static final long REORDER_DELAY = 2 * MILLISECOND;
    static final double DUPLICATE = 0.01;
    static final double CORRUPT = 0.005;

    static final double[] LOSSES = {0, 0.01, 0.05, 0.10};
    static final int CELLS = LOSSES.length * 8;

    /**
     * One cell of the fault matrix. The seed chooses the cell ({@code (seed - 1) mod 32}), so any
     * 32 consecutive seeds cover the matrix once and {@code -Dtuncrypt.seed=<n>} replays exactly the
     * cell that failed with seed n.
     */
    record Cell(long seed, int index, double loss, boolean reorder, boolean duplicate, boolean corrupt,
            long delayNanos) {
        static Cell of(long seed) {
            int index = (int) Math.floorMod(seed - 1, (long) CELLS);
            long delay = new SplittableRandom(seed).nextLong(1, 11) * MILLISECOND;
            return new Cell(seed, index, LOSSES[index >> 3], (index & 4) != 0, (index & 2) != 0, (index & 1) != 0,
                    delay);
        }

        FaultModel faults() {
            FaultModel f = FaultModel.NONE.withDelay(delayNanos, 0).withRate(RATE).withLoss(loss);
            if (reorder) {
                f = f.withReorder(REORDER, REORDER_DELAY);
            }
            if (duplicate) {
                f = f.withDuplicate(DUPLICATE);
            }
            if (corrupt) {
                f = f.withCorrupt(CORRUPT);
            }
            return f;
        }

        /** Bytes each way: 64 MiB without random loss, less as loss slows TCP down. */
        long bytesEachWay() {
            return loss == 0 ? 64 * MIB : loss <= 0.05 ? 4 * MIB : 2 * MIB;
        }

        @Override
        public String toString() {
            return String.format("loss=%d%% reorder=%s dup=%s corrupt=%s delay=%dms seed=%d", Math.round(loss * 100),
                    reorder ? "some" : "none", duplicate ? "some" : "none", corrupt ? "some" : "none",
                    delayNanos / MILLISECOND, seed);
        }
    }

    static List<Cell> matrix() {
        return LongStream.of(SimulationSeeds.seeds(CELLS)).mapToObj(Cell::of).toList();
    }

    /** Builds a simulation for {@code faults}, runs {@code plan} to the end and verifies it. */
    static TcpTransfer transfer(long seed, FaultModel faults, TcpTransfer.Plan plan, long maxVirtualNanos) {
        try (Simulation sim = Simulation.builder(seed).faults(faults).wallClockLimit(Duration.ofSeconds(60))
                .build()) {
            TcpTransfer t = TcpTransfer.start(sim, plan);
            t.runToCompletion(maxVirtualNanos);
            t.verify();
            return t;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void everyByteArrivesOnceInOrderAndBothEndsClose(Cell cell) {
        long wall = System.nanoTime();
        long bytes = cell.bytesEachWay();
        TcpTransfer t = transfer(cell.seed(), cell.faults(), TcpTransfer.Plan.of(bytes, bytes, CONFIG), 600 * SECOND);
        System.out.printf("matrix %-70s %s; wall %d ms%n", cell, t.summary(), (System.nanoTime() - wall) / 1_000_000);
        if (Boolean.getBoolean("tuncrypt.verbose")) {
            System.out.println(t.describe());
        }
    }

    @Test
    void ipv6UnderEveryFault() {
        long seed = SimulationSeeds.seed(101);
        FaultModel faults = FaultModel.NONE.withDelay(5 * MILLISECOND, 0).withRate(RATE).withLoss(0.05)
                .withReorder(REORDER, REORDER_DELAY).withDuplicate(DUPLICATE).withCorrupt(CORRUPT);
        TcpTransfer t = transfer(seed, faults, TcpTransfer.Plan.of(2 * MIB, 2 * MIB, CONFIG).overV6(), 600 * SECOND);
        assertThat(t.a().connection.flow().isV6()).isTrue();
        System.out.printf("ipv6 loss=5%% reorder dup corrupt seed=%d: %s%n", seed, t.summary());
    }

    /**
     * Every packet arrives twice, in both directions: the listener sees the SYN twice while in
     * SYN-RECEIVED (and later every segment twice), which must change nothing.
     */
    @Test
    void everyPacketDuplicatedInBothDirections() {
        long seed = SimulationSeeds.seed(111);
        FaultModel faults = FaultModel.NONE.withDelay(5 * MILLISECOND, 0).withRate(RATE).withDuplicate(1.0);
        TcpTransfer t = transfer(seed, faults, TcpTransfer.Plan.of(4 * MIB, 4 * MIB, CONFIG), 600 * SECOND);
        System.out.printf("every packet duplicated, seed=%d: %s%n", seed, t.summary());
        // Nothing was lost: the ACKs that duplicates provoke carry no SACK block for new data, so
        // they are not DupAcks in RFC 6675's sense (§2) and must not start loss recovery.
        assertThat(t.a().connection.stats().retransmits()).as("A's retransmissions, seed %d", seed).isZero();
        assertThat(t.b().connection.stats().retransmits()).as("B's retransmissions, seed %d", seed).isZero();
    }

    @Test
    void cubicAndNewRenoBothDeliverUnderFivePercentLoss() {
        long seed = SimulationSeeds.seed(201);
        FaultModel faults = FaultModel.NONE.withDelay(5 * MILLISECOND, 0).withRate(RATE).withLoss(0.05);
        List<String> outcomes = new ArrayList<>();
        for (String cc : List.of("cubic", "newreno")) {
            TcpTransfer t = transfer(seed, faults,
                    TcpTransfer.Plan.of(4 * MIB, 4 * MIB, CONFIG.withCongestionControl(cc)), 600 * SECOND);
            System.out.printf("congestion control %-8s loss=5%% seed=%d: %s%n", cc, seed, t.summary());
            outcomes.add(t.summary());
        }
        // Same seed, same faults: only the congestion control differs, so the runs must too.
        assertThat(outcomes.get(0)).as("cubic and newreno runs of seed %d", seed).isNotEqualTo(outcomes.get(1));
    }

    /**
     * Goodput from A to B (one direction, B only acknowledges) over 100 Mbit/s with 5 ms one-way
     * delay, per loss rate (both directions) and congestion control, averaged over three seeds,
     * next to the Mathis et al. model {@code MSS/RTT * sqrt(3/2) / sqrt(p)} at the base RTT. Every
     * run is verified like a matrix cell; the table is printed before any failure is reported.
     */
    @Test
    void throughputVersusLossTable() {
        double[] losses = {0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.10};
        long[] seeds = SimulationSeeds.seeds(301, 302, 303);
        String[] ccs = {"cubic", "newreno"};
        long delay = 5 * MILLISECOND;
        StringBuilder table = new StringBuilder();
        table.append(String.format("%nTCP goodput vs. random loss (virtual time): 100 Mbit/s each way, RTT %d ms,"
                + " MSS 1448 (timestamps), 1 MiB buffers, A->B only, mean of seeds %s (one without loss)%n", 2 * delay / MILLISECOND,
                java.util.Arrays.toString(seeds)));
        table.append("| loss | size | cubic Mbit/s | newreno Mbit/s | cubic rtx/rto | newreno rtx/rto | Mathis model Mbit/s |\n");
        table.append("|-----:|-----:|-------------:|---------------:|--------------:|----------------:|--------------------:|\n");
        List<AssertionError> failures = new ArrayList<>();
        double[] cubic = new double[losses.length];
        long wall = System.nanoTime();
        for (int l = 0; l < losses.length; l++) {
            double loss = losses[l];
            long bytes = loss == 0 ? 32 * MIB : loss <= 0.01 ? 8 * MIB : 2 * MIB;
            FaultModel faults = FaultModel.NONE.withDelay(delay, 0).withRate(RATE).withLoss(loss);
            // Without loss nothing random touches the transfer: one seed says it all.
            long[] rowSeeds = loss == 0 ? new long[] {seeds[0]} : seeds;
            double[] goodput = new double[ccs.length];
            long[][] rtx = new long[ccs.length][2];
            for (int i = 0; i < ccs.length; i++) {
                for (long seed : rowSeeds) {
                    try (Simulation sim = Simulation.builder(seed).faults(faults)
                            .wallClockLimit(Duration.ofSeconds(60)).build()) {
                        TcpTransfer t = TcpTransfer.start(sim,
                                TcpTransfer.Plan.of(bytes, 0, CONFIG.withCongestionControl(ccs[i])));
                        t.runToCompletion(3600 * SECOND);
                        goodput[i] += t.goodputAToB() / rowSeeds.length;
                        rtx[i][0] += t.a().connection.stats().retransmits();
                        rtx[i][1] += t.a().connection.stats().timeouts();
                        try {
                            t.verify();
                        } catch (AssertionError e) {
                            failures.add(new AssertionError(ccs[i] + ", loss " + loss + ": " + e.getMessage(), e));
                        }
                    }
                }
            }
            cubic[l] = goodput[0];
            double mathis = 1448 * 8 / (2.0 * delay / 1e9) * Math.sqrt(1.5) / Math.sqrt(loss) / 1e6;
            table.append(String.format("| %4.1f%% | %s | %12.1f | %14.1f | %13s | %15s | %19s |%n", loss * 100,
                    TcpTransfer.mib(bytes), goodput[0], goodput[1], rtx[0][0] + "/" + rtx[0][1],
                    rtx[1][0] + "/" + rtx[1][1], loss == 0 ? "-" : String.format("%.1f", mathis)));
        }
        System.out.print(table);
        System.out.printf("(%d ms of wall time)%n%n", (System.nanoTime() - wall) / 1_000_000);
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " of the table's runs failed; the first:\n"
                    + failures.getFirst().getMessage(), failures.getFirst());
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
        assertThat(cubic[0]).as("goodput on a clean 100 Mbit/s link").isGreaterThan(80);
        assertThat(cubic[cubic.length - 1]).as("goodput at 10%% loss").isPositive().isLessThan(cubic[0]);
    }

    /**
     * An application may queue data and half-close before the handshake completes ({@code send}
     * accepts data in SYN-SENT): the data and the FIN go once the connection is established
     * (RFC 9293 §3.10.4 queues a CLOSE in SYN-RECEIVED "for processing after entering ESTABLISHED
     * state"; a CLOSE that discards accepted data would at least have to report an error). Either
     * right after connect, or from the {@code onWritable} that arrives while still in SYN-SENT.
     */
    @ParameterizedTest(name = "right after connect: {0}")
    @ValueSource(booleans = {true, false})
    void dataQueuedAndHalfClosedBeforeTheHandshakeCompletesIsDelivered(boolean rightAfterConnect) {
        long seed = SimulationSeeds.seed(601);
        FaultModel faults = FaultModel.NONE.withDelay(5 * MILLISECOND, 0).withRate(RATE);
        try (Simulation sim = Simulation.builder(seed).faults(faults).build()) {
            TcpTransfer t = TcpTransfer.start(sim, TcpTransfer.Plan.of(64 * 1024, 64 * 1024, CONFIG));
            t.a().sendBeforeEstablished(rightAfterConnect);
            t.runToCompletion(60 * SECOND);
            t.verify();
        }
    }

    /**
     * The end that half-closes first waits in FIN-WAIT-2; the peer's FIN then takes it to
     * TIME-WAIT, and its application must hear onPeerClosed (end of stream) before onClosed.
     */
    @Test
    void peerClosedIsAnnouncedWhenTheFinArrivesInFinWait2() {
        long seed = SimulationSeeds.seed(602);
        FaultModel faults = FaultModel.NONE.withDelay(5 * MILLISECOND, 0).withRate(RATE);
        try (Simulation sim = Simulation.builder(seed).faults(faults).build()) {
            // B has nothing to send: it half-closes at once and waits in FIN-WAIT-2 for A's data and FIN.
            TcpTransfer t = TcpTransfer.start(sim, TcpTransfer.Plan.of(256 * 1024, 0, CONFIG));
            t.runToCompletion(60 * SECOND);
            t.verify();
            assertThat(t.b().stateAtClose).as("B's state when told closed, seed %d", seed).isEqualTo(TcpState.TIME_WAIT);
            assertThat(t.b().peerClosedAt).as("B told of A's FIN before closed, seed %d", seed).isNotNegative()
                    .isLessThanOrEqualTo(t.b().closedAt);
        }
    }

    /**
     * B's application stops reading: B's receive buffer fills, its window closes, A's send buffer
     * fills and A probes the zero window, which B keeps answering. A must keep the connection
     * however long that lasts (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17: "as long as the receiving
     * TCP continues to send acknowledgments in response to the probe segments"). When B reads
     * again, its window update restarts A at once when nothing is lost, and everything arrives.
     */
    @ParameterizedTest(name = "pause={0}s loss={1}")
    @MethodSource("zeroWindowCases")
    void zeroWindowProbingThenResume(long pauseSeconds, double loss) {
        long seed = SimulationSeeds.seed(401);
        FaultModel faults = FaultModel.NONE.withDelay(5 * MILLISECOND, 0).withRate(RATE).withLoss(loss);
        TcpConfig config = CONFIG.withBuffers(256 * 1024, 256 * 1024);
        try (Simulation sim = Simulation.builder(seed).faults(faults).wallClockLimit(Duration.ofSeconds(60))
                .build()) {
            TcpTransfer t = TcpTransfer.start(sim, TcpTransfer.Plan.of(8 * MIB, MIB, config));
            long[] resumedAt = new long[1];
            t.withState(() -> {
                // B stops reading once 1 MiB arrived.
                sim.runUntil(() -> t.b().received >= MIB, 60 * SECOND, "B read 1 MiB");
                t.b().pauseReading();
                sim.runUntil(() -> t.a().connection.stats().sendWindow() == 0 && t.a().connection.writable() == 0,
                        60 * SECOND, "A seeing a zero window with its send buffer full");
                long closedAt = sim.now();
                long packetsBefore = sim.aToB().sent();
                long receivedBefore = t.b().received;
                sim.runFor(pauseSeconds * SECOND);
                long probes = sim.aToB().sent() - packetsBefore;
                System.out.printf("zero window for %d s (loss %.0f%%, seed %d): closed at +%s, %d packets from A"
                                + " while closed; A %s%n", pauseSeconds, loss * 100, seed,
                        TcpTransfer.ms(closedAt - Simulation.START_NANOS), probes, t.a().connection.stats());
                assertThat(t.b().received).as("nothing read while paused").isEqualTo(receivedBefore);
                assertThat(t.b().connection.readable()).as("B's receive buffer full")
                        .isGreaterThanOrEqualTo(200 * 1024);
                assertThat(probes).as("A probed the zero window for %d s", pauseSeconds).isPositive();
                assertThat(t.a().connection.state()).as("A's connection survives %d s of zero window", pauseSeconds)
                        .isIn(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT);
                assertThat(t.b().connection.state()).isIn(TcpState.ESTABLISHED, TcpState.FIN_WAIT_1,
                        TcpState.FIN_WAIT_2);
                resumedAt[0] = sim.now();
                t.b().resumeReading();
                if (loss == 0) {
                    // B's window update arrives (nothing is lost): A must send again within a few
                    // round trips, not when a timer backed off during the probing expires.
                    long before = t.b().received;
                    sim.runUntil(() -> t.b().received >= before + MIB, SECOND,
                            "A sending again (B reading 1 MiB more) within 1 s of B reading again");
                    System.out.printf("  A resumed: B read 1 MiB more %s after it started reading again%n",
                            TcpTransfer.ms(sim.now() - resumedAt[0]));
                }
            });
            t.runToCompletion(600 * SECOND);
            t.verify();
            System.out.printf("  after resume: last byte at B %s later; %s%n",
                    TcpTransfer.ms(t.b().lastByteAt - resumedAt[0]), t.summary());
        }
    }

    static List<Object[]> zeroWindowCases() {
        return List.of(new Object[] {30L, 0.0}, new Object[] {30L, 0.02}, new Object[] {1200L, 0.0});
    }
}
