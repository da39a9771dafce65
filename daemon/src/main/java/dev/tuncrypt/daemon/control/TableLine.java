package dev.tuncrypt.daemon.control;

import java.util.Map;

/**
 * One line of {@code /proc/net/tcp{,6}} scanned in place ({@code net/ipv4/tcp_ipv4.c
 * get_tcp4_sock}): "sl local rem st tx:rx tr:when retrnsmt uid ...", addresses as the kernel's
 * 32-bit words in host order (little-endian here), ports in hex. Lines that do not fit (the
 * header) are skipped.
 */
final class TableLine {
    private TableLine() {}

    /** Adds the socket of {@code text[from, to)} to {@code into}, if the line is one. */
    static void parse(byte[] text, int from, int to, Map<SocketOwners.Tuple, Integer> into) {
        int[] start = new int[8];
        int[] end = new int[8];
        int n = 0;
        int i = from;
        while (n < 8) {
            while (i < to && text[i] == ' ') {
                i++;
            }
            if (i >= to) {
                return;
            }
            start[n] = i;
            while (i < to && text[i] != ' ') {
                i++;
            }
            end[n++] = i;
        }
        if (text[end[0] - 1] != ':') {
            return; // the header
        }
        long[] local = address(text, start[1], end[1]);
        long[] remote = address(text, start[2], end[2]);
        long uid = decimal(text, start[7], end[7]);
        if (local == null || remote == null || uid < 0) {
            return;
        }
        into.putIfAbsent(new SocketOwners.Tuple(local[0], local[1], (int) local[2], remote[0], remote[1], (int) remote[2]),
                (int) uid);
    }

    /** {hi, lo, port} of "0100007F:1F90" or the 32-hex-digit IPv6 form; null if malformed. */
    private static long[] address(byte[] t, int from, int to) {
        int colon = to - 5;
        int digits = colon - from;
        if (colon < from || t[colon] != ':' || (digits != 8 && digits != 32)) {
            return null;
        }
        long port = hex(t, colon + 1, to);
        if (port < 0) {
            return null;
        }
        byte[] b = new byte[16];
        int words = digits / 8;
        for (int w = 0; w < words; w++) {
            long word = hex(t, from + w * 8, from + w * 8 + 8);
            if (word < 0) {
                return null;
            }
            int base = digits == 8 ? 12 : w * 4;
            for (int k = 0; k < 4; k++) { // host order of a little-endian machine
                b[base + k] = (byte) (word >>> (8 * k));
            }
        }
        if (digits == 8) {
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
        }
        java.nio.ByteBuffer w = java.nio.ByteBuffer.wrap(b);
        return new long[] {w.getLong(), w.getLong(), port};
    }

    private static long hex(byte[] t, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(t[i], 16);
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    private static long decimal(byte[] t, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            if (t[i] < '0' || t[i] > '9' || v > Integer.MAX_VALUE) {
                return -1;
            }
            v = v * 10 + (t[i] - '0');
        }
        return from < to ? v : -1;
    }
}
