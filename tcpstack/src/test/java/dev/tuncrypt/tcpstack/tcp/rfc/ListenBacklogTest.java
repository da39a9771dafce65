package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;

import dev.tuncrypt.tcpstack.wire.TcpHeader;
import org.junit.jupiter.api.Test;

/**
 * Listen backlog overflow. RFC 9293 §3.10.7.2 leaves resource limits to the implementation;
 * like Linux, a SYN that arrives while the accept queue is full is dropped silently (no
 * SYN-ACK, no reset, no state), so the client's SYN retransmission succeeds once the
 * application has accepted.
 */
class ListenBacklogTest extends TcpRfcTest {

    @Test
    void synIsDroppedWhileTheAcceptQueueIsFullAndLaterRetrySucceeds() {
        Peer a = Peer.listen(h, CFG, 1);
        a.one(a.syn(PeerOptions.ALL), "client A's SYN-ACK");
        a.completePassive();
        // completePassive() took A off the queue; put it back to fill the queue
        a.acceptor.queue.add(a.conn);
        Peer b = a.client(41111);
        long overflowsBefore = h.stack.tcp(0).counters().listenOverflows();
        b.none(b.syn(PeerOptions.ALL), "client B's SYN while the accept queue is full: dropped silently");
        expect(!b.tcbExists(), b, "no state is kept for the dropped SYN");
        expect(h.stack.tcp(0).counters().listenOverflows() == overflowsBefore + 1, b, "the overflow is counted");
        a.acceptor.take(); // the application accepts A
        h.clock.advance(SECOND);
        TcpHeader sa = b.one(b.syn(PeerOptions.ALL), "client B's retransmitted SYN");
        b.check(sa, "SYN-ACK once the queue has room").flags(SYN | ACK).ack(b.peerIss + 1);
        b.completePassive();
    }
}
