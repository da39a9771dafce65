package dev.tuncrypt.tcpstack.sim;

import static dev.tuncrypt.tcpstack.sim.Simulation.MILLISECOND;
import static dev.tuncrypt.tcpstack.sim.Simulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tun.FaultModel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TSO deferral (docs/tcp.md) on a simulated link with segmentation offload: a bulk sender limited
 * by cwnd and the ACK clock (an ACK per two segments) writes many segments per super-packet, and
 * transfers still complete byte-exact under loss, where deferral must stand aside.
 */
@ExtendWith(SimulationSeeds.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TsoDeferralSimulationTest {
    static final long MIB = 1 << 20;
    static final TcpConfig CONFIG = TcpConfig.DEFAULT.withTimeWait(30 * SECOND);

    private static long[] run(long seed, FaultModel faults, long bytes) {
        try (Simulation sim = Simulation.builder(seed).faults(faults).segmentationOffload(true)
                .wallClockLimit(Duration.ofSeconds(60)).build()) {
            TcpTransfer t = TcpTransfer.start(sim, TcpTransfer.Plan.of(bytes, 0, CONFIG));
            t.runToCompletion(600 * SECOND);
            t.verify();
            long[] wp = sim.writesAndPacketsA();
            System.out.printf("tso-deferral seed=%d %s: %d writes, %d packets (%.1f per write); %s%n", seed, faults,
                    wp[0], wp[1], (double) wp[1] / wp[0], t.summary());
            return wp;
        }
    }

    @Test
    void aCwndLimitedBulkSenderWritesManySegmentsPerWrite() {
        // 1 Gbit/s, 1 ms each way: a BDP of ~170 segments, reached in slow start from 10
        long[] wp = run(SimulationSeeds.seed(301), FaultModel.NONE.withDelay(MILLISECOND, 0).withRate(1_000_000_000L),
                16 * MIB);
        assertThat(wp[1]).as("packets per write").isGreaterThan(8 * wp[0]);
    }

    @Test
    void lossReorderingAndDuplicatesStillDeliverEveryByte() {
        FaultModel faults = FaultModel.NONE.withDelay(2 * MILLISECOND, 0).withRate(100_000_000L).withLoss(0.02)
                .withReorder(0.01, 2 * MILLISECOND).withDuplicate(0.01);
        long[] wp = run(SimulationSeeds.seed(302), faults, 4 * MIB);
        assertThat(wp[1]).as("super-packets were written").isGreaterThan(wp[0]);
    }
}
