package dev.tuncrypt.tun;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Writes IP packets to a classic libpcap file (magic 0xa1b2c3d4, big-endian, version 2.4, snaplen
 * 65535, {@code LINKTYPE_RAW} so IPv4 and IPv6 mix), readable by tcpdump, tshark and Wireshark.
 *
 * <p>Thread-safe (methods are synchronized), so several queues may share one writer. Writing
 * allocates nothing: each record is assembled in one reused array.
 */
public final class PcapWriter implements Closeable {
    public static final int MAGIC = 0xa1b2c3d4;
    public static final int SNAPLEN = 65535;
    /** Raw IP: the packet starts with its IPv4 or IPv6 header. */
    public static final int LINKTYPE_RAW = 101;

    private static final int RECORD_HEADER = 16;

    /**
     * Wall-clock microseconds: the wall clock read once, advanced by the monotonic clock, so
     * reading it allocates nothing and never goes backwards.
     */
    public static final LongSupplier SYSTEM_MICROS = new LongSupplier() {
        private final long baseMicros = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
        private final long baseNanos = System.nanoTime();

        @Override
        public long getAsLong() {
            return baseMicros + (System.nanoTime() - baseNanos) / 1000;
        }
    };

    private final OutputStream out;
    private final LongSupplier wallClockMicros;
    private final byte[] record = new byte[RECORD_HEADER + SNAPLEN];
    private final ByteBuffer recordView = ByteBuffer.wrap(record);
    private boolean closed;

    /** Writes the file header to {@code out}, stamping packets with {@link #SYSTEM_MICROS}. */
    public PcapWriter(OutputStream out) throws IOException {
        this(out, SYSTEM_MICROS);
    }

    /**
     * Writes the file header to {@code out}.
     *
     * @param wallClockMicros timestamp of each packet, in microseconds since the epoch
     */
    public PcapWriter(OutputStream out, LongSupplier wallClockMicros) throws IOException {
        this.out = new BufferedOutputStream(out, 1 << 16);
        this.wallClockMicros = wallClockMicros;
        recordView.putInt(0, MAGIC).putShort(4, (short) 2).putShort(6, (short) 4)
                .putInt(8, 0).putInt(12, 0).putInt(16, SNAPLEN).putInt(20, LINKTYPE_RAW);
        this.out.write(record, 0, 24);
    }

    /** Creates (or truncates) {@code file} and writes the file header. */
    public static PcapWriter create(Path file) throws IOException {
        return create(file, SYSTEM_MICROS);
    }

    /** Creates (or truncates) {@code file} and writes the file header. */
    public static PcapWriter create(Path file, LongSupplier wallClockMicros) throws IOException {
        OutputStream stream = Files.newOutputStream(file);
        try {
            return new PcapWriter(stream, wallClockMicros);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    /**
     * Records the packet between {@code packet}'s position and limit, cut to {@link #SNAPLEN}
     * bytes; the buffer's position is left unchanged.
     */
    public synchronized void write(ByteBuffer packet) throws IOException {
        if (closed) {
            throw new IOException("pcap writer is closed");
        }
        int length = packet.remaining();
        int captured = Math.min(length, SNAPLEN);
        long micros = wallClockMicros.getAsLong();
        recordView.putInt(0, (int) Math.floorDiv(micros, 1_000_000L))
                .putInt(4, (int) Math.floorMod(micros, 1_000_000L))
                .putInt(8, captured)
                .putInt(12, length);
        packet.get(packet.position(), record, RECORD_HEADER, captured);
        out.write(record, 0, RECORD_HEADER + captured);
    }

    public synchronized void flush() throws IOException {
        if (!closed) {
            out.flush();
        }
    }

    /** Flushes and closes the stream; idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }
}
