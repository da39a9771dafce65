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
 * 65535 or less, {@code LINKTYPE_RAW} so IPv4 and IPv6 mix), readable by tcpdump, tshark and
 * Wireshark. A capture of the stack holds the plaintext of every spliced connection (leg 1 is
 * never encrypted): {@link #create} makes the file readable by its owner only, and a small
 * snaplen records headers without payload.
 *
 * <p>Thread-safe (methods are synchronized), so several queues may share one writer. Writing
 * allocates nothing: each record is assembled in one reused array.
 */
public final class PcapWriter implements Closeable {
    public static final int MAGIC = 0xa1b2c3d4;
    public static final int SNAPLEN = 65535;
    /** Owner read/write only: the capture may hold plaintext. */
    public static final java.util.Set<java.nio.file.attribute.PosixFilePermission> FILE_PERMISSIONS =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
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
    private final int snaplen;
    private final byte[] record;
    private final ByteBuffer recordView;
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
        this(out, wallClockMicros, SNAPLEN);
    }

    /**
     * Writes the file header to {@code out}.
     *
     * @param wallClockMicros timestamp of each packet, in microseconds since the epoch
     * @param snaplen bytes kept of each packet, 1-65535 (the rest is counted in the record's
     *     original length only); 128 keeps the IP and TCP headers with all their options
     */
    public PcapWriter(OutputStream out, LongSupplier wallClockMicros, int snaplen) throws IOException {
        if (snaplen < 1 || snaplen > SNAPLEN) {
            throw new IllegalArgumentException("snaplen " + snaplen + " outside 1-" + SNAPLEN);
        }
        this.out = new BufferedOutputStream(out, 1 << 16);
        this.wallClockMicros = wallClockMicros;
        this.snaplen = snaplen;
        this.record = new byte[RECORD_HEADER + Math.max(snaplen, 24)];
        this.recordView = ByteBuffer.wrap(record);
        recordView.putInt(0, MAGIC).putShort(4, (short) 2).putShort(6, (short) 4)
                .putInt(8, 0).putInt(12, 0).putInt(16, snaplen).putInt(20, LINKTYPE_RAW);
        this.out.write(record, 0, 24);
    }

    /** Creates (or truncates) {@code file} and writes the file header. */
    public static PcapWriter create(Path file) throws IOException {
        return create(file, SYSTEM_MICROS);
    }

    /** Creates (or truncates) {@code file} and writes the file header. */
    public static PcapWriter create(Path file, LongSupplier wallClockMicros) throws IOException {
        return create(file, wallClockMicros, SNAPLEN);
    }

    /**
     * Creates (or truncates) {@code file}, readable and writable by its owner only
     * ({@link #FILE_PERMISSIONS}, also when it existed with wider permissions; a symbolic link
     * is not followed), and writes the file header.
     */
    public static PcapWriter create(Path file, LongSupplier wallClockMicros, int snaplen) throws IOException {
        OutputStream stream = java.nio.channels.Channels.newOutputStream(Files.newByteChannel(file,
                java.util.Set.of(java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.LinkOption.NOFOLLOW_LINKS),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS)));
        try {
            Files.setPosixFilePermissions(file, FILE_PERMISSIONS); // an existing file keeps its mode otherwise
            return new PcapWriter(stream, wallClockMicros, snaplen);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    /**
     * Records the packet between {@code packet}'s position and limit, cut to the snaplen; the
     * buffer's position is left unchanged.
     */
    public synchronized void write(ByteBuffer packet) throws IOException {
        if (closed) {
            throw new IOException("pcap writer is closed");
        }
        int length = packet.remaining();
        int captured = Math.min(length, snaplen);
        long micros = wallClockMicros.getAsLong();
        recordView.putInt(0, (int) Math.floorDiv(micros, 1_000_000L))
                .putInt(4, (int) Math.floorMod(micros, 1_000_000L))
                .putInt(8, captured)
                .putInt(12, length);
        packet.get(packet.position(), record, RECORD_HEADER, captured);
        out.write(record, 0, RECORD_HEADER + captured);
    }

    /** The bytes kept of each packet. */
    public int snaplen() {
        return snaplen;
    }

    /** Hands what is buffered to the file (the tap calls it after every batch). */
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
