package dev.tuncrypt.tcpstack.sim;

import static dev.tuncrypt.tcpstack.sim.Simulation.MILLISECOND;
import static dev.tuncrypt.tcpstack.sim.Simulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.tcp.LossRecovery;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tun.FaultModel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reordering must not collapse the window (issue 11): with 1 % of packets delayed by 2 ms (about
 * 17 segments at 100 Mbit/s) RACK-TLP (RFC 8985) keeps at least 90 % of the goodput it has
 * without reordering, while DupThresh-based recovery (RFC 6675) takes every such reorder for a
 * loss and halves its window. Both numbers go into the assertion messages; mean of three seeds.
 */
@ExtendWith(SimulationSeeds.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReorderingGoodputTest {
    static final long RATE = 100_000_000L;
    static final long DELAY = 5 * MILLISECOND;
    static final double REORDER = 0.01;
    static final long REORDER_DELAY = 2 * MILLISECOND;
    static final long BYTES = 16L << 20;
    static final TcpConfig CONFIG = TcpConfig.DEFAULT.withTimeWait(30 * SECOND);

    static double goodput(LossRecovery recovery, boolean reorder, long[] seeds) {
        FaultModel faults = FaultModel.NONE.withDelay(DELAY, 0).withRate(RATE);
        if (reorder) {
            faults = faults.withReorder(REORDER, REORDER_DELAY);
        }
        double sum = 0;
        for (long seed : seeds) {
            try (Simulation sim = Simulation.builder(seed).faults(faults).wallClockLimit(Duration.ofSeconds(60))
                    .build()) {
                TcpTransfer t = TcpTransfer.start(sim, TcpTransfer.Plan.of(BYTES, 0, CONFIG.withLossRecovery(recovery)));
                t.runToCompletion(600 * SECOND);
                t.verify();
                System.out.printf("%-8s reorder=%-5s seed=%d: %s%n", recovery, reorder, seed, t.summary());
                sum += t.goodputAToB();
            }
        }
        return sum / seeds.length;
    }

    @Test
    void onePercentReorderingCostsRackTlpAtMostTenPercentOfGoodput() {
        long[] seeds = SimulationSeeds.seeds(701, 702, 703);
        double rackClean = goodput(LossRecovery.RACK_TLP, false, seeds);
        double rackReordered = goodput(LossRecovery.RACK_TLP, true, seeds);
        double oldClean = goodput(LossRecovery.RFC6675, false, seeds);
        double oldReordered = goodput(LossRecovery.RFC6675, true, seeds);
        String table = String.format("goodput Mbit/s, 1%% reordering by 2 ms vs none: RACK-TLP %.1f / %.1f (%.0f %%),"
                        + " RFC 6675 %.1f / %.1f (%.0f %%)", rackReordered, rackClean, 100 * rackReordered / rackClean,
                oldReordered, oldClean, 100 * oldReordered / oldClean);
        System.out.println(table);
        assertThat(rackReordered).as("RACK-TLP: " + table).isGreaterThanOrEqualTo(0.9 * rackClean);
        assertThat(oldReordered).as("RFC 6675 (the previous recovery) loses more than 10 %%: " + table)
                .isLessThan(0.9 * oldClean);
    }
}
