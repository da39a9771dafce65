package dev.tuncrypt.tcpstack.sim;

import static dev.tuncrypt.tcpstack.sim.Simulation.MILLISECOND;
import static dev.tuncrypt.tcpstack.sim.Simulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpstack.InboundPacket;
import dev.tuncrypt.tcpstack.ProtocolHandler;
import dev.tuncrypt.tcpstack.StackCounters;
import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.MemoryLink;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The simulation driver itself, proven with {@link ProbeProtocol} datagrams between two stacks. */
@ExtendWith(SimulationSeeds.class)
class SimulationTest {
    private static final FaultModel FAULTY = FaultModel.NONE.withLoss(0.05).withReorder(0.05, 3 * MILLISECOND)
            .withDuplicate(0.02).withCorrupt(0.01).withDelay(MILLISECOND, 0);

    static long[] seeds() {
        return SimulationSeeds.seeds(3);
    }

    /** What a run leaves behind, compared across runs. */
    record Outcome(String logB, String logA, String countersA, String countersB, String linkAB, String linkBA,
            long endNanos) {}

    /** Two probes on a simulation: A sends, B echoes. */
    private static final class Probes {
        final AtomicReference<ProbeProtocol> a = new AtomicReference<>();
        final AtomicReference<ProbeProtocol> b = new AtomicReference<>();

        Simulation.Builder install(Simulation.Builder builder) {
            return builder.stackA(ProbeProtocol.install(a::set)).stackB(ProbeProtocol.install(b::set));
        }
    }

    private static Outcome exchange(long seed) {
        Probes probes = new Probes();
        try (Simulation sim = probes.install(Simulation.builder(seed).faults(FAULTY)).build()) {
            probes.a.get().start(Simulation.A_V4, Simulation.B_V4, 2000, 200, 100_000);
            long end = sim.runUntilQuiescent(10 * SECOND);

            ProbeProtocol a = probes.a.get();
            ProbeProtocol b = probes.b.get();
            StackCounters ca = sim.countersA();
            StackCounters cb = sim.countersB();
            // Every fault happened, and no corrupted datagram got through: each corrupted packet was
            // dropped by IP (IPv4 header checksum) or rejected by the probe's CRC.
            for (var d : List.of(sim.aToB(), sim.bToA())) {
                assertThat(List.of(d.lost(), d.reordered(), d.duplicated(), d.corrupted()))
                        .as("faults applied, %s", sim).allSatisfy(n -> assertThat(n).isPositive());
            }
            assertThat(sim.aToB().corrupted()).as("%s", sim).isEqualTo(b.rejected() + cb.totalDrops());
            assertThat(sim.bToA().corrupted()).as("%s", sim).isEqualTo(a.rejected() + ca.totalDrops());
            assertThat(sim.aToB().delivered()).isEqualTo(b.deliveries().size() + b.rejected() + cb.totalDrops());
            for (ProbeProtocol.Delivery d : b.deliveries()) {
                assertThat(d.payload()).isEqualTo(a.sent().get(d.seq()));
            }
            for (ProbeProtocol.Delivery d : a.deliveries()) {
                assertThat(d.echo()).isTrue();
                assertThat(d.payload()).isEqualTo(a.sent().get(d.seq()));
            }
            long overtaken = 0;
            for (int i = 1; i < b.deliveries().size(); i++) {
                overtaken += b.deliveries().get(i - 1).seq() > b.deliveries().get(i).seq() ? 1 : 0;
            }
            assertThat(overtaken).as("datagrams arriving after a later one, %s", sim).isPositive();
            return new Outcome(b.logHash(), a.logHash(), ca.toString(), cb.toString(), counters(sim.aToB()),
                    counters(sim.bToA()), end);
        }
    }

    private static String counters(MemoryLink.Direction d) {
        return List.of(d.sent(), d.delivered(), d.lost(), d.duplicated(), d.reordered(), d.corrupted()).toString();
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void sameSeedReplaysExactlyAndAnotherSeedDiffers(long seed) {
        Outcome first = exchange(seed);
        Outcome again = exchange(seed);
        Outcome other = exchange(seed + 1);

        assertThat(again).isEqualTo(first);
        assertThat(other.logB()).isNotEqualTo(first.logB());
        assertThat(other.logA()).isNotEqualTo(first.logA());
    }

    @Test
    void linkDelayIsExactlyTheVirtualTimeOfArrival() {
        Probes probes = new Probes();
        FaultModel delay = FaultModel.NONE.withDelay(100 * MILLISECOND, 0);
        try (Simulation sim = probes.install(Simulation.builder(SimulationSeeds.seed(5)).faults(delay)).build()) {
            long wallStart = System.nanoTime();
            long t0 = sim.now();
            probes.a.get().start(Simulation.A_V6, Simulation.B_V6, 1, 64, 0);
            sim.runUntil(() -> !probes.a.get().deliveries().isEmpty(), SECOND, "echo at A");

            assertThat(probes.b.get().deliveries()).singleElement()
                    .satisfies(d -> assertThat(d.nanos()).isEqualTo(t0 + 100 * MILLISECOND));
            assertThat(probes.a.get().deliveries()).singleElement()
                    .satisfies(d -> assertThat(d.nanos()).isEqualTo(t0 + 200 * MILLISECOND));
            assertThat(sim.now()).isEqualTo(t0 + 200 * MILLISECOND);
            assertThat(sim.steps()).as("time jumps from event to event").isEqualTo(3);

            // 100 round trips, one every 100 ms: 10.2 s of virtual time in a few steps per packet.
            probes.a.get().start(Simulation.A_V4, Simulation.B_V4, 100, 64, 100 * MILLISECOND);
            long end = sim.runUntilQuiescent(20 * SECOND);
            assertThat(end - t0).isEqualTo(200 * MILLISECOND + 99 * 100 * MILLISECOND + 200 * MILLISECOND);
            assertThat(probes.a.get().deliveries()).hasSize(101);
            assertThat(System.nanoTime() - wallStart).as("wall time").isLessThan(2 * SECOND);
        }
    }

    @Test
    void timeLimitFailureNamesSeedReplayTimeAndCounters() {
        Probes probes = new Probes();
        try (Simulation sim = probes.install(Simulation.builder(77).faults(FAULTY)).build()) {
            probes.a.get().start(Simulation.A_V4, Simulation.B_V4, 1_000_000, 100, MILLISECOND);
            assertThatThrownBy(() -> sim.runUntil(() -> false, 50 * MILLISECOND, "the impossible"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("the impossible not met within 0.050000000 s of virtual time")
                    .hasMessageContaining("seed=77 at virtual time +0.050000000 s")
                    .hasMessageContaining("-Dtuncrypt.seed=77 -Dtest=SimulationTest#timeLimitFailureNamesSeedReplayTimeAndCounters")
                    .hasMessageContaining("link A->B {sent 51, delivered ")
                    .hasMessageContaining("stack B {rx ");
            assertThat(sim.elapsedNanos()).isEqualTo(50 * MILLISECOND);
        }
    }

    @Test
    void quiescenceWithoutTheConditionFailsWithTheSeed() {
        try (Simulation sim = Simulation.builder(78).build()) {
            assertThatThrownBy(() -> sim.runUntil(() -> false, SECOND))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("condition not met, and the simulation is quiescent")
                    .hasMessageContaining("seed=78")
                    .hasMessageContaining("-Dtuncrypt.seed=78 -Dtest=SimulationTest#quiescenceWithoutTheConditionFailsWithTheSeed");
            assertThat(sim.step()).isFalse();
        }
    }

    @Test
    void livelockFailsWithTheSeedInsteadOfHanging() {
        ProtocolHandler stuck = new ProtocolHandler() {
            @Override
            public void input(InboundPacket packet) {}

            @Override
            public long nextDeadline() {
                return 0; // always due, never rescheduled: time cannot advance
            }
        };
        try (Simulation sim = Simulation.builder(79).stackB(b -> b.transport(ProbeProtocol.PROTOCOL, ctx -> stuck))
                .maxRounds(10_000).build()) {
            assertThatThrownBy(() -> sim.runFor(SECOND))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("livelock: more than 10000 polling rounds")
                    .hasMessageContaining("seed=79");
        }
    }

    @Test
    void postedTasksRunEvenWhenNothingElseIsPending() {
        try (Simulation sim = Simulation.builder(80).build()) {
            AtomicBoolean ran = new AtomicBoolean();
            // B's task posts to A, which was already polled in that round.
            sim.b().loop(0).post(() -> sim.a().loop(0).post(() -> ran.set(true)));
            assertThat(sim.step()).isFalse();
            assertThat(ran).isTrue();
            assertThat(sim.elapsedNanos()).isZero();
        }
    }

    @Test
    void otherFailuresOfASimulationTestGetTheSeed() {
        try (Simulation sim = Simulation.builder(81).build()) {
            assertThatThrownBy(() -> new SimulationSeeds().handleTestExecutionException(null,
                            new IllegalStateException("boom")))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("seed=81\n")
                    .hasMessageContaining("-Dtuncrypt.seed=81 -Dtest=SimulationTest#otherFailuresOfASimulationTestGetTheSeed")
                    .hasMessageEndingWith("boom")
                    .hasCauseInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void replayPropertySelectsOneSeed() {
        String previous = System.getProperty(SimulationSeeds.PROPERTY);
        try {
            System.clearProperty(SimulationSeeds.PROPERTY);
            assertThat(SimulationSeeds.seeds(3)).containsExactly(1, 2, 3);
            assertThat(SimulationSeeds.seed(9)).isEqualTo(9);
            System.setProperty(SimulationSeeds.PROPERTY, "123456789");
            assertThat(SimulationSeeds.seeds(3)).containsExactly(123456789);
            assertThat(SimulationSeeds.seeds(4, 5)).containsExactly(123456789);
            assertThat(SimulationSeeds.seed(9)).isEqualTo(123456789);
        } finally {
            if (previous == null) {
                System.clearProperty(SimulationSeeds.PROPERTY);
            } else {
                System.setProperty(SimulationSeeds.PROPERTY, previous);
            }
        }
    }
}
