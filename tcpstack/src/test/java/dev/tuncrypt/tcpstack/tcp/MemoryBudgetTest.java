package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tuncrypt.tcpstack.MemoryBudget;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Rings sized by need within a {@link MemoryBudget}: growth keeps the bytes, drained rings go back, the budget holds. */
class MemoryBudgetTest {

    @Test
    void aTrickleHoldsTheSmallestRingNotTheMaximum() {
        MemoryBudget budget = MemoryBudget.of(64L << 20);
        RingPool pool = new RingPool(budget, 0);
        SendBuffer send = new SendBuffer(1 << 20, pool);
        send.reset(1);
        assertEquals(1, send.offer(ByteBuffer.wrap(new byte[] {42})));
        assertEquals(RingPool.MIN_RING, send.ringBytes());
        assertEquals(RingPool.MIN_RING, budget.used());
        send.release(2);
        send.releaseRingIfEmpty();
        assertEquals(0, budget.used(), "a drained ring is freed at once when the pool keeps none");
    }

    @Test
    void ringsGrowInStepsAndKeepTheirBytesAcrossTheWrap() {
        MemoryBudget budget = MemoryBudget.of(64L << 20);
        RingPool pool = new RingPool(budget, 0);
        ReceiveBuffer rb = new ReceiveBuffer(256 << 10, pool);
        byte[] data = new byte[200_000];
        new Random(7).nextBytes(data);
        // wrap the small ring first: write 3000, read 2500, then write much more
        assertEquals(3000, rb.write(ByteBuffer.wrap(data, 0, 3000)));
        byte[] out = new byte[data.length];
        assertEquals(2500, rb.read(out, 0, 2500));
        assertEquals(4000, rb.write(ByteBuffer.wrap(data, 3000, 4000)));
        assertEquals(8192, rb.ringBytes());
        assertEquals(193_000, rb.write(ByteBuffer.wrap(data, 7000, 193_000)));
        assertEquals(256 << 10, rb.ringBytes());
        assertEquals(256 << 10, budget.used(), "the smaller rings were freed as it grew");
        int got = 2500;
        while (rb.readable() > 0) {
            got += rb.read(out, got, Math.min(7000, out.length - got));
        }
        assertEquals(data.length, got);
        assertTrue(java.util.Arrays.equals(data, out));
        rb.releaseRingIfEmpty();
        assertEquals(0, budget.used(), "the drained ring is freed");
    }

    @Test
    void windowsShrinkAsTheBudgetFillsAndNewConnectionsAreRefused() {
        MemoryBudget budget = MemoryBudget.of(8L << 20);
        assertEquals(1 << 20, budget.window(1 << 20));
        assertTrue(budget.admitsConnection());
        assertTrue(budget.tryReserve(6L << 20)); // 75 %
        int shrunk = budget.window(1 << 20);
        assertTrue(shrunk < 1 << 20 && shrunk >= MemoryBudget.MIN_WINDOW, "window " + shrunk);
        assertTrue(budget.admitsConnection());
        assertTrue(budget.tryReserve(1L << 20)); // 87.5 %
        assertEquals(MemoryBudget.MIN_WINDOW, budget.window(1 << 20));
        assertFalse(budget.admitsConnection());
        assertEquals(1, budget.refusedConnections());
        budget.release(7L << 20);
        assertTrue(budget.admitsConnection());
    }

    @Test
    void applicationWritesStopAtTheBudgetWhileSealedFramesGoThrough() {
        MemoryBudget budget = MemoryBudget.of(64 << 10);
        RingPool pool = new RingPool(budget, 0);
        SendBuffer a = new SendBuffer(1 << 20, pool);
        a.reset(0);
        assertEquals(MemoryBudget.MIN_WINDOW, a.free(), "a buffer offers at most a quarter of the budget");
        assertEquals(16 << 10, a.offer(ByteBuffer.allocate(16 << 10)));
        SendBuffer b = new SendBuffer(1 << 20, pool);
        b.reset(0);
        assertTrue(budget.tryReserve(40 << 10));
        assertEquals(0, b.offer(ByteBuffer.allocate(10_000)), "no room: the application waits");
        assertEquals(10_000, b.append(ByteBuffer.allocate(10_000)), "a frame is never cut");
        assertTrue(budget.overshootAllocations() > 0);
        budget.release(40 << 10);
        a.discard();
        b.discard();
        assertEquals(0, budget.used());
    }

    @Property(tries = 200)
    void growingSendBufferBehavesLikeAQueue(@ForAll long seed) {
        Random random = new Random(seed);
        int capacity = 5000 + random.nextInt(70_000);
        MemoryBudget budget = MemoryBudget.of(1L << 30);
        RingPool pool = new RingPool(budget, random.nextInt(3) * 65536L);
        SendBuffer send = new SendBuffer(capacity, pool);
        int una = random.nextInt();
        send.reset(una);
        ArrayDeque<Byte> model = new ArrayDeque<>();
        byte next = 0;
        for (int step = 0; step < 200; step++) {
            switch (random.nextInt(3)) {
                case 0 -> {
                    int length = random.nextInt(20_000);
                    ByteBuffer src = ByteBuffer.allocate(length);
                    for (int i = 0; i < length; i++) {
                        src.put(i, (byte) (next + i));
                    }
                    int appended = send.offer(src);
                    assertEquals(Math.min(length, capacity - model.size()), appended);
                    for (int i = 0; i < appended; i++) {
                        model.add((byte) (next + i));
                    }
                    next += (byte) appended;
                }
                case 1 -> {
                    int n = random.nextInt(model.size() + 1);
                    send.release(send.sndUna() + n);
                    for (int i = 0; i < n; i++) {
                        model.poll();
                    }
                    send.releaseRingIfEmpty();
                }
                default -> {
                    ByteBuffer dst = ByteBuffer.allocate(model.size());
                    send.copyOut(send.sndUna(), model.size(), dst);
                    int i = 0;
                    for (byte b : model) {
                        assertEquals(b, dst.get(i++));
                    }
                }
            }
        }
        send.discard();
        pool.trim(0);
        assertEquals(0, budget.used());
    }
}
