package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.sim.Simulation;
import dev.tuncrypt.tcpstack.sim.SimulationSeeds;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tun.FaultModel;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seeded fault matrix with tcpcrypt on: each seed picks a dialect (tcpcryptd 0.5 or RFC 8548)
 * and a cell of loss 0-10 % with or without reordering, duplication and corruption; both ways
 * must arrive byte-exact with equal session IDs. CI runs a few seeds; {@code make soak} runs
 * {@code SOAK_RUNS} fresh ones ({@code -Dtuncrypt.seedBase}, {@code -Dtuncrypt.seedCount}) and a
 * failure is replayed with {@code -Dtuncrypt.seed=<n>}.
 */
@ExtendWith(SimulationSeeds.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EncryptedFaultMatrixTest {
    static final double[] LOSSES = {0, 0.01, 0.05, 0.10};
    static final int CELLS = 2 * LOSSES.length * 8;

    record Cell(long seed, Dialect dialect, double loss, boolean reorder, boolean duplicate, boolean corrupt,
            long delayNanos) {
        static Cell of(long seed) {
            int index = (int) Math.floorMod(seed - 1, (long) CELLS);
            long delay = new SplittableRandom(seed).nextLong(1, 11) * Simulation.MILLISECOND;
            return new Cell(seed, (index & 1) == 0 ? Dialect.TCPCRYPT_05 : Dialect.RFC8548, LOSSES[(index >> 4) & 3],
                    (index & 8) != 0, (index & 4) != 0, (index & 2) != 0, delay);
        }

        FaultModel faults() {
            FaultModel f = FaultModel.NONE.withDelay(delayNanos, 0).withRate(100_000_000L).withLoss(loss);
            if (reorder) {
                f = f.withReorder(0.01, 2 * Simulation.MILLISECOND);
            }
            if (duplicate) {
                f = f.withDuplicate(0.01);
            }
            if (corrupt) {
                f = f.withCorrupt(0.005);
            }
            return f;
        }

        /** 4 MiB each way without random loss, less as loss slows TCP down. */
        int bytesEachWay() {
            return loss == 0 ? 4 << 20 : loss <= 0.05 ? 1 << 20 : 512 << 10;
        }

        @Override
        public String toString() {
            return String.format("%s loss=%d%% reorder=%s dup=%s corrupt=%s delay=%dms seed=%d", dialect.name(),
                    Math.round(loss * 100), reorder, duplicate, corrupt, delayNanos / Simulation.MILLISECOND, seed);
        }
    }

    /** CI's slice: four seeds, both dialects, with and without loss; a soak's seeds when it gives a base or count. */
    static List<Cell> matrix() {
        boolean soak = System.getProperty(SimulationSeeds.BASE_PROPERTY) != null
                || System.getProperty(SimulationSeeds.COUNT_PROPERTY) != null;
        long[] seeds = soak ? SimulationSeeds.seeds(CELLS) : SimulationSeeds.seeds(1, 2, 35, 52);
        return LongStream.of(seeds).mapToObj(Cell::of).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void everyByteArrivesThroughTheFaults(Cell cell) {
        TcpCryptConfig config = cell.dialect() == Dialect.RFC8548 ? Rfc8548OverTcpTest.RFC : Rfc8548OverTcpTest.V05;
        try (TcpCrypt ca = Rfc8548OverTcpTest.crypt(config); TcpCrypt cb = Rfc8548OverTcpTest.crypt(config);
                Simulation sim = Rfc8548OverTcpTest.sim(cell.seed(), cell.faults(), ca, cb)) {
            Rfc8548OverTcpTest.Accepts b = new Rfc8548OverTcpTest.Accepts();
            Rfc8548OverTcpTest.listen(sim, b);
            int n = cell.bytesEachWay();
            TcpConnection[] ends = Rfc8548OverTcpTest.connectAndExchange(sim, b,
                    Rfc8548OverTcpTest.random(n, cell.seed()), Rfc8548OverTcpTest.random(n, ~cell.seed()));
            assertThat(TcpCrypt.info(ends[0]).dialect()).isEqualTo(cell.dialect().toString());
            assertThat(TcpCrypt.info(ends[0]).sessionId()).isEqualTo(TcpCrypt.info(ends[1]).sessionId());
            System.out.printf("encrypted matrix %s: ok%n", cell);
        }
    }
}
