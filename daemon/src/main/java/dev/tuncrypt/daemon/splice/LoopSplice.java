package dev.tuncrypt.daemon.splice;

import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.ConnectionListener;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import java.util.concurrent.atomic.LongAdder;

/**
 * The data path of one spliced connection, run by the loop that owns both legs: when a leg has
 * bytes, they move from its receive ring straight into the other leg's send ring
 * ({@link TcpConnection#transferTo}), as many as that ring can take. Nothing else holds them, so
 * the TCP windows are the back-pressure: a slow receiver on one side keeps the other side's
 * window closed, and the window opens as the bytes move. No thread, no copy buffer: an idle
 * connection holds no memory for its data, and the rings go back to the loop's pool when empty.
 *
 * <p>End of stream on one leg becomes a FIN on the other (half-close each way); the splice ends
 * when both directions have finished. A reset, timeout or protection failure on one leg resets
 * the other. Loop thread only, except {@link #bytesUp()} and {@link #bytesDown()}.
 */
final class LoopSplice {
    /** One direction: bytes from one leg into the other. */
    private static final class Flow {
        final TcpConnection from;
        final TcpConnection to;
        final LongAdder total;
        volatile long bytes;
        boolean finished;

        Flow(TcpConnection from, TcpConnection to, LongAdder total) {
            this.from = from;
            this.to = to;
            this.total = total;
        }
    }

    private final SplicedConnection owner;
    private final TcpSocket leg1;
    private final TcpSocket leg2;
    private final Flow up;
    private final Flow down;
    /** A move is queued on the loop; callbacks until it runs ask for nothing more. */
    private boolean scheduled;
    private boolean ended;

    /**
     * @param up bytes leg 1 → leg 2 are added here
     * @param down bytes leg 2 → leg 1 are added here
     */
    LoopSplice(SplicedConnection owner, TcpSocket leg1, TcpSocket leg2, LongAdder up, LongAdder down) {
        this.owner = owner;
        this.leg1 = leg1;
        this.leg2 = leg2;
        this.up = new Flow(leg1.connection(), leg2.connection(), up);
        this.down = new Flow(leg2.connection(), leg1.connection(), down);
    }

    /** On the legs' loop: takes over both legs' events and moves what is already there. */
    void start() {
        // A relay adds no Nagle delay of its own: the sending application's stack applied its
        // own already, and holding a short frame or segment here until everything in flight is
        // acknowledged meets the peer's delayed ACK of a lone full segment (RFC 5681 §4.2 lets it
        // wait up to 500 ms, 40 ms here): tcpcrypt-0.5 stalled for 40 ms several times a second.
        up.from.setNoDelay(true);
        up.to.setNoDelay(true);
        leg1.delegateEvents(events(leg1, leg2));
        leg2.delegateEvents(events(leg2, leg1));
        // A leg may have ended between its handshake and now: its events are past.
        for (TcpSocket leg : new TcpSocket[] {leg1, leg2}) {
            if (leg.connection().state() == dev.tuncrypt.tcpstack.tcp.TcpState.CLOSED && leg.error() != null) {
                failed(leg == leg1 ? leg2 : leg1);
                return;
            }
        }
        run();
    }

    private ConnectionListener events(TcpSocket self, TcpSocket other) {
        return new ConnectionListener() {
            @Override
            public void onReadable(TcpConnection c) {
                schedule();
            }

            @Override
            public void onWritable(TcpConnection c) {
                schedule();
            }

            @Override
            public void onPeerClosed(TcpConnection c) {
                schedule();
            }

            @Override
            public void onClosed(TcpConnection c, TcpError reason) {
                if (reason != null) {
                    failed(other); // reset, timeout or protection failure: the other leg is reset
                } else {
                    schedule(); // orderly: what it still holds moves on, then its end of stream
                }
            }
        };
    }

    /**
     * A leg called back (in the middle of processing a segment): the move runs once that work
     * is done, after the rest of the packet batch, so one move takes what the whole batch
     * brought and never acts on a connection from inside its own input processing.
     */
    private void schedule() {
        if (!scheduled && !ended) {
            scheduled = true;
            leg1.loop().defer(this::run);
        }
    }

    /** Moves bytes both ways until neither can move. */
    private void run() {
        scheduled = false;
        if (ended) {
            return;
        }
        move(up);
        move(down);
        if (!ended && up.finished && down.finished) {
            end(false);
        }
    }

    private void move(Flow f) {
        if (f.finished || ended) {
            return;
        }
        long moved = 0;
        int n;
        while ((n = f.from.transferTo(f.to)) > 0) {
            moved += n;
        }
        if (moved > 0) {
            f.bytes += moved;
            f.total.add(moved);
            owner.touch();
        }
        if (n < 0) {
            failed(f == up ? leg1 : leg2); // the far leg can no longer send: reset the source
            return;
        }
        if (f.from.endOfStream()) {
            f.finished = true;
            f.to.shutdownOutput(); // its FIN follows the bytes just moved
        }
    }

    /** One leg failed: reset {@code survivor} and end. */
    private void failed(TcpSocket survivor) {
        if (ended) {
            return;
        }
        ended = true; // first: the abort below calls back
        survivor.connection().abort();
        owner.spliceEnded(true);
    }

    private void end(boolean failure) {
        ended = true;
        owner.spliceEnded(failure);
    }

    /** Bytes moved leg 1 → leg 2 so far (any thread). */
    long bytesUp() {
        return up.bytes;
    }

    /** Bytes moved leg 2 → leg 1 so far (any thread). */
    long bytesDown() {
        return down.bytes;
    }
}
