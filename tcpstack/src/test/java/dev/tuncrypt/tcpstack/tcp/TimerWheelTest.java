package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
    private static final long MS = 1_000_000L;
    private static final int MS_INT = 1_000_000;

    /**
     * Random schedules, cancels and time steps (some longer than a revolution) against a model:
     * an id never fires before its deadline and always fires at the first poll at or after the
     * end of its deadline's tick.
     */
    @Property(tries = 300)
    void firesNeverEarlyAndAtMostOneTickLate(@ForAll long seed) {
        Random random = new Random(seed);
        long start = random.nextLong() >> 8; // negative times too, like System.nanoTime()
        int capacity = 40;
        TimerWheel wheel = new TimerWheel(capacity, MS, 64, start);
        long[] deadline = new long[capacity];
        Arrays.fill(deadline, Long.MAX_VALUE);
        long now = start;
        for (int step = 0; step < 300; step++) {
            int id = random.nextInt(capacity);
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    long d = now + random.nextInt(300) * MS / 2 + random.nextInt(1000) - 20 * MS;
                    wheel.schedule(id, d);
                    deadline[id] = d;
                }
                case 2 -> {
                    wheel.cancel(id);
                    deadline[id] = Long.MAX_VALUE;
                }
                default -> {
                    long mustFireBy = Long.MAX_VALUE;
                    for (long d : deadline) {
                        if (d != Long.MAX_VALUE) {
                            mustFireBy = Math.min(mustFireBy, Math.ceilDiv(d, MS) * MS);
                        }
                    }
                    assertTrue(wheel.nextExpiryNanos() <= mustFireBy, "nextExpiryNanos is an early bound");
                    now += random.nextInt(10) == 0 ? random.nextInt(2000) * MS : random.nextInt(20 * MS_INT);
                    Set<Integer> fired = new HashSet<>();
                    for (int got; (got = wheel.poll(now)) >= 0; ) {
                        assertTrue(fired.add(got), "fired twice");
                    }
                    for (int i = 0; i < capacity; i++) {
                        long d = deadline[i];
                        boolean must = d != Long.MAX_VALUE && Math.ceilDiv(d, MS) * MS <= now;
                        boolean may = d != Long.MAX_VALUE && d <= now;
                        if (must) {
                            assertTrue(fired.contains(i), "id " + i + " due at " + d + " not fired at " + now);
                        }
                        if (fired.contains(i)) {
                            assertTrue(may, "id " + i + " fired early");
                            deadline[i] = Long.MAX_VALUE;
                        }
                    }
                }
            }
            int scheduled = 0;
            for (int i = 0; i < capacity; i++) {
                assertEquals(deadline[i] != Long.MAX_VALUE, wheel.isScheduled(i));
                assertEquals(deadline[i], wheel.deadline(i));
                scheduled += deadline[i] != Long.MAX_VALUE ? 1 : 0;
            }
            assertEquals(scheduled, wheel.size());
        }
    }


    @Test
    void emptyWheelHasNoExpiry() {
        TimerWheel wheel = new TimerWheel(4, MS, 8, 0);
        assertEquals(Long.MAX_VALUE, wheel.nextExpiryNanos());
        assertEquals(-1, wheel.poll(5 * MS));
        wheel.schedule(3, 10 * MS);
        assertEquals(10 * MS, wheel.nextExpiryNanos());
        assertEquals(-1, wheel.poll(10 * MS - 1));
        assertEquals(3, wheel.poll(10 * MS));
        assertEquals(1, wheel.expirations());
        assertEquals(0, wheel.size());
    }

    @Test
    void tcpTimersKeepOneLazyWheelEntry() {
        TimerWheel wheel = new TimerWheel(1, MS, 64, 0);
        TcpTimers timers = new TcpTimers(wheel, 0);
        timers.arm(TcpTimer.RETRANSMIT, 100 * MS);
        timers.arm(TcpTimer.DELAYED_ACK, 40 * MS);
        assertEquals(40 * MS, wheel.deadline(0));
        assertEquals(40 * MS, timers.earliest());

        assertEquals(0, wheel.poll(40 * MS));
        assertEquals(TcpTimer.DELAYED_ACK, timers.pollExpired(40 * MS));
        assertFalse(timers.isArmed(TcpTimer.DELAYED_ACK));
        assertNull(timers.pollExpired(40 * MS));
        assertEquals(100 * MS, wheel.deadline(0), "re-armed at the next deadline");

        timers.arm(TcpTimer.RETRANSMIT, 200 * MS); // an ACK restarted the timer: the wheel is untouched
        assertEquals(100 * MS, wheel.deadline(0));
        assertEquals(0, wheel.poll(100 * MS));
        assertNull(timers.pollExpired(100 * MS), "early wake, nothing due");
        assertEquals(200 * MS, wheel.deadline(0));

        timers.arm(TcpTimer.KEEPALIVE, 150 * MS);
        timers.cancel(TcpTimer.RETRANSMIT);
        assertEquals(150 * MS, wheel.deadline(0));
        assertEquals(0, wheel.poll(150 * MS));
        assertEquals(TcpTimer.KEEPALIVE, timers.pollExpired(150 * MS));
        assertNull(timers.pollExpired(150 * MS));
        assertFalse(wheel.isScheduled(0), "nothing armed: out of the wheel");

        timers.arm(TcpTimer.TIME_WAIT, 300 * MS);
        timers.cancelAll();
        assertEquals(Long.MAX_VALUE, timers.earliest());
        assertFalse(wheel.isScheduled(0));
    }

    @Test
    void expiredTimersComeOutEarliestFirst() {
        TimerWheel wheel = new TimerWheel(1, MS, 64, 0);
        TcpTimers timers = new TcpTimers(wheel, 0);
        timers.arm(TcpTimer.USER_TIMEOUT, 30 * MS);
        timers.arm(TcpTimer.PERSIST, 10 * MS);
        timers.arm(TcpTimer.RETRANSMIT, 20 * MS);
        assertEquals(0, wheel.poll(50 * MS));
        assertEquals(TcpTimer.PERSIST, timers.pollExpired(50 * MS));
        assertEquals(TcpTimer.RETRANSMIT, timers.pollExpired(50 * MS));
        assertEquals(TcpTimer.USER_TIMEOUT, timers.pollExpired(50 * MS));
        assertNull(timers.pollExpired(50 * MS));
    }

    /** 10,000 connections, each restarting its RTO on every ACK and holding a 2 h keepalive. */
    @Test
    void tenThousandConnections() {
        int n = 10_000;
        TimerWheel wheel = new TimerWheel(n, MS, 4096, 0);
        TcpTimers[] timers = new TcpTimers[n];
        Random random = new Random(3);
        long[] rto = new long[n];
        for (int id = 0; id < n; id++) {
            timers[id] = new TcpTimers(wheel, id);
            timers[id].arm(TcpTimer.KEEPALIVE, 7_200_000 * MS);
            rto[id] = 200 * MS + random.nextInt(1000) * MS;
            timers[id].arm(TcpTimer.RETRANSMIT, rto[id]);
        }
        int retransmits = 0;
        for (long now = 0; now <= 3000 * MS; now += MS) {
            if (now % (50 * MS) == 0 && now < 500 * MS) {
                for (int id = 0; id < n; id += 2) { // even connections get ACKs: RTO restarted
                    rto[id] = now + 300 * MS;
                    timers[id].arm(TcpTimer.RETRANSMIT, rto[id]);
                }
            }
            for (int id; (id = wheel.poll(now)) >= 0; ) {
                for (TcpTimer t; (t = timers[id].pollExpired(now)) != null; ) {
                    assertEquals(TcpTimer.RETRANSMIT, t);
                    assertTrue(now >= rto[id] && now < rto[id] + MS, "on time");
                    retransmits++;
                }
            }
        }
        assertEquals(n, retransmits);
        assertEquals(n, wheel.size(), "keepalives still scheduled");
    }
}
