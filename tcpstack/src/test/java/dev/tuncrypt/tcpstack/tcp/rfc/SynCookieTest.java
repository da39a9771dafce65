package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;

import dev.tuncrypt.tcpstack.tcp.TcpConfig;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.tcp.TcpStats;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import dev.tuncrypt.tcpstack.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SYN cookies (RFC 4987 §3.6, as Linux does them): once a listener holds synBacklog half-open
 * connections, further SYNs get a stateless SYN-ACK whose ISN is a cookie; an ACK returning a
 * valid cookie (SEG.ACK - 1) creates the connection ESTABLISHED with the MSS the cookie encodes,
 * and nothing else (no window scaling, SACK or timestamps: the cookie SYN-ACK did not offer
 * them); an ACK with a forged cookie is reset (RFC 9293 §3.10.7.2, bad ACK in LISTEN).
 */
class SynCookieTest extends TcpRfcTest {
    private static final int SYN_BACKLOG = 2;
    private static final TcpConfig CFG_SMALL = CFG.withSynBacklog(16, SYN_BACKLOG);

    private record Flood(Peer listener, List<Peer> clients, List<TcpHeader> synAcks) {}

    private Flood flood(int n) {
        Peer l = Peer.listen(h, CFG_SMALL, 16);
        List<Peer> clients = new ArrayList<>();
        List<TcpHeader> synAcks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Peer c = l.client(41000 + i);
            TcpHeader sa = c.one(c.mine(c.syn(PeerOptions.ALL)), "SYN-ACK for client " + i);
            c.check(sa, "SYN-ACK for client " + i).flags(SYN | ACK).ack(c.peerIss + 1);
            clients.add(c);
            synAcks.add(sa);
        }
        return new Flood(l, clients, synAcks);
    }

    @Test
    void beyondTheSynBacklogSynAcksCarryCookies() {
        Flood f = flood(5);
        for (int i = 0; i < 5; i++) {
            TcpHeader sa = f.synAcks().get(i);
            Peer c = f.clients().get(i);
            if (i < SYN_BACKLOG) {
                c.check(sa, "SYN " + i + " within the SYN backlog: a stateful SYN-ACK with every option")
                        .hasOption(TcpOption.Timestamps.class).hasOption(TcpOption.WindowScale.class)
                        .hasOption(TcpOption.SackPermitted.class);
            } else {
                c.check(sa, "SYN " + i + " beyond the SYN backlog: a cookie SYN-ACK (MSS only)")
                        .hasOption(TcpOption.Mss.class).lacksOption(TcpOption.Timestamps.class)
                        .lacksOption(TcpOption.WindowScale.class).lacksOption(TcpOption.SackPermitted.class);
            }
        }
        expect(f.listener().listener.halfOpen() == SYN_BACKLOG, f.listener(),
                "no state is kept beyond the SYN backlog: halfOpen " + f.listener().listener.halfOpen());
        expect(h.stack.tcp(0).counters().cookiesSent() == 5 - SYN_BACKLOG, f.listener(),
                "cookies sent: " + h.stack.tcp(0).counters().cookiesSent());
        expect(h.stack.tcp(0).connectionCount() == SYN_BACKLOG, f.listener(),
                "TCBs: " + h.stack.tcp(0).connectionCount());
    }

    @Test
    void validCookieAckCompletesAConnection() {
        Flood f = flood(4);
        Peer c = f.clients().get(3);
        c.completePassive(); // <SEQ=ISN+1><ACK=cookie+1><CTL=ACK>
        expect(c.conn.flow().remotePort() == 41003, c, "the connection is the cookie client's");
        TcpStats st = c.conn.stats();
        expect(st.mss() == 1460 && !st.timestamps() && !st.sack() && st.sendWindowShift() == 0
                && st.receiveWindowShift() == 0, c, "the connection has the cookie's MSS (1460) and no other "
                + "option: " + st);
        List<TcpHeader> out = c.data(100);
        expect(out.stream().anyMatch(s -> s.acknowledgmentNumber() == c.sndNxt), c, out, "data is acknowledged");
        TcpHeader d = c.one(c.appSend(100), "data from the stack");
        c.check(d, "the stack's first byte is cookie + 1").flags(ACK).seq(c.stackIss + 1).len(100);
        expect(h.stack.tcp(0).counters().cookiesAccepted() == 1, c, "one cookie accepted");
        c.expectState(TcpState.ESTABLISHED, "cookie connection");
    }

    @Test
    void forgedCookieIsReset() {
        Flood f = flood(4);
        Peer c = f.clients().get(3);
        long forged = Peer.add(c.stackIss, 1 + 0x0123_4567L);
        TcpHeader rst = c.one(c.mine(c.send(c.seg().ack(forged))), "RFC 9293 §3.10.7.2: an ACK with a bad cookie");
        c.check(rst, "<SEQ=SEG.ACK><CTL=RST>").flags(RST).seq(forged);
        expect(c.acceptor.accepted == 0 && h.stack.tcp(0).connectionCount() == SYN_BACKLOG, c,
                "no connection from a forged cookie");
    }
}
