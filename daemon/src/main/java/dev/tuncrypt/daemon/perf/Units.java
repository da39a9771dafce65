package dev.tuncrypt.daemon.perf;

import java.util.Locale;

/** iperf3's units: bytes in binary multiples, rates in decimal bits per second. */
final class Units {
    private Units() {}

    static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GBytes", n / (double) (1L << 30));
        }
        if (n >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MBytes", n / (double) (1L << 20));
        }
        if (n >= 1L << 10) {
            return String.format(Locale.ROOT, "%.1f KBytes", n / (double) (1L << 10));
        }
        return n + " Bytes";
    }

    static double bitsPerSecond(long bytes, long nanos) {
        return nanos <= 0 ? 0 : bytes * 8e9 / nanos;
    }

    static String bitrate(long bytes, long nanos) {
        double bps = bitsPerSecond(bytes, nanos);
        if (bps >= 1e9) {
            return String.format(Locale.ROOT, "%.2f Gbits/sec", bps / 1e9);
        }
        if (bps >= 1e6) {
            return String.format(Locale.ROOT, "%.1f Mbits/sec", bps / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f Kbits/sec", bps / 1e3);
    }
}
