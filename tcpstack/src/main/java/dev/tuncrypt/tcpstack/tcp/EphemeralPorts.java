package dev.tuncrypt.tcpstack.tcp;

import java.util.function.IntPredicate;
import java.util.random.RandomGenerator;

/**
 * Ephemeral port selection by RFC 6056 §3.3.3, "Algorithm 3: Simple Hash-Based Port
 * Selection": port = min + (next_ephemeral + F(local address, remote address, remote port,
 * secret)) mod range, trying successive values of the counter until a free one is found.
 *
 * <p>Toward one destination the ports run in sequence from an offset the outside cannot guess,
 * so a 4-tuple is used again only after every other port of the range was handed out since
 * (RFC 6056 §3.1: "minimize the rate of reuse of the same 4-tuple"). Picking each port at random
 * (Algorithm 1) reuses a 4-tuple after about √range connections by the birthday bound, often
 * while the peer still holds the last incarnation (TIME-WAIT, or LAST-ACK when our final ACK was
 * lost): its first SYN is then answered with an ACK instead of a SYN-ACK and the connection
 * waits a second for the retransmission. Loop-confined.
 *
 * <p>What counts as free is the caller's: {@link TcpLayer} also takes a 4-tuple of ours in
 * TIME-WAIT that has been quiet for a second and used timestamps ({@link TimeWaitReuse}), so
 * connects toward one destination are not capped at range / 2 MSL (470 a second). In sequence
 * the candidate is the tuple used a whole range ago, the oldest TIME-WAIT. The range stays
 * Linux's default rather than RFC 6056 §3.2's 1024-65535: with that reuse its size matters only
 * beyond 28,232 connects a second to one destination.
 */
final class EphemeralPorts {
    /** Linux's default net.ipv4.ip_local_port_range (RFC 6056 §3.2 suggests 1024-65535). */
    static final int LOW = 32768;
    static final int HIGH = 60999;
    private static final int RANGE = HIGH - LOW + 1;

    private final TupleHash f;
    /** RFC 6056 §3.3.3: next_ephemeral, starting at a random value. */
    private int next;

    EphemeralPorts(RandomGenerator random) {
        this.f = new TupleHash(random);
        this.next = random.nextInt(RANGE);
    }

    /**
     * The first port from {@code local} toward {@code remote}:{@code remotePort} that {@code free}
     * accepts, or -1 when every port of the range is in use toward that destination.
     */
    int choose(long localHi, long localLo, long remoteHi, long remoteLo, int remotePort, IntPredicate free) {
        // F(local_IP, remote_IP, remote_port, secret_key): the local port is what we choose, so 0
        int offset = (int) Math.floorMod(f.hash(localHi, localLo, 0, remoteHi, remoteLo, remotePort, 0), (long) RANGE);
        for (int count = RANGE; count > 0; count--) {
            int port = LOW + Math.floorMod(next + offset, RANGE);
            next++;
            if (free.test(port)) {
                return port;
            }
        }
        return -1;
    }
}
