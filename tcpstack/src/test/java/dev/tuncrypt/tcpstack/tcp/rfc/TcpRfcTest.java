package dev.tuncrypt.tcpstack.tcp.rfc;

import static org.assertj.core.api.Assertions.fail;

import dev.tuncrypt.tcpstack.StackHarness;
import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * Base of the RFC scenario tests: a stack on a memory link driven by the test thread on a manual
 * clock (the stack is never started, so the test thread is its loop thread), and the test
 * playing the peer with hand-built segments ({@link Peer}, {@link Seg}).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
abstract class TcpRfcTest {
    static final TcpConfig CFG = TcpConfig.DEFAULT;
    static final long MS = 1_000_000L;
    static final long SECOND = 1_000_000_000L;

    StackHarness h;

    @BeforeEach
    void startHarness() {
        h = new StackHarness();
    }

    @AfterEach
    void closeHarness() {
        h.close();
    }

    /**
     * Sends full-sized in-order segments (without the application reading) until the stack stops
     * acknowledging each one at once (a Linux-like quick-ACK start is allowed by RFC 5681 §4.2:
     * an ACK may be sent more often), then one more, which must be acknowledged at once as the
     * second full-sized segment. Leaves no ACK pending.
     */
    static void leaveQuickAckMode(Peer p) {
        int full = p.conn.stats().mss();
        for (int i = 0; i < 64; i++) {
            List<TcpHeader> out = p.data(full);
            if (out.isEmpty()) {
                List<TcpHeader> second = p.data(full);
                expect(second.stream().anyMatch(s -> s.acknowledgmentNumber() == p.sndNxt), p, second,
                        "RFC 5681 §4.2: the second unacknowledged full-sized segment must be acknowledged at once");
                return;
            }
        }
        fail("the stack acknowledged 64 full-sized segments one by one at once: it never delays an ACK "
                + "(RFC 1122 §4.2.3.2 / RFC 9293 §3.8.6.3)\n  stack segments so far:\n" + p.history());
    }

    static void expect(boolean condition, Peer p, String message) {
        if (!condition) {
            fail(message + "\n  connection: " + p.connDescription() + "\n  stack segments so far:\n" + p.history());
        }
    }

    static void expect(boolean condition, Peer p, List<TcpHeader> out, String message) {
        if (!condition) {
            fail(message + "\n  the stack sent:\n" + p.fmt(out) + "\n  connection: " + p.connDescription()
                    + "\n  stack segments so far:\n" + p.history());
        }
    }
}
