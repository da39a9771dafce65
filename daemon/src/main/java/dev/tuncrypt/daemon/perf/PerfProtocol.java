package dev.tuncrypt.daemon.perf;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What a {@code tuncrypt perf} client sends first on each connection: one byte naming the test,
 * then its parameters (big-endian).
 *
 * <ul>
 *   <li>{@code S} client sends: the server reads to EOF, then answers with the 8-byte count it read.
 *   <li>{@code R} server sends: int milliseconds, int write size; the server writes that long, then FIN.
 *   <li>{@code B} both send: as {@code R}, and the server also reads to EOF.
 *   <li>{@code E} echo: int message size; the server returns each message until EOF (round trips).
 *   <li>{@code C} connect: that byte is the request; the server answers one byte and closes.
 * </ul>
 */
final class PerfProtocol {
    private PerfProtocol() {}

    static final int DEFAULT_PORT = 5201;
    static final byte SEND = 'S';
    static final byte RECEIVE = 'R';
    static final byte BIDIR = 'B';
    static final byte ECHO = 'E';
    static final byte CONNECT = 'C';
    static final int MAX_SIZE = 1 << 20;

    /** Reads {@code in} until EOF, returning the byte count. */
    static long drain(InputStream in, byte[] buf) throws IOException {
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            total += n;
        }
        return total;
    }

    /** Writes {@code buf} repeatedly until {@code deadlineNanos}, returning the byte count. */
    static long fill(OutputStream out, byte[] buf, long deadlineNanos) throws IOException {
        long total = 0;
        while (System.nanoTime() - deadlineNanos < 0) {
            out.write(buf);
            total += buf.length;
        }
        out.flush();
        return total;
    }

    /** Reads exactly {@code buf.length} bytes; false on EOF before the first. */
    static boolean readFully(InputStream in, byte[] buf) throws IOException {
        int off = 0;
        while (off < buf.length) {
            int n = in.read(buf, off, buf.length - off);
            if (n < 0) {
                if (off == 0) {
                    return false;
                }
                throw new EOFException("stream ended inside a message");
            }
            off += n;
        }
        return true;
    }

    static int readSize(DataInputStream in) throws IOException {
        int size = in.readInt();
        if (size < 1 || size > MAX_SIZE) {
            throw new IOException("bad size " + size + " in the request");
        }
        return size;
    }
}
