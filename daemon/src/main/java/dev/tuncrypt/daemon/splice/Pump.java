package dev.tuncrypt.daemon.splice;

import dev.tuncrypt.tcpstack.TcpSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * Copies one direction of a spliced connection: reads from one leg, writes to the other. The
 * buffer is the only storage, so a slow reader on the far side stops the reads here and the
 * near side's receive window closes: back-pressure end to end, nothing buffered without bound.
 * The buffer starts small (an idle connection holds little) and doubles while reads fill it, up
 * to {@link #MAX_BUFFER}, so bulk transfers cross the stack loop in large steps; a read that
 * fills less than an eighth of it brings it back to the starting size.
 * End of stream becomes a half-close on the far leg; a reset (or any failure) on either leg
 * becomes a reset on the other.
 */
final class Pump implements Runnable {
    /** How the copy ended. */
    enum Outcome {
        /** The source finished sending and the far leg was half-closed. */
        FINISHED,
        /** The source failed (reset, timeout, protection failure); the far leg was reset. */
        SOURCE_FAILED,
        /** Writing to the far leg failed; the source was reset. */
        SINK_FAILED,
        /** The splice was torn down from outside. */
        STOPPED
    }

    /** The most one direction of one connection holds. */
    static final int MAX_BUFFER = 256 * 1024;

    private final TcpSocket from;
    private final TcpSocket to;
    private final int bufferBytes;
    private final LongAdder total;
    private final SplicedConnection owner;
    private volatile long bytes;
    private volatile Outcome outcome;

    Pump(TcpSocket from, TcpSocket to, int bufferBytes, LongAdder total, SplicedConnection owner) {
        this.from = from;
        this.to = to;
        this.bufferBytes = bufferBytes;
        this.total = total;
        this.owner = owner;
    }

    @Override
    public void run() {
        ByteBuffer buf = ByteBuffer.allocate(bufferBytes);
        try {
            while (true) {
                buf.clear();
                int n;
                try {
                    n = from.read(buf);
                } catch (IOException e) {
                    outcome = owner.stopping() ? Outcome.STOPPED : Outcome.SOURCE_FAILED;
                    to.abort();
                    return;
                }
                if (n < 0) {
                    try {
                        to.shutdownOutput();
                        outcome = Outcome.FINISHED;
                    } catch (IOException e) {
                        outcome = Outcome.SINK_FAILED;
                        from.abort();
                    }
                    return;
                }
                buf.flip();
                try {
                    to.write(buf);
                } catch (IOException e) {
                    outcome = owner.stopping() ? Outcome.STOPPED : Outcome.SINK_FAILED;
                    from.abort();
                    return;
                }
                if (n == buf.capacity() && buf.capacity() < MAX_BUFFER) {
                    buf = ByteBuffer.allocate(buf.capacity() * 2);
                } else if (n < buf.capacity() / 8 && buf.capacity() > bufferBytes) {
                    buf = ByteBuffer.allocate(bufferBytes);
                }
                bytes += n;
                total.add(n);
                owner.touch();
            }
        } finally {
            owner.pumpEnded(this);
        }
    }

    /** Bytes copied so far. */
    long bytes() {
        return bytes;
    }

    /** How the copy ended, or null while it runs. */
    Outcome outcome() {
        return outcome;
    }
}
