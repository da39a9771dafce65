package dev.tuncrypt.daemon.splice;

import dev.tuncrypt.tcpstack.TcpSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * Copies one direction of a spliced connection: reads from one leg, writes to the other. The
 * buffer is the only storage, so a slow reader on the far side stops the reads here and the
 * near side's receive window closes: back-pressure end to end, nothing buffered without bound.
 * An idle pump holds no buffer: it waits until its source has something to read, then takes one
 * from the splicer's {@link BufferPool}. The buffer doubles while reads fill it, up to
 * {@link #MAX_BUFFER}, so bulk transfers cross the stack loop in large steps; a read that fills
 * less than an eighth of it gives it back.
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
    private final BufferPool pool;
    private final LongAdder total;
    private final SplicedConnection owner;
    private volatile long bytes;
    private volatile Outcome outcome;

    Pump(TcpSocket from, TcpSocket to, BufferPool pool, LongAdder total, SplicedConnection owner) {
        this.from = from;
        this.to = to;
        this.pool = pool;
        this.total = total;
        this.owner = owner;
    }

    @Override
    public void run() {
        ByteBuffer buf = null;
        try {
            while (true) {
                if (buf == null) {
                    try {
                        from.awaitReadable(); // idle: no buffer held while nothing arrives
                    } catch (IOException e) {
                        outcome = owner.stopping() ? Outcome.STOPPED : Outcome.SOURCE_FAILED;
                        to.abort();
                        return;
                    }
                    buf = pool.take();
                }
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
                bytes += n;
                total.add(n);
                owner.touch();
                if (n == buf.capacity() && buf.capacity() < MAX_BUFFER) {
                    pool.give(buf); // a bulk transfer: grow
                    buf = ByteBuffer.allocate(buf.capacity() * 2);
                } else if (n < buf.capacity() / 8) {
                    pool.give(buf); // traffic thinned out: hold nothing until the next bytes
                    buf = null;
                }
            }
        } finally {
            if (buf != null) {
                pool.give(buf);
            }
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
