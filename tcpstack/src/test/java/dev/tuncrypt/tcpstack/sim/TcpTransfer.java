package dev.tuncrypt.tcpstack.sim;

import static dev.tuncrypt.tcpstack.sim.Simulation.SECOND;

import dev.tuncrypt.tcpstack.DropReason;
import dev.tuncrypt.tcpstack.StackCounters;
import dev.tuncrypt.tcpstack.tcp.ConnectionListener;
import dev.tuncrypt.tcpstack.tcp.ListenEndpoint;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.tcp.TcpStats;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A bulk transfer over one TCP connection between a {@link Simulation}'s stacks: A connects to a
 * listener on B, then each end pumps its own deterministic pseudo-random byte stream to the other
 * through {@link TcpConnection#send}/{@link TcpConnection#receive} at the same time, from the
 * {@link ConnectionListener} callbacks as a loop-level application would. Each end half-closes
 * ({@link TcpConnection#shutdownOutput}) once its stream is handed over, reads the peer's stream to
 * end of stream, and the connection closes in order.
 *
 * <p>The receiver checks every byte against the stream it expects as it arrives (the first
 * mismatch is kept as evidence) and both ends hash what they sent and received with SHA-256.
 * Nothing here throws from inside a callback (the stack would count and log it as an internal
 * error): problems are recorded and {@link #verify()} reports them all, with
 * {@link #describe()}'s per-end state, next to the simulation's seed.
 *
 * <pre>{@code
 * TcpTransfer t = TcpTransfer.start(sim, TcpTransfer.Plan.of(4 << 20, 4 << 20, config));
 * t.runToCompletion(60 * Simulation.SECOND);   // data both ways, FINs, TIME-WAIT, quiescence
 * t.verify();
 * }</pre>
 *
 * <p>The test thread is the loop thread of both stacks (a simulation never starts them), so the
 * transfer is set up and may be steered (pause/resume reading) directly between steps.
 */
final class TcpTransfer {
    static final int PORT = 5001;
    /** Generation granularity of the streams; sender and receiver must use the same. */
    private static final int CHUNK = 64 * 1024;

    /**
     * What to transfer.
     *
     * @param bytesAToB length of A's stream to B
     * @param bytesBToA length of B's stream to A
     * @param v6 connect over IPv6 instead of IPv4
     * @param configA A's (the client's) connection settings
     * @param configB B's (the listener's) connection settings
     */
    record Plan(long bytesAToB, long bytesBToA, boolean v6, TcpConfig configA, TcpConfig configB) {
        static Plan of(long bytesAToB, long bytesBToA, TcpConfig config) {
            return new Plan(bytesAToB, bytesBToA, false, config, config);
        }

        Plan overV6() {
            return new Plan(bytesAToB, bytesBToA, true, configA, configB);
        }
    }

    private final Simulation sim;
    private final Plan plan;
    private final End a;
    private final End b;
    private final long startedAt;
    private long completedAt = -1;
    private long closedAt = -1;
    private long quiescentAt = -1;

    private TcpTransfer(Simulation sim, Plan plan) {
        this.sim = sim;
        this.plan = plan;
        SplittableRandom streams = new SplittableRandom(sim.seed() ^ 0x7cb1_5e3d_a2f4_9b01L);
        long streamAToB = streams.nextLong();
        long streamBToA = streams.nextLong();
        this.a = new End("A", streamAToB, plan.bytesAToB(), streamBToA, plan.bytesBToA());
        this.b = new End("B", streamBToA, plan.bytesBToA(), streamAToB, plan.bytesAToB());
        this.startedAt = sim.now();
    }

    /** Makes B listen on {@link #PORT} and A connect to it; nothing runs until the simulation steps. */
    static TcpTransfer start(Simulation sim, Plan plan) {
        TcpTransfer t = new TcpTransfer(sim, plan);
        TcpLayer layerB = sim.b().tcp(0);
        layerB.addListener(new ListenEndpoint(PORT, false, plan.configB(), AcceptAll.calling(connection -> {
            if (t.b.connection != null) {
                t.b.problem("a second connection was accepted: " + connection);
                return;
            }
            t.b.connection = connection;
            connection.setListener(t.b);
        })));
        InetSocketAddress remote = new InetSocketAddress(plan.v6() ? Simulation.B_V6 : Simulation.B_V4, PORT);
        t.a.connection = sim.a().tcp(0).connect(null, remote, plan.configA(), t.a);
        return t;
    }

    End a() {
        return a;
    }

    End b() {
        return b;
    }

    Plan plan() {
        return plan;
    }

    /** Both streams read to their end at both ends, and both ends told the connection closed. */
    boolean finished() {
        return a.eof && b.eof && a.closed && b.closed;
    }

    /**
     * Runs until {@link #finished()}, then until both connections are CLOSED (after TIME-WAIT) and
     * the simulation is quiescent.
     *
     * @param maxVirtualNanos bound on the virtual time of the transfer and close; TIME-WAIT and
     *     the quiescence after it have their own bound on top (2×MSL plus {@code 120 s})
     */
    void runToCompletion(long maxVirtualNanos) {
        withState(() -> {
            completedAt = sim.runUntil(this::finished, maxVirtualNanos, "transfer and close");
            long timeWait = Math.max(plan.configA().timeWaitNanos(), plan.configB().timeWaitNanos());
            long bound = timeWait + 120 * SECOND;
            closedAt = sim.runUntil(() -> a.connection.state() == TcpState.CLOSED
                    && b.connection.state() == TcpState.CLOSED, bound, "both connections CLOSED after TIME-WAIT");
            quiescentAt = sim.runUntilQuiescent(bound);
        });
    }

    /** Runs {@code body}, adding the transfer's state to a simulation failure. */
    void withState(Runnable body) {
        try {
            body.run();
        } catch (AssertionError e) {
            String message = e.getMessage() + "\n" + describe();
            AssertionError failure = message.contains("seed=") ? new AssertionError(message) : sim.failure(message);
            failure.initCause(e);
            throw failure;
        }
    }

    /**
     * Everything that must hold after {@link #runToCompletion}: every byte delivered exactly once
     * and in order both ways (counts, first mismatch, SHA-256), an orderly close at both ends,
     * TIME-WAIT at least 2×MSL, no connection left, no internal error in either stack.
     *
     * @throws AssertionError listing every violation, with the seed and state
     */
    void verify() {
        List<String> problems = new ArrayList<>();
        if (quiescentAt < 0) {
            problems.add("runToCompletion did not complete");
        }
        for (End e : List.of(a, b)) {
            End peer = e == a ? b : a;
            String dir = peer.name + "->" + e.name;
            problems.addAll(e.problems);
            if (e.received != e.expectedTotal) {
                problems.add(dir + ": received " + e.received + " of " + e.expectedTotal + " bytes");
            }
            if (e.mismatchAt >= 0) {
                problems.add(dir + ": first wrong byte at stream offset " + e.mismatchAt);
            }
            if (!e.eof) {
                problems.add(dir + ": end of stream never read");
            }
            if (peer.handed != peer.sendTotal || !peer.finQueued) {
                problems.add(dir + ": the sender handed " + peer.handed + " of " + peer.sendTotal
                        + " bytes to TCP (FIN queued: " + peer.finQueued + ")");
            }
            if (e.eof && peer.finQueued && !Arrays.equals(e.receivedDigest(), peer.sentDigest())) {
                problems.add(dir + ": SHA-256 differs: sent " + hex(peer.sentDigest()) + ", received "
                        + hex(e.receivedDigest()));
            }
            TcpStats s = e.connection == null ? null : e.connection.stats();
            if (s != null && s.bytesReceived() != e.expectedTotal) {
                problems.add(dir + ": TCP counted " + s.bytesReceived() + " bytes received in order, expected "
                        + e.expectedTotal);
            }
            if (s != null && s.bytesDelivered() != e.expectedTotal) {
                problems.add(dir + ": TCP counted " + s.bytesDelivered() + " bytes delivered, expected "
                        + e.expectedTotal);
            }
            if (!e.closed) {
                problems.add(e.name + ": never told the connection closed");
            } else if (e.closeReason != null) {
                problems.add(e.name + ": connection closed with error " + e.closeReason);
            } else if (e.stateAtClose != TcpState.CLOSED && e.stateAtClose != TcpState.TIME_WAIT) {
                problems.add(e.name + ": told closed in state " + e.stateAtClose);
            }
            if (e.connection != null && e.connection.state() != TcpState.CLOSED) {
                problems.add(e.name + ": connection left in " + e.connection.state());
            }
        }
        if (a.closed && b.closed && a.stateAtClose != TcpState.TIME_WAIT && b.stateAtClose != TcpState.TIME_WAIT) {
            problems.add("neither end went through TIME-WAIT (A closed in " + a.stateAtClose + ", B in "
                    + b.stateAtClose + ")");
        }
        for (End e : List.of(a, b)) {
            TcpConfig cfg = e == a ? plan.configA() : plan.configB();
            // A reset may end TIME-WAIT early (RFC 9293 §3.10.7.4; RFC 1337 describes the hazard),
            // e.g. when a retransmitted FIN is acknowledged after the peer closed: only without a
            // reset from the peer must TIME-WAIT last 2×MSL.
            long peerResets = (e == a ? sim.countersB() : sim.countersA()).resetsSent();
            if (e.stateAtClose == TcpState.TIME_WAIT && closedAt >= 0 && closedAt - e.closedAt < cfg.timeWaitNanos()
                    && peerResets == 0) {
                problems.add(e.name + ": left TIME-WAIT before 2MSL without a reset from the peer (entered at +"
                        + ms(e.closedAt - startedAt) + ", CLOSED by +" + ms(closedAt - startedAt) + ")");
            }
        }
        int leftA = sim.a().tcp(0).connectionCount();
        int leftB = sim.b().tcp(0).connectionCount();
        if (leftA != 0 || leftB != 0) {
            problems.add("connections left in the layers: A " + leftA + ", B " + leftB);
        }
        long internalA = sim.countersA().drops(DropReason.INTERNAL_ERROR);
        long internalB = sim.countersB().drops(DropReason.INTERNAL_ERROR);
        if (internalA != 0 || internalB != 0) {
            problems.add("internal errors (a handler threw): A " + internalA + ", B " + internalB);
        }
        // TCP sizes its segments to the path (MSS less the options each segment carries, RFC 9293
        // §3.7.1): IP must never have to fragment one.
        fragments("A", sim.countersA(), problems);
        fragments("B", sim.countersB(), problems);
        if (!problems.isEmpty()) {
            throw sim.failure("TCP transfer failed:\n  - " + String.join("\n  - ", problems) + "\n" + describe());
        }
    }

    private static void fragments(String name, StackCounters c, List<String> problems) {
        long timedOut = c.drops(DropReason.FRAGMENT_TIMEOUT);
        long overLimit = c.drops(DropReason.FRAGMENT_LIMIT);
        long other = c.drops(DropReason.FRAGMENT_OVERLAP) + c.drops(DropReason.IPV6_FRAGMENT);
        if (c.datagramsReassembled() + timedOut + overLimit + other != 0) {
            problems.add(name + " received IP fragments (" + c.datagramsReassembled() + " datagrams reassembled, "
                    + timedOut + " timed out, " + overLimit + " over the reassembly limit, " + other
                    + " other): TCP segments larger than the MTU were sent");
        }
    }

    /** Goodput of A's stream to B in Mbit/s of virtual time, connect to last byte read. */
    double goodputAToB() {
        return goodput(b);
    }

    double goodputBToA() {
        return goodput(a);
    }

    private double goodput(End receiver) {
        long t = receiver.lastByteAt - startedAt;
        return receiver.received == 0 || t <= 0 ? 0 : receiver.received * 8.0 / (t / 1e9) / 1e6;
    }

    /** Virtual time from connect until both ends read end of stream and were told the connection closed. */
    long transferNanos() {
        return completedAt < 0 ? -1 : completedAt - startedAt;
    }

    /** One line: sizes, goodputs, times, retransmissions. */
    String summary() {
        TcpStats sa = a.connection.stats();
        TcpStats sb = b.connection == null ? null : b.connection.stats();
        return String.format("A->B %s %.1f Mbit/s, B->A %s %.1f Mbit/s, done +%s, closed +%s; A rtx %d (fast %d, rto %d),"
                        + " B rtx %s (fast %s, rto %s)",
                mib(plan.bytesAToB()), goodputAToB(), mib(plan.bytesBToA()), goodputBToA(), ms(transferNanos()),
                ms(closedAt < 0 ? -1 : closedAt - startedAt), sa.retransmits(), sa.fastRetransmits(), sa.timeouts(),
                sb == null ? "-" : sb.retransmits(), sb == null ? "-" : sb.fastRetransmits(),
                sb == null ? "-" : sb.timeouts());
    }

    /** Each end's progress and connection statistics, for failure messages. */
    String describe() {
        return "  transfer (started +" + ms(startedAt - Simulation.START_NANOS) + ", " + plan + ")\n"
                + "  " + a.describe() + "\n  " + b.describe();
    }

    static String mib(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : String.format("%.2f MiB", bytes / 1048576.0);
    }

    static String ms(long nanos) {
        return nanos < 0 ? "-" : String.format("%.3f s", nanos / 1e9);
    }

    private static String hex(byte[] b) {
        return b == null ? "-" : HexFormat.of().formatHex(b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** A deterministic pseudo-random byte stream, produced chunk by chunk (same chunking everywhere). */
    private static final class ByteStream {
        private final SplittableRandom random;
        private final long total;
        private long produced;

        ByteStream(long seed, long total) {
            this.random = new SplittableRandom(seed);
            this.total = total;
        }

        /** The next chunk (empty at the end). */
        byte[] next() {
            int n = (int) Math.min(CHUNK, total - produced);
            byte[] chunk = new byte[n];
            random.nextBytes(chunk);
            produced += n;
            return chunk;
        }
    }

    /** One end: the application on a connection, sending its stream and reading the peer's. */
    final class End implements ConnectionListener {
        final String name;
        TcpConnection connection;
        final List<String> problems = new ArrayList<>();

        // Sending
        final long sendTotal;
        private final ByteStream out;
        private final MessageDigest outDigest = sha256();
        private byte[] sentDigest;
        private ByteBuffer pending = ByteBuffer.allocate(0);
        long handed;
        boolean finQueued;
        long finQueuedAt = -1;

        // Receiving
        final long expectedTotal;
        private final ByteStream expected;
        private final MessageDigest inDigest = sha256();
        private byte[] receivedDigest;
        private byte[] expectedChunk = new byte[0];
        private int expectedPos;
        private final ByteBuffer readBuffer = ByteBuffer.allocate(CHUNK);
        long received;
        long mismatchAt = -1;
        boolean eof;
        long lastByteAt = -1;
        boolean paused;
        private boolean eager;

        // Lifecycle
        long establishedAt = -1;
        long peerClosedAt = -1;
        boolean closed;
        long closedAt = -1;
        TcpError closeReason;
        TcpState stateAtClose;
        private boolean inPump;

        End(String name, long sendSeed, long sendTotal, long receiveSeed, long expectedTotal) {
            this.name = name;
            this.sendTotal = sendTotal;
            this.out = new ByteStream(sendSeed, sendTotal);
            this.expectedTotal = expectedTotal;
            this.expected = new ByteStream(receiveSeed, expectedTotal);
        }

        void problem(String what) {
            problems.add(name + " at +" + ms(sim.now() - startedAt) + ": " + what);
        }

        /**
         * Sends without waiting for the handshake: from {@code onWritable} in SYN-SENT and, if
         * {@code now}, at once (call right after {@link TcpTransfer#start}, before any step).
         */
        void sendBeforeEstablished(boolean now) {
            eager = true;
            if (now) {
                pumpSend();
            }
        }

        /** Stops reading: the receive buffer fills and the window closes. */
        void pauseReading() {
            paused = true;
        }

        /** Reads again (call on the loop thread, i.e. the test thread between simulation steps). */
        void resumeReading() {
            paused = false;
            pumpReceive();
        }

        byte[] sentDigest() {
            return sentDigest;
        }

        byte[] receivedDigest() {
            return receivedDigest;
        }

        @Override
        public void onEstablished(TcpConnection c) {
            establishedAt = sim.now();
            pumpSend();
        }

        @Override
        public void onReadable(TcpConnection c) {
            pumpReceive();
        }

        @Override
        public void onWritable(TcpConnection c) {
            pumpSend();
        }

        @Override
        public void onPeerClosed(TcpConnection c) {
            if (peerClosedAt >= 0) {
                problem("told the peer closed twice");
            }
            peerClosedAt = sim.now();
            pumpReceive();
        }

        @Override
        public void onClosed(TcpConnection c, TcpError reason) {
            if (closed) {
                problem("told closed twice (" + reason + ")");
            }
            closed = true;
            closedAt = sim.now();
            closeReason = reason;
            stateAtClose = c.state();
            if (reason != null) {
                problem("connection failed: " + reason + " (" + reason.message() + ") in " + c.state());
            } else if (establishedAt < 0) {
                problem("told closed without an error (" + c.state() + ") before the connection was established, with "
                        + handed + " bytes accepted by send" + (finQueued ? " and the FIN queued" : ""));
            } else if (peerClosedAt < 0) {
                // An orderly close means the peer's FIN arrived, which onPeerClosed announces first.
                problem("told closed (" + c.state() + ") but never told the peer closed (onPeerClosed missing)");
            }
            // Whatever is still readable stays readable: read it to the end of the stream.
            pumpReceive();
        }

        /**
         * Hands as much of the stream to TCP as it takes; queues the FIN after the last byte. Starts
         * once the connection is established (an early {@code onWritable} in SYN-SENT is ignored:
         * that case has its own test).
         */
        void pumpSend() {
            if (inPump || finQueued || connection == null || closed || (establishedAt < 0 && !eager)) {
                return;
            }
            inPump = true;
            try {
                while (handed < sendTotal) {
                    if (!pending.hasRemaining()) {
                        byte[] chunk = out.next();
                        outDigest.update(chunk);
                        pending = ByteBuffer.wrap(chunk);
                    }
                    int n = connection.send(pending);
                    if (n < 0) {
                        problem("send refused (-1) in " + connection.state() + " after " + handed + " bytes");
                        return;
                    }
                    if (n == 0) {
                        return;
                    }
                    handed += n;
                }
                finQueued = true;
                finQueuedAt = sim.now();
                sentDigest = outDigest.digest();
                connection.shutdownOutput();
            } finally {
                inPump = false;
            }
        }

        /** Reads and checks whatever is readable, unless paused; notes the end of the stream. */
        void pumpReceive() {
            if (inPump || paused || eof || connection == null) {
                return;
            }
            inPump = true;
            try {
                while (true) {
                    readBuffer.clear();
                    int n = connection.receive(readBuffer);
                    if (n == 0) {
                        return;
                    }
                    if (n < 0) {
                        eof = true;
                        receivedDigest = inDigest.digest();
                        if (received != expectedTotal) {
                            problem("end of stream after " + received + " of " + expectedTotal + " bytes");
                        }
                        return;
                    }
                    if (n != readBuffer.position()) {
                        problem("receive returned " + n + " but filled " + readBuffer.position() + " bytes");
                    }
                    check(readBuffer.array(), readBuffer.position());
                    lastByteAt = sim.now();
                }
            } finally {
                inPump = false;
            }
        }

        private void check(byte[] data, int length) {
            inDigest.update(data, 0, length);
            int off = 0;
            while (off < length) {
                if (expectedPos == expectedChunk.length) {
                    expectedChunk = expected.next();
                    expectedPos = 0;
                    if (expectedChunk.length == 0) {
                        problem((length - off) + " bytes beyond the end of the stream at offset " + (received + off));
                        break;
                    }
                }
                int n = Math.min(length - off, expectedChunk.length - expectedPos);
                if (mismatchAt < 0) {
                    int m = Arrays.mismatch(data, off, off + n, expectedChunk, expectedPos, expectedPos + n);
                    if (m >= 0) {
                        mismatchAt = received + off + m;
                        problem("wrong byte at stream offset " + mismatchAt);
                    }
                }
                off += n;
                expectedPos += n;
            }
            received += length;
        }

        String describe() {
            StringBuilder s = new StringBuilder(name).append(": ");
            s.append("sent ").append(handed).append('/').append(sendTotal).append(finQueued ? " +FIN" : "");
            s.append(", received ").append(received).append('/').append(expectedTotal).append(eof ? " +EOF" : "");
            s.append(paused ? " (reading paused)" : "");
            s.append(", FIN queued ").append(finQueuedAt < 0 ? "no" : "+" + ms(finQueuedAt - startedAt));
            s.append(", told peer closed ").append(peerClosedAt < 0 ? "no" : "+" + ms(peerClosedAt - startedAt));
            s.append(", last byte read +").append(ms(lastByteAt < 0 ? -1 : lastByteAt - startedAt));
            s.append(", closed ").append(closed ? stateAtClose + (closeReason == null ? "" : " " + closeReason)
                    + " at +" + ms(closedAt - startedAt) : "no");
            if (connection != null) {
                s.append(", now ").append(connection.state()).append("\n    ").append(connection.stats());
            }
            for (String p : problems) {
                s.append("\n    problem: ").append(p);
            }
            return s.toString();
        }
    }
}
