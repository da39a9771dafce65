package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.PSH;
import static dev.tuncrypt.tcpstack.wire.TcpView.RST;

import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import dev.tuncrypt.tcpstack.wire.TcpOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 7323 §5 (PAWS): on a connection with timestamps, a segment whose TSval is older than
 * TS.Recent is an old duplicate: it is dropped and acknowledged (§5.3 R1), except a reset. A
 * segment with the same TSval is fine. TS.Recent follows the segments that cover Last.ACK.sent
 * and is echoed in TSecr (§4.3). A segment without timestamps on a timestamped connection is
 * accepted, as Linux does (RFC 7323 §3.2 says SHOULD drop; it MUST NOT abort).
 */
class PawsTest extends TcpRfcTest {

    @Test
    void segmentWithAnOlderTsValIsDroppedAndAcknowledged() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        long tsRecent = p.tsVal();
        List<TcpHeader> out = p.send(p.seg().flags(ACK | PSH).payload(100, 1).noTimestamps().ts(tsRecent, p.tsRecent));
        p.sndNxt = Peer.add(p.sndNxt, 100);
        TcpHeader ack = p.one(out, "ACK of the first 100 bytes");
        expect(Peer.option(ack, TcpOption.Timestamps.class).tsEcr() == tsRecent, p, out,
                "RFC 7323 §4.3: TSecr echoes the TSval of the segment that advanced RCV.NXT (" + tsRecent + ")");
        p.advance(10 * MS);
        Seg old = p.seg().flags(ACK | PSH).payload(100, 2).noTimestamps().ts(tsRecent - 1000, p.tsRecent);
        long pawsBefore = p.conn.stats().pawsRejected();
        out = p.send(old);
        TcpHeader dupAck = p.one(out, "RFC 7323 §5.3 R1: a segment with TSval < TS.Recent is answered with an ACK");
        p.check(dupAck, "the ACK for the PAWS-rejected segment: RCV.NXT unchanged").flags(ACK).ack(p.sndNxt);
        expect(Peer.option(dupAck, TcpOption.Timestamps.class).tsEcr() == tsRecent, p, out,
                "TS.Recent must not move back: TSecr stays " + tsRecent);
        byte[] got = p.appRead();
        expect(got != null && got.length == 100, p, out, "RFC 7323 §5.3 R1: the old segment is dropped: 100 bytes "
                + "readable, not " + (got == null ? "EOF" : got.length));
        expect(p.conn.stats().pawsRejected() == pawsBefore + 1, p, "PAWS rejections are counted");
    }

    @Test
    void segmentWithTheSameTsValIsAccepted() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        long ts = p.tsVal();
        p.send(p.seg().flags(ACK | PSH).payload(100, 1).noTimestamps().ts(ts, p.tsRecent));
        p.sndNxt = Peer.add(p.sndNxt, 100);
        List<TcpHeader> out = p.send(p.seg().flags(ACK | PSH).payload(100, 2).noTimestamps().ts(ts, p.tsRecent));
        p.sndNxt = Peer.add(p.sndNxt, 100);
        expect(out.stream().anyMatch(s -> s.acknowledgmentNumber() == p.sndNxt), p, out,
                "RFC 7323 §5.3: only TSval < TS.Recent is rejected; equal TSvals are fine");
    }

    @Test
    void segmentWithoutTimestampsIsAcceptedLikeLinux() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        List<TcpHeader> out = p.send(p.seg().flags(ACK | PSH).payload(100, 1).noTimestamps());
        p.sndNxt = Peer.add(p.sndNxt, 100);
        expect(out.stream().anyMatch(s -> s.acknowledgmentNumber() == p.sndNxt), p, out,
                "a segment without TSopt on a timestamped connection is accepted (as Linux) and acknowledged");
        byte[] got = p.appRead();
        expect(got != null && got.length == 100, p, out, "its 100 bytes are delivered");
        p.expectState(TcpState.ESTABLISHED, "RFC 7323 §3.2: MUST NOT abort because a segment lacks TSopt");
    }

    @Test
    void resetWithAnOldTsValIsNotSubjectToPaws() {
        Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
        p.data(100);
        p.advance(10 * MS);
        Seg rst = p.raw().seq(p.sndNxt).flags(RST).ts(p.tsVal() - 5000, 0);
        p.none(p.send(rst), "a reset is never answered");
        expect(p.conn.state() == TcpState.CLOSED, p, "RFC 7323 §5.3 R1 applies only \"if the RST bit is not set\": "
                + "the reset at RCV.NXT with an old TSval must still reset the connection");
    }
}
