package dev.tuncrypt.daemon.perf;

import java.util.List;

/** What a {@code tuncrypt perf} client measured. */
final class PerfResults {
    private PerfResults() {}

    /** One stream of a throughput test. */
    record Stream(int id, long bytesSent, long bytesReceived, long nanos) {}

    /** A throughput test: its direction ("send", "receive" or "bidir") and its streams. */
    record Throughput(String direction, List<Stream> streams) {
        long sent() {
            return streams.stream().mapToLong(Stream::bytesSent).sum();
        }

        long received() {
            return streams.stream().mapToLong(Stream::bytesReceived).sum();
        }

        /** The longest stream's time: the sum's bit rate is over the whole test. */
        long nanos() {
            return streams.stream().mapToLong(Stream::nanos).max().orElse(0);
        }
    }

    /** Request/response round trips of {@code size} bytes each way on one connection. */
    record Rtt(int size, long count, long minNanos, long medianNanos, long p99Nanos, long maxNanos, long nanos) {
        /** From the round-trip times (sorted in place); nearest-rank percentiles. */
        static Rtt of(int size, long[] samples, int count, long nanos) {
            java.util.Arrays.sort(samples, 0, count);
            if (count == 0) {
                return new Rtt(size, 0, 0, 0, 0, 0, nanos);
            }
            return new Rtt(size, count, samples[0], rank(samples, count, 0.50), rank(samples, count, 0.99),
                    samples[count - 1], nanos);
        }

        private static long rank(long[] sorted, int count, double p) {
            int idx = (int) Math.ceil(p * count) - 1;
            return sorted[Math.max(0, Math.min(count - 1, idx))];
        }
    }

    /**
     * Connections made (connect, one byte each way, close) and failed in {@code nanos}, with the
     * median, p99 and longest time one of them took.
     */
    record ConnectRate(long count, long failed, long nanos, long medianNanos, long p99Nanos, long maxNanos) {
        /** From each connection's time (sorted in place); nearest-rank percentiles. */
        static ConnectRate of(long[] samples, int count, long failed, long nanos) {
            Rtt r = Rtt.of(1, samples, count, nanos);
            return new ConnectRate(count, failed, nanos, r.medianNanos(), r.p99Nanos(), r.maxNanos());
        }

        double perSecond() {
            return nanos <= 0 ? 0 : count * 1e9 / nanos;
        }
    }
}
