package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.FIN;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;
import static org.assertj.core.api.Assertions.fail;

import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A reset arriving in each state. RFC 9293 §3.10.7.3 (SYN-SENT: acceptable only with an ACK of
 * our SYN; then "connection refused"), §3.10.7.4 second step (SYN-RECEIVED from LISTEN: back to
 * LISTEN; from SYN-SENT: refused; ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT: "connection
 * reset", CLOSED; CLOSING, LAST-ACK, TIME-WAIT: CLOSED), with RFC 5961 §3.2 blind reset
 * protection in every state but SYN-SENT: SEG.SEQ = RCV.NXT resets; otherwise in the window
 * (RCV.NXT < SEG.SEQ < RCV.NXT + RCV.WND) → challenge ACK {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>}
 * and the connection survives; outside the window → silently dropped.
 *
 * <p>The receive window is the one the stack last advertised (its window field, scaled).
 */
class ResetInEachStateTest extends TcpRfcTest {

    /** The synchronized states, each with the way to reach it from an established connection. */
    enum SyncState {
        ESTABLISHED(TcpState.ESTABLISHED, true) {
            void enter(Peer p) {
                p.data(100);
            }
        },
        FIN_WAIT_1(TcpState.FIN_WAIT_1, true) {
            void enter(Peer p) {
                p.conn.shutdownOutput();
                p.poll();
            }
        },
        FIN_WAIT_2(TcpState.FIN_WAIT_2, true) {
            void enter(Peer p) {
                p.conn.shutdownOutput();
                p.poll();
                p.ack();
            }
        },
        CLOSE_WAIT(TcpState.CLOSE_WAIT, true) {
            void enter(Peer p) {
                p.fin();
            }
        },
        CLOSING(TcpState.CLOSING, false) {
            void enter(Peer p) {
                p.conn.shutdownOutput();
                p.poll();
                Seg fin = p.seg().ack(p.stackIss + 1).flags(FIN | ACK); // does not acknowledge our FIN
                p.sndNxt = Peer.add(p.sndNxt, 1);
                p.send(fin);
            }
        },
        LAST_ACK(TcpState.LAST_ACK, false) {
            void enter(Peer p) {
                p.fin();
                p.conn.shutdownOutput();
                p.poll();
            }
        },
        TIME_WAIT(TcpState.TIME_WAIT, false) {
            void enter(Peer p) {
                p.conn.shutdownOutput();
                p.poll();
                p.fin();
            }
        };

        final TcpState state;
        /** Whether the user must hear "connection reset" (RFC 9293: ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT). */
        final boolean signalsReset;

        SyncState(TcpState state, boolean signalsReset) {
            this.state = state;
            this.signalsReset = signalsReset;
        }

        abstract void enter(Peer p);
    }

    private Peer enter(SyncState s) {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        s.enter(p);
        p.expectState(s.state, "test setup");
        return p;
    }

    /** RCV.WND as last advertised: the window field of the stack's last segment, scaled. */
    private static long advertisedWindow(Peer p) {
        TcpHeader last = p.log.getLast();
        return (long) last.window() << p.conn.stats().receiveWindowShift();
    }

    /** RCV.NXT of the stack is the peer's SND.NXT: everything the peer sent was acknowledged. */
    private static Seg rst(Peer p, long seq) {
        return p.raw().seq(seq).flags(RST);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SyncState.class)
    void resetAtRcvNxtClosesTheConnection(SyncState s) {
        Peer p = enter(s);
        List<TcpHeader> out = p.send(rst(p, p.sndNxt));
        p.none(out, "a reset is never answered");
        if (p.conn.state() != TcpState.CLOSED || p.tcbExists()) {
            fail("RFC 9293 §3.10.7.4 second step, " + s + ": RST with SEQ = RCV.NXT must delete the TCB; state "
                    + p.conn.state() + ", TCB " + (p.tcbExists() ? "still present" : "gone") + "\n  segments:\n"
                    + p.history());
        }
        if (s.signalsReset && p.events.reason != TcpError.RESET) {
            fail("RFC 9293 §3.10.7.4, " + s + ": the user must get \"connection reset\"; events " + p.events);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SyncState.class)
    void resetInTheWindowButNotAtRcvNxtGetsAChallengeAck(SyncState s) {
        Peer p = enter(s);
        long w = advertisedWindow(p);
        long off = Math.min(1000, w / 2);
        if (off <= 0) {
            fail("setup: the stack advertised no window in " + s + ": " + p.history());
        }
        long challengesBefore = p.conn.stats().challengeAcks();
        List<TcpHeader> out = p.send(rst(p, p.sndNxt + off));
        TcpHeader ack = p.one(out, "RFC 5961 §3.2 in " + s + ": RST at RCV.NXT+" + off
                + " (inside the window of " + w + " bytes the stack last advertised) must be answered with a "
                + "challenge ACK");
        p.check(ack, "challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>").flags(ACK).seq(p.rcvNxt).ack(p.sndNxt);
        p.expectState(s.state, "RFC 5961 §3.2: the connection survives an in-window reset");
        if (p.conn.stats().challengeAcks() <= challengesBefore) {
            fail("the challenge ACK is not counted in stats().challengeAcks()");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SyncState.class)
    void resetOutsideTheWindowIsIgnored(SyncState s) {
        Peer p = enter(s);
        long w = advertisedWindow(p);
        p.none(p.send(rst(p, p.sndNxt + w + 10_000)), "RFC 5961 §3.2 in " + s
                + ": RST beyond the right window edge is dropped silently");
        p.none(p.send(rst(p, p.sndNxt - 10_000)), "RFC 5961 §3.2 in " + s + ": RST before RCV.NXT is dropped silently");
        p.expectState(s.state, "the connection survives out-of-window resets");
    }

    /** RFC 9293 §3.10.7.3: in SYN-SENT only a reset acknowledging our SYN counts. */
    @Nested
    class SynSent {
        @Test
        void resetWithAcceptableAckRefusesTheConnection() {
            Peer p = Peer.connect(h, CFG);
            p.none(p.send(p.raw().seq(0).ack(p.stackIss + 1).flags(RST | ACK)), "a reset is never answered");
            expect(p.conn.state() == TcpState.CLOSED && !p.tcbExists(), p, "SYN-SENT + RST,ACK(ISS+1) → CLOSED");
            expect(p.events.reason == TcpError.REFUSED, p, "connection refused; got " + p.events);
        }

        @Test
        void resetWithoutAckIsIgnored() {
            Peer p = Peer.connect(h, CFG);
            p.none(p.send(p.raw().seq(p.peerIss).flags(RST)), "\"If the ACK was not acceptable ... drop\"");
            p.expectState(TcpState.SYN_SENT, "RFC 9293 §3.10.7.3: a RST without ACK in SYN-SENT is dropped");
        }

        @Test
        void resetWithUnacceptableAckIsIgnored() {
            Peer p = Peer.connect(h, CFG);
            p.none(p.send(p.raw().seq(p.peerIss).ack(p.stackIss + 1000).flags(RST | ACK)),
                    "RFC 9293 §3.10.7.3: bad ACK with RST set: drop, no reset in reply");
            p.expectState(TcpState.SYN_SENT, "still SYN-SENT");
        }
    }

    /** SYN-RECEIVED after a passive OPEN: RFC 9293 §3.10.7.4 second step and RFC 5961 §3.2. */
    @Nested
    class SynReceivedPassive {
        private Peer halfOpen() {
            Peer p = Peer.listen(h, CFG, 16);
            p.one(p.syn(PeerOptions.ALL), "the stack's SYN-ACK");
            return p;
        }

        @Test
        void resetAtRcvNxtReturnsToListen() {
            Peer p = halfOpen();
            p.none(p.send(p.raw().seq(p.peerIss + 1).flags(RST)), "a reset is never answered");
            expect(!p.tcbExists() && p.listener.halfOpen() == 0 && p.acceptor.accepted == 0, p,
                    "RFC 9293: \"return this connection to LISTEN state\": no TCB, no half-open count, nothing accepted");
            p.peerIss = Peer.add(p.peerIss, 5000);
            p.one(p.syn(PeerOptions.ALL), "the listener still answers SYNs");
        }

        @Test
        void resetInTheWindowGetsAChallengeAck() {
            Peer p = halfOpen();
            TcpHeader ack = p.one(p.send(p.raw().seq(p.peerIss + 1 + 1000).flags(RST)),
                    "RFC 5961 §3.2 (all states but SYN-SENT): in-window RST in SYN-RECEIVED → challenge ACK");
            p.check(ack, "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>").flags(ACK).seq(p.stackIss + 1).ack(p.peerIss + 1);
            p.completePassive();
        }

        @Test
        void resetOutsideTheWindowIsIgnored() {
            Peer p = halfOpen();
            p.none(p.send(p.raw().seq(p.peerIss + 1 + 70_000).flags(RST)), "RST outside the SYN-ACK's window");
            expect(p.tcbExists(), p, "the half-open connection survives");
        }
    }

    /** SYN-RECEIVED after an active OPEN (simultaneous open). */
    @Nested
    class SynReceivedActive {
        @Test
        void resetAtRcvNxtRefusesTheConnection() {
            Peer p = SimultaneousOpenTest.simultaneousSynReceived(h);
            p.none(p.send(p.raw().seq(p.peerIss + 1).flags(RST)), "a reset is never answered");
            expect(p.conn.state() == TcpState.CLOSED && !p.tcbExists(), p, "the TCB is deleted");
            expect(p.events.reason == TcpError.REFUSED, p, "RFC 9293 §3.10.7.4 second step, SYN-RECEIVED: \"If this "
                    + "connection was initiated with an active OPEN (i.e., came from SYN-SENT state), then the "
                    + "connection was refused; signal the user 'connection refused'\"; the user got " + p.events);
        }
    }
}
