package dev.tuncrypt.tcpstack.tcp.rfc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * RFC 6056 §3.1: ephemeral ports should "minimize the rate of reuse of the same 4-tuple"; the
 * stack uses §3.3.3 (Algorithm 3), so toward one destination a port comes back only after the
 * whole range was used. A random port per connection repeats a 4-tuple after a few hundred
 * connections (the birthday bound), while the peer may still hold its last incarnation: its first
 * SYN then draws an ACK instead of a SYN-ACK and waits a second for the retransmission.
 */
class EphemeralPortTest extends TcpRfcTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress(Peer.PEER4, Peer.SERVER_PORT);
    private static final InetSocketAddress OTHER = new InetSocketAddress(Peer.PEER4, 8080);

    @Test
    void portsTowardOneDestinationDoNotRepeatWithinTheRange() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            TcpConnection c = h.stack.tcp(0).connect(null, SERVER, CFG, new Events());
            int port = c.flow().localPort();
            assertThat(seen.add(port))
                    .as("RFC 6056 §3.1: port %d came back after %d connections toward %s (range 32768-60999)", port,
                            i, SERVER)
                    .isTrue();
            assertThat(port).isBetween(32768, 60999);
            c.abort(); // its 4-tuple is free again at once: only the choice keeps it from coming back
            h.poll();
        }
    }

    @Test
    void portsSkipTuplesInUse() {
        Map<Integer, TcpConnection> open = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            TcpConnection c = h.stack.tcp(0).connect(null, i % 2 == 0 ? SERVER : OTHER, CFG, new Events());
            open.put(c.flow().localPort() * 2 + (i % 2), c);
        }
        assertThat(open).as("each connection has its own 4-tuple").hasSize(300);
    }
}
