package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.FIN;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;

import dev.tuncrypt.tcpstack.tcp.SeqNum;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import dev.tuncrypt.tcpstack.wire.TcpOption;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A new connection on the 4-tuple of one in TIME-WAIT. RFC 9293 §3.6.1 (MAY-2): a SYN may reopen
 * a connection in TIME-WAIT if the new ISS lies above every sequence number the old incarnation
 * used; RFC 6191 §2: with timestamps, a SYN whose TSval is newer than the last one seen reopens
 * it whatever its sequence number, and one neither newer in timestamp nor in sequence does not.
 * The active side: a connect bound to a port whose 4-tuple this stack holds in TIME-WAIT (a
 * transparent proxy's leg from its client's own address and port) takes the tuple over, its ISS
 * above the old incarnation's and its timestamps newer.
 */
class SynInTimeWaitTest extends TcpRfcTest {
    /** Bytes the old incarnation sends: more than its ISN clock advances meanwhile (250 per ms). */
    private static final int LOTS = 200_000;

    /** The stack accepted a connection, sent {@link #LOTS} bytes, closed first; returns in TIME-WAIT. */
    private Peer passiveToTimeWait() {
        Peer p = Peer.passiveOpen(h, CFG, PeerOptions.ALL);
        sendAllAcked(p);
        p.conn.shutdownOutput();
        p.one(p.poll(), "our FIN");
        p.ack();
        p.one(p.fin(), "the ACK of the peer's FIN");
        p.expectState(TcpState.TIME_WAIT, "the stack closed first");
        return p;
    }

    private static void sendAllAcked(Peer p) {
        byte[] chunk = new byte[16_384];
        long sent = 0;
        for (int i = 0; i < 10_000 && (sent < LOTS || p.conn.stats().bytesAcked() < sent); i++) {
            if (sent < LOTS) {
                sent += p.conn.send(java.nio.ByteBuffer.wrap(chunk));
            }
            p.advance(MS);
            p.ack();
        }
        expect(p.conn.stats().bytesAcked() >= LOTS, p, "all data acknowledged: " + p.conn.stats().bytesAcked());
    }

    private static long tsVal(TcpHeader t) {
        return t.options().stream().filter(o -> o instanceof TcpOption.Timestamps)
                .mapToLong(o -> ((TcpOption.Timestamps) o).tsVal()).findFirst().orElse(-1);
    }

    /** The stack is the server; the client opens again from the same port. */
    @Nested
    class Passive {
        @Test
        void newerSequenceNumberReopensWithAnIssAboveTheOldIncarnation() {
            Peer p = passiveToTimeWait();
            long oldSndMax = p.rcvNxt; // the peer received all the stack sent, FIN included
            p.advance(10 * MS);
            long newIss = Peer.add(p.sndNxt, 100_000);
            p.peerIss = newIss;
            List<TcpHeader> out = p.syn(PeerOptions.ALL);
            TcpHeader synAck = p.one(out, "RFC 9293 §3.6.1 MAY-2: a SYN above RCV.NXT reopens the connection in "
                    + "TIME-WAIT; expected <SYN,ACK>");
            p.check(synAck, "SYN-ACK of the new incarnation").flags(SYN | ACK).ack(newIss + 1);
            expect(SeqNum.gt((int) synAck.sequenceNumber(), (int) oldSndMax), p, out,
                    "RFC 9293 §3.6.1 (1): the new ISS " + synAck.sequenceNumber() + " must be larger than the largest "
                            + "sequence number the old incarnation used (" + oldSndMax + ")");
        }

        @Test
        void newerTimestampReopensWhateverTheSequenceNumber() {
            Peer p = passiveToTimeWait();
            p.advance(10 * MS); // the peer's timestamp clock moves on
            long lowIss = Peer.add(p.sndNxt, -50_000); // e.g. a peer whose ISN clock is not monotonic
            p.peerIss = lowIss;
            List<TcpHeader> out = p.syn(PeerOptions.ALL);
            TcpHeader synAck = p.one(out, "RFC 6191 §2: a SYN whose timestamp is greater than the last seen on the "
                    + "previous incarnation reopens the connection; expected <SYN,ACK>");
            p.check(synAck, "SYN-ACK of the new incarnation").flags(SYN | ACK).ack(lowIss + 1);
        }

        @Test
        void neitherNewerTimestampNorSequenceNumberLeavesTimeWait() {
            Peer p = passiveToTimeWait();
            long lowIss = Peer.add(p.sndNxt, -50_000);
            Seg old = p.raw().seq(lowIss).ack(0).flags(SYN);
            old.mss(1460).sackPermitted().ts(Peer.add(p.tsVal(), -1000), 0).ws(7); // an old duplicate SYN
            List<TcpHeader> out = p.send(old);
            expect(out.stream().noneMatch(t -> (t.flags() & SYN) != 0), p, out,
                    "RFC 6191 §2: a SYN with an older timestamp and a lower sequence number must not reopen");
            p.expectState(TcpState.TIME_WAIT, "RFC 6191 §2: \"leaving the previous incarnation of the connection in "
                    + "the TIME-WAIT state\"");
        }
    }

    /** The stack connects again from the port of its connection in TIME-WAIT. */
    @Nested
    class Active {
        private static final int PORT = 41_000;

        @Test
        void boundConnectTakesOverOurTimeWaitWithHigherIssAndTimestamp() {
            Peer p = Peer.connectFrom(h, CFG, PORT);
            p.synAck(PeerOptions.ALL);
            sendAllAcked(p);
            p.conn.shutdownOutput();
            p.one(p.poll(), "our FIN");
            p.ack();
            TcpHeader lastAck = p.one(p.fin(), "the ACK of the peer's FIN");
            p.check(lastAck, "TIME-WAIT's ACK").flags(ACK);
            p.expectState(TcpState.TIME_WAIT, "the stack closed first");
            long oldSndMax = p.rcvNxt;
            long oldTsVal = tsVal(lastAck);
            p.advance(2 * MS);

            Peer again = Peer.connectFrom(h, CFG, PORT); // failed with "address in use" before
            TcpHeader syn = again.stackSyn;
            expect(SeqNum.gt((int) syn.sequenceNumber(), (int) oldSndMax), again,
                    "RFC 9293 §3.6.1 (1): the ISS " + syn.sequenceNumber() + " of the reused 4-tuple must be larger "
                            + "than the largest sequence number of its last incarnation (" + oldSndMax + ")");
            expect(SeqNum.gt((int) tsVal(syn), (int) oldTsVal), again,
                    "RFC 6191 §2 at the peer: the SYN's TSval " + tsVal(syn) + " must be newer than the last one of "
                            + "the previous incarnation (" + oldTsVal + ")");
            TcpHeader ack = again.one(again.synAck(PeerOptions.ALL), "the handshake completes");
            again.check(ack, "third segment").flags(ACK);
            again.expectState(TcpState.ESTABLISHED, "the new incarnation");
            expect(p.conn.state() == TcpState.CLOSED, p, "the old incarnation gave way");
            expect(h.stack.tcp(0).counters().timeWaitReused() == 1, p, "counted once");
        }

        @Test
        void boundConnectToATupleStillOpenIsRefused() {
            Peer p = Peer.connectFrom(h, CFG, PORT);
            p.synAck(PeerOptions.ALL);
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> Peer.connectFrom(h, CFG, PORT), "a 4-tuple in ESTABLISHED is in use");
        }
    }
}
