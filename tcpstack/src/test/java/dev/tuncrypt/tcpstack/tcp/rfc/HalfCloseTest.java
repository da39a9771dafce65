package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.FIN;

import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9293 §3.6 and §3.10.4: CLOSE means "I have no more to send"; the connection stays
 * half-open and the closing side keeps receiving (FIN-WAIT-1/2) until the peer closes too; and
 * the other side keeps sending in CLOSE-WAIT.
 */
class HalfCloseTest extends TcpRfcTest {

    @Test
    void afterShutdownOutputTheStackKeepsReceiving() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.conn.shutdownOutput();
        p.one(p.poll(), "our FIN");
        p.none(p.ack(), "ACK of our FIN");
        p.expectState(TcpState.FIN_WAIT_2, "after the ACK of our FIN");
        expect(p.conn.send(ByteBuffer.wrap(new byte[10])) < 0, p, "RFC 9293 §3.10.2: SEND after CLOSE is an error");
        for (int i = 1; i <= 3; i++) {
            List<TcpHeader> out = p.data(1000);
            long want = p.sndNxt;
            expect(out.stream().anyMatch(s -> s.acknowledgmentNumber() == want), p, out,
                    "RFC 9293 §3.10.7.4 seventh step, FIN-WAIT-2: data is accepted and acknowledged (segment " + i + ")");
        }
        byte[] got = p.appRead();
        expect(got != null && got.length == 3000, p, "all 3000 bytes readable after the half-close; got "
                + (got == null ? "EOF" : got.length));
        TcpHeader ack = p.one(p.fin(), "ACK of the peer's FIN");
        p.check(ack, "ACK of the peer's FIN").flags(ACK).ack(p.sndNxt);
        p.expectState(TcpState.TIME_WAIT, "the peer's FIN ends the half-close");
    }

    @Test
    void afterThePeerHalfClosesTheStackKeepsSending() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.fin();
        p.expectState(TcpState.CLOSE_WAIT, "after the peer's FIN");
        List<TcpHeader> out = new java.util.ArrayList<>(p.appSend(3000));
        out.addAll(p.ack()); // Nagle holds the last 104 bytes until this ACK
        p.none(p.ack(), "ACK of all our data");
        int sent = out.stream().mapToInt(s -> s.payload().length).sum();
        expect(sent == 3000, p, out, "RFC 9293 §3.10.2: SEND in CLOSE-WAIT is allowed; 3000 bytes must go out");
        p.conn.shutdownOutput();
        TcpHeader fin = p.one(p.poll(), "our FIN after the data");
        p.check(fin, "our FIN").flags(FIN | ACK).seq(p.stackIss + 3001);
        p.ack();
        expect(!p.tcbExists(), p, "LAST-ACK → CLOSED");
    }
}
