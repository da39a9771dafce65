package dev.tuncrypt.bench;

import java.util.concurrent.atomic.AtomicLong;

/** One measured window of a bulk transfer: bytes the receiver got, and what the loops did meanwhile. */
record Transfer(long bytes, long nanos, Bench.LoopSample loops, Bench.CpuTimes cpu) {
    static final int CHUNK = 256 * 1024;

    double gbit() {
        return Bench.gbit(bytes, nanos);
    }

    /**
     * Lets the transfer warm up, then counts the bytes {@code received} during {@code measureMillis}.
     *
     * @param probe the stack loops to sample, or null
     */
    static Transfer measure(AtomicLong received, long warmupMillis, long measureMillis, Bench.LoopProbe probe) {
        Bench.sleep(warmupMillis);
        Bench.LoopSample l0 = probe != null ? probe.sample() : null;
        Bench.CpuTimes c0 = Bench.CpuTimes.read();
        long b0 = received.get();
        long t0 = System.nanoTime();
        Bench.sleep(measureMillis);
        long b1 = received.get();
        long t1 = System.nanoTime();
        Bench.CpuTimes c1 = Bench.CpuTimes.read();
        Bench.LoopSample l1 = probe != null ? probe.sample() : null;
        if (b1 == b0) {
            throw new IllegalStateException("no data moved during the measurement");
        }
        return new Transfer(b1 - b0, t1 - t0, probe != null ? l1.minus(l0) : null, c1.minus(c0));
    }
}
