package dev.tuncrypt.tun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryLinkTest {
    private static final int N = 20_000;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final PacketBatch batch = new PacketBatch(64, MemoryLink.DEFAULT_MTU);
    private final ByteBuffer out = ByteBuffer.allocateDirect(MemoryLink.DEFAULT_MTU);

    /** Packet {@code seq}: the number, then a length and bytes derived from it. */
    private ByteBuffer packet(int seq) {
        int length = 20 + seq % 200;
        out.clear().putInt(seq);
        for (int i = 4; i < length; i++) {
            out.put((byte) (seq * 31 + i));
        }
        return out.flip();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(b.position(), a);
        return a;
    }

    /** Receives everything due now, returning the sequence numbers. */
    private List<Integer> drain(MemoryLink link) throws IOException {
        List<Integer> seqs = new ArrayList<>();
        int n;
        while ((n = link.receive(batch)) > 0) {
            for (int i = 0; i < n; i++) {
                seqs.add(batch.get(i).getInt(0));
            }
        }
        return seqs;
    }

    private static void assertRate(double expected, long count, long trials) {
        double sigma = Math.sqrt(trials * expected * (1 - expected));
        double mean = trials * expected;
        assertTrue(Math.abs(count - mean) <= 5 * sigma,
                () -> "count " + count + " of " + trials + " is off the rate " + expected + " (mean " + mean
                        + ", sigma " + sigma + ")");
    }

    @Test
    void deliversInOrderWithContentIntactWithoutFaults() throws IOException {
        MemoryLink.Pair pair = MemoryLink.pair(clock, 1, FaultModel.NONE, FaultModel.NONE);
        for (int seq = 0; seq < 500; seq++) {
            assertTrue(pair.a().send(packet(seq)));
            assertEquals(0, out.position(), "send must leave the position alone");
        }
        int expected = 0;
        int n;
        while ((n = pair.b().receive(batch)) > 0) {
            for (int i = 0; i < n; i++) {
                ByteBuffer got = batch.get(i);
                assertEquals(0, got.position());
                assertArrayEquals(bytes(packet(expected)), bytes(got), "packet " + expected);
                expected++;
            }
        }
        assertEquals(500, expected);
        assertEquals(500, pair.aToB().sent());
        assertEquals(500, pair.aToB().delivered());
        assertEquals(0, pair.bToA().sent());
        assertEquals(0, pair.a().receive(batch), "nothing flows back");
    }

    @Test
    void lossRateIsHonouredAndCounted() throws IOException {
        MemoryLink.Pair pair = MemoryLink.pair(clock, 7, FaultModel.NONE.withLoss(0.10), FaultModel.NONE);
        int received = 0;
        for (int seq = 0; seq < N; seq++) {
            assertTrue(pair.a().send(packet(seq)), "a lost packet still counts as sent");
            received += drain(pair.b()).size();
        }
        assertRate(0.10, pair.aToB().lost(), N);
        assertEquals(N, pair.aToB().sent());
        assertEquals(N - pair.aToB().lost(), received);
        assertEquals(received, pair.aToB().delivered());
    }

    @Test
    void duplicateRateIsHonouredAndCounted() throws IOException {
        MemoryLink.Pair pair = MemoryLink.pair(clock, 8, FaultModel.NONE.withDuplicate(0.05), FaultModel.NONE);
        List<Integer> seqs = new ArrayList<>();
        for (int seq = 0; seq < N; seq++) {
            pair.a().send(packet(seq));
            seqs.addAll(drain(pair.b()));
        }
        assertRate(0.05, pair.aToB().duplicated(), N);
        assertEquals(N + pair.aToB().duplicated(), seqs.size());
        long twice = seqs.stream().distinct().count();
        assertEquals(N, twice, "every packet arrives at least once");
    }

    @Test
    void reorderedPacketsAreOvertakenAndCounted() throws IOException {
        FaultModel reorder = FaultModel.NONE.withReorder(0.10, 10_000);
        MemoryLink.Pair pair = MemoryLink.pair(clock, 9, reorder, FaultModel.NONE);
        List<Integer> seqs = new ArrayList<>();
        for (int seq = 0; seq < N; seq++) {
            pair.a().send(packet(seq));
            clock.advance(1_000);
            seqs.addAll(drain(pair.b()));
        }
        clock.advance(1_000_000);
        seqs.addAll(drain(pair.b()));
        assertEquals(N, seqs.size());
        int late = 0;
        int highest = -1;
        for (int seq : seqs) {
            if (seq < highest) {
                late++;
            }
            highest = Math.max(highest, seq);
        }
        long reordered = pair.aToB().reordered();
        assertRate(0.10, reordered, N);
        // a held-back packet arrives after later ones, except when all the few sent after it
        // were held back too
        assertTrue(late <= reordered && late >= reordered - 10, "late " + late + ", reordered " + reordered);
    }

    @Test
    void corruptionFlipsExactlyOneBitAndIsCounted() throws IOException {
        MemoryLink.Pair pair = MemoryLink.pair(clock, 10, FaultModel.NONE.withCorrupt(0.02), FaultModel.NONE);
        int damaged = 0;
        for (int seq = 0; seq < N; seq++) {
            byte[] sent = bytes(packet(seq));
            pair.a().send(packet(seq));
            assertEquals(1, pair.b().receive(batch));
            byte[] got = bytes(batch.get(0));
            assertEquals(sent.length, got.length);
            int bits = 0;
            for (int i = 0; i < sent.length; i++) {
                bits += Integer.bitCount((sent[i] ^ got[i]) & 0xff);
            }
            assertTrue(bits <= 1, "at most one bit flips");
            damaged += bits;
        }
        assertRate(0.02, pair.aToB().corrupted(), N);
        assertEquals(pair.aToB().corrupted(), damaged);
    }

    @Test
    void delayAndRateLimitAreHonouredOnAManualClock() throws IOException {
        // 1000-byte packets at 8 Mbit/s take 1 ms each on the wire, then 5 ms of propagation
        FaultModel slow = FaultModel.NONE.withDelay(5 * MS, 0).withRate(8_000_000);
        MemoryLink.Pair pair = MemoryLink.pair(clock, 11, slow, FaultModel.NONE);
        long t0 = clock.nanos();
        ByteBuffer big = ByteBuffer.allocate(1000);
        for (int i = 0; i < 3; i++) {
            big.putInt(0, i);
            assertTrue(pair.a().send(big));
        }
        assertEquals(t0 + 6 * MS, pair.b().nextDeliveryNanos());
        clock.set(t0 + 6 * MS - 1);
        assertEquals(0, pair.b().receive(batch), "not before its time");
        for (int i = 0; i < 3; i++) {
            clock.set(pair.b().nextDeliveryNanos());
            assertEquals(t0 + (6 + i) * MS, clock.nanos());
            assertEquals(1, pair.b().receive(batch));
            assertEquals(i, batch.get(0).getInt(0));
        }
        assertEquals(Long.MAX_VALUE, pair.b().nextDeliveryNanos());
        // an idle wire: the next packet goes at once
        clock.advance(100 * MS);
        pair.a().send(big);
        assertEquals(clock.nanos() + 6 * MS, pair.b().nextDeliveryNanos());
    }

    @Test
    void jitterStaysWithinBounds() throws IOException {
        MemoryLink.Pair pair = MemoryLink.pair(clock, 12, FaultModel.NONE.withDelay(MS, MS / 2), FaultModel.NONE);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int seq = 0; seq < 2000; seq++) {
            long sentAt = clock.nanos();
            pair.a().send(packet(seq));
            long delay = pair.b().nextDeliveryNanos() - sentAt;
            min = Math.min(min, delay);
            max = Math.max(max, delay);
            clock.set(pair.b().nextDeliveryNanos());
            assertEquals(1, pair.b().receive(batch));
        }
        assertTrue(min >= MS && max <= MS + MS / 2, min + ".." + max);
        assertTrue(max - min > MS / 4, "jitter spreads the delay: " + min + ".." + max);
    }

    @Test
    void nextDeliveryIsTheEarliestPacket() throws IOException {
        MemoryLink.Pair pair = MemoryLink.pair(clock, 13, FaultModel.NONE.withDelay(3 * MS, 0), FaultModel.NONE);
        assertEquals(Long.MAX_VALUE, pair.b().nextDeliveryNanos());
        long t0 = clock.nanos();
        pair.a().send(packet(0));
        clock.advance(MS);
        pair.a().send(packet(1));
        assertEquals(t0 + 3 * MS, pair.b().nextDeliveryNanos());
        assertEquals(Long.MAX_VALUE, pair.a().nextDeliveryNanos(), "the other direction is empty");
        clock.set(t0 + 3 * MS);
        assertEquals(1, pair.b().receive(batch));
        assertEquals(t0 + 4 * MS, pair.b().nextDeliveryNanos());
    }

    @Test
    void queueLimitTailDropsBehindARateLimit() throws IOException {
        // 1000 bytes at 8 Mbit/s: 1 ms each; three fit in the queue
        FaultModel bottleneck = FaultModel.NONE.withRate(8_000_000).withQueueLimit(3);
        MemoryLink.Pair pair = MemoryLink.pair(clock, 14, bottleneck, FaultModel.NONE);
        ByteBuffer big = ByteBuffer.allocateDirect(1000);
        for (int i = 0; i < 3; i++) {
            assertTrue(pair.a().send(big));
        }
        assertFalse(pair.a().send(big), "the fourth is tail-dropped");
        assertFalse(pair.a().send(big));
        assertEquals(2, pair.aToB().queueDropped());
        clock.advance(MS);
        assertTrue(pair.a().send(big), "one left the queue after 1 ms");
        assertFalse(pair.a().send(big));
        assertEquals(3, pair.aToB().queueDropped());
        assertEquals(7, pair.aToB().sent());
        clock.advance(10 * MS);
        assertEquals(4, drain(pair.b()).size());
    }

    @Test
    void queueLimitWithoutRateCapsPacketsNotYetReceived() throws IOException {
        MemoryLink.Pair pair = MemoryLink.pair(clock, 15, FaultModel.NONE.withQueueLimit(4), FaultModel.NONE);
        int accepted = 0;
        for (int seq = 0; seq < 6; seq++) {
            accepted += pair.a().send(packet(seq)) ? 1 : 0;
        }
        assertEquals(4, accepted);
        assertEquals(2, pair.aToB().queueDropped());
        assertEquals(List.of(0, 1, 2, 3), drain(pair.b()));
        assertTrue(pair.a().send(packet(6)), "room again once received");
    }

    @Test
    void sameSeedReplaysExactlyAndAnotherSeedDiffers() throws Exception {
        String first = simulate(42);
        assertEquals(first, simulate(42));
        assertNotEquals(first, simulate(43));
    }

    /** Both directions busy with every fault on; returns a digest of (time, bytes) of deliveries. */
    private static String simulate(long seed) throws Exception {
        ManualClock clock = new ManualClock(0);
        FaultModel faults = new FaultModel(0.05, 0.03, 0.05, 400_000, 0.02, 2 * MS, MS, 20_000_000, 5);
        MemoryLink.Pair pair = MemoryLink.pair(clock, seed, faults, faults.withLoss(0.1));
        PacketBatch batch = new PacketBatch(16, MemoryLink.DEFAULT_MTU);
        ByteBuffer packet = ByteBuffer.allocateDirect(MemoryLink.DEFAULT_MTU);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        ByteBuffer stamp = ByteBuffer.allocate(8);
        int sent = 0;
        while (sent < 3000 || pair.a().nextDeliveryNanos() != Long.MAX_VALUE
                || pair.b().nextDeliveryNanos() != Long.MAX_VALUE) {
            if (sent < 3000) {
                packet.clear().putInt(sent).put(new byte[sent % 700]).flip();
                (sent % 3 == 0 ? pair.b() : pair.a()).send(packet);
                sent++;
                clock.advance(50_000 + (sent % 7) * 10_000);
            } else {
                clock.set(Math.min(pair.a().nextDeliveryNanos(), pair.b().nextDeliveryNanos()));
            }
            for (MemoryLink end : List.of(pair.a(), pair.b())) {
                int n = end.receive(batch);
                for (int i = 0; i < n; i++) {
                    digest.update(stamp.putLong(0, clock.nanos()).array());
                    digest.update(batch.get(i));
                }
            }
        }
        assertTrue(pair.aToB().lost() > 0 && pair.aToB().duplicated() > 0 && pair.aToB().reordered() > 0
                && pair.aToB().corrupted() > 0 && pair.aToB().queueDropped() > 0, "every fault happened");
        return HexFormat.of().formatHex(digest.digest());
    }

    @Test
    void awaitOnTheSystemClockWaitsForADelayedPacket() throws IOException {
        MemoryLink.Pair pair = MemoryLink.pair(Clock.SYSTEM, 16, FaultModel.NONE.withDelay(50 * MS, 0),
                FaultModel.NONE);
        long start = System.nanoTime();
        pair.a().send(packet(1));
        pair.b().await(TimeUnit.SECONDS.toNanos(5));
        long waited = System.nanoTime() - start;
        assertEquals(1, pair.b().receive(batch));
        assertTrue(waited >= 50 * MS && waited < 2_000 * MS, "waited " + waited / MS + " ms");
    }

    @Test
    void awaitTimesOutAndWakesUp() throws Exception {
        MemoryLink.Pair pair = MemoryLink.pair(Clock.SYSTEM, 17, FaultModel.NONE, FaultModel.NONE);
        long start = System.nanoTime();
        pair.b().await(30 * MS);
        long waited = System.nanoTime() - start;
        assertTrue(waited >= 30 * MS && waited < 2_000 * MS, "timed out after " + waited / MS + " ms");

        Thread waker = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pair.b().wakeup();
        });
        start = System.nanoTime();
        pair.b().await(-1);
        waited = System.nanoTime() - start;
        waker.join();
        assertTrue(waited < 5_000 * MS, "wakeup ended the wait");

        pair.b().wakeup();
        start = System.nanoTime();
        pair.b().await(-1);
        assertTrue(System.nanoTime() - start < 1_000 * MS, "a wakeup before await is not lost");
    }

    @Test
    void closingTakesTheLinkDown() throws IOException {
        MemoryLink.Pair pair = MemoryLink.pair(clock, 18, FaultModel.NONE.withDelay(MS, 0), FaultModel.NONE);
        pair.a().send(packet(0));
        pair.b().close();
        assertThrows(ClosedChannelException.class, () -> pair.b().receive(batch));
        assertFalse(pair.a().send(packet(1)), "sending into a closed link fails");
        assertEquals(Long.MAX_VALUE, pair.b().nextDeliveryNanos(), "in-flight packets are gone");
    }

    @Test
    void rejectsPacketsAboveTheMtu() {
        MemoryLink.Pair pair = MemoryLink.pair(clock, 19, FaultModel.NONE, FaultModel.NONE, 576);
        assertEquals(576, pair.a().mtu());
        assertThrows(IllegalArgumentException.class, () -> pair.a().send(ByteBuffer.allocate(577)));
    }

    @Test
    void steadyStateAllocatesNothingPerPacket() throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        FaultModel faults = FaultModel.NONE.withLoss(0.01).withDuplicate(0.01).withCorrupt(0.01)
                .withReorder(0.01, 10_000).withDelay(20_000, 5_000).withRate(1_000_000_000).withQueueLimit(100);
        MemoryLink.Pair pair = MemoryLink.pair(clock, 20, faults, FaultModel.NONE);
        Runnable round = () -> {
            try {
                for (int i = 0; i < 20_000; i++) {
                    pair.a().send(packet(i));
                    clock.advance(2_000);
                    pair.b().receive(batch);
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        };
        round.run();
        long before = threads.getCurrentThreadAllocatedBytes();
        round.run();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 100_000, "allocated " + allocated + " bytes for 20000 packets");
    }
}
