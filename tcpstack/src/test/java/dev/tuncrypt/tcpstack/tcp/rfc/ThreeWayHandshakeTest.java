package dev.tuncrypt.tcpstack.tcp.rfc;

import static dev.tuncrypt.tcpstack.wire.TcpView.ACK;
import static dev.tuncrypt.tcpstack.wire.TcpView.SYN;

import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.tcp.TcpStats;
import dev.tuncrypt.tcpstack.wire.TcpHeader;
import dev.tuncrypt.tcpstack.wire.TcpOption;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * RFC 9293 §3.5, figure 7: the basic three-way handshake, from both ends, and the options it
 * negotiates: MSS (RFC 9293 §3.7.1, default 536 for IPv4 and 1220 for IPv6 when absent), window
 * scale (RFC 7323 §2: both SYNs must carry it; the window of a SYN is never scaled; shifts above
 * 14 are taken as 14), SACK-permitted (RFC 2018 §2) and timestamps (RFC 7323 §3: both SYNs must
 * carry it; TSecr echoes the peer's TSval).
 */
class ThreeWayHandshakeTest extends TcpRfcTest {

    /** The window the stack should advertise with a scale of {@code shift}: its whole (empty) receive buffer. */
    private static int expectedWindowField(int shift) {
        return (int) Math.min(65535, (long) CFG.receiveBuffer() >> shift);
    }

    @Nested
    class ActiveOpen {
        @Test
        void synOffersMssWindowScaleSackPermittedAndTimestamps() {
            Peer p = Peer.connect(h, CFG);
            TcpHeader syn = p.stackSyn;
            p.check(syn, "RFC 9293 figure 7 line 2: <SEQ=ISS><CTL=SYN>").flags(SYN)
                    .hasOption(TcpOption.Mss.class).hasOption(TcpOption.SackPermitted.class)
                    .hasOption(TcpOption.Timestamps.class).hasOption(TcpOption.WindowScale.class);
            expect(Peer.option(syn, TcpOption.Mss.class).mss() == 1460, p, "SYN MSS must be 1460 on a 1500-byte link");
            expect(Peer.option(syn, TcpOption.WindowScale.class).shift() == CFG.receiveWindowShift(), p,
                    "SYN window scale must be the shift that fits the receive buffer (" + CFG.receiveWindowShift() + ")");
            expect(Peer.option(syn, TcpOption.Timestamps.class).tsEcr() == 0, p,
                    "RFC 7323 §3.2: TSecr of a segment without ACK SHOULD be zero");
            expect(syn.window() == 65535, p, "RFC 7323 §2.2: the SYN's window is unscaled; a 1 MiB buffer offers 65535");
            p.expectState(TcpState.SYN_SENT, "after connect()");
        }

        @Test
        void synAckWithAllOptionsNegotiatesThem() {
            Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
            TcpHeader ack = p.log.getLast();
            TcpOption.Timestamps ts = Peer.option(ack, TcpOption.Timestamps.class);
            expect(ts != null, p, "RFC 7323 §3.2: timestamps were negotiated, so the ACK must carry them");
            TcpStats st = p.conn.stats();
            expect(st.timestamps() && st.sack(), p, "timestamps and SACK must be on: " + st);
            expect(st.sendWindowShift() == 7 && st.receiveWindowShift() == CFG.receiveWindowShift(), p,
                    "window scale: send shift 7 (peer's), receive shift " + CFG.receiveWindowShift() + " (ours); got "
                            + st.sendWindowShift() + "/" + st.receiveWindowShift());
            expect(st.mss() == 1460 - 12, p, "RFC 7323 §4.2 / RFC 9293 §3.7.1: SMSS = 1460 less 12 bytes of "
                    + "timestamps option = 1448; got " + st.mss());
            expect(p.events.established, p, "onEstablished must fire");
        }

        /**
         * RFC 9293 §3.3.1/§3.8.6: RCV.WND is the buffer space the receiver offers; RFC 7323 §2.3:
         * the field is that window shifted right by our scale. A 1 MiB buffer with shift 5 is
         * field 32768; anything larger promises space the stack does not have.
         */
        @Test
        void ackAdvertisesTheReceiveBufferAndNoMore() {
            Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL);
            p.check(p.log.getLast(), "the handshake's ACK advertises the receive buffer, scaled by our shift "
                    + CFG.receiveWindowShift()).window(expectedWindowField(CFG.receiveWindowShift()));
        }

        @Test
        void ackEchoesThePeersTsVal() {
            Peer p = Peer.connect(h, CFG);
            long peerTsVal = p.tsVal();
            TcpHeader ack = p.one(p.synAck(PeerOptions.ALL), "the stack's ACK of the SYN-ACK");
            TcpOption.Timestamps ts = Peer.option(ack, TcpOption.Timestamps.class);
            expect(ts != null && ts.tsEcr() == peerTsVal, p, List.of(ack),
                    "RFC 7323 §4.3: TSecr of the ACK must echo the SYN-ACK's TSval " + peerTsVal);
        }

        @Test
        void synAckWithoutOptionsFallsBackToDefaults() {
            Peer p = Peer.activeOpen(h, CFG, PeerOptions.NONE);
            TcpHeader ack = p.log.getLast();
            p.check(ack, "RFC 7323 §3.2: no timestamps without the peer's TSopt").lacksOption(TcpOption.Timestamps.class);
            TcpStats st = p.conn.stats();
            expect(!st.timestamps() && !st.sack(), p, "no timestamps, no SACK: " + st);
            expect(st.sendWindowShift() == 0 && st.receiveWindowShift() == 0, p,
                    "RFC 7323 §2.2: without the peer's window scale option neither direction scales: " + st);
            expect(st.mss() == 536, p, "RFC 9293 §3.7.1: SMSS defaults to 536 without an MSS option; got " + st.mss());
            p.check(ack, "RFC 7323 §2.2: unscaled window, at most 65535").window(expectedWindowField(0));
        }

        @Test
        void synAckWindowIsNeverScaled() {
            Peer p = Peer.connect(h, CFG);
            p.window = 1000;
            p.one(p.synAck(PeerOptions.ALL), "the stack's ACK of the SYN-ACK");
            expect(p.conn.stats().sendWindow() == 1000, p, "RFC 7323 §2.2: \"The window field in a segment where the "
                    + "SYN bit is set MUST NOT be scaled\": SYN-ACK window 1000 with WS 7 is 1000 bytes, the stack "
                    + "took SND.WND = " + p.conn.stats().sendWindow());
            List<TcpHeader> out = p.appSend(5000);
            int sent = out.stream().mapToInt(s -> s.payload().length).sum();
            expect(sent <= 1000, p, out, "the peer offered 1000 bytes (SYN-ACK window, unscaled): the stack sent "
                    + sent + " bytes");
        }

        @Test
        void windowScaleAbove14IsTakenAs14() {
            Peer p = Peer.activeOpen(h, CFG, PeerOptions.ALL.withWindowScale(15));
            expect(p.conn.stats().sendWindowShift() == 14, p,
                    "RFC 7323 §2.3: a shift above 14 is used as 14; got " + p.conn.stats().sendWindowShift());
        }
    }

    @Nested
    class PassiveOpen {
        @Test
        void synAckAnswersEveryOfferedOption() {
            Peer p = Peer.listen(h, CFG, 16);
            long peerTsVal = p.tsVal();
            TcpHeader synAck = p.one(p.syn(PeerOptions.ALL), "RFC 9293 figure 7 line 3: the stack's SYN-ACK");
            p.check(synAck, "<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>").flags(SYN | ACK).ack(p.peerIss + 1)
                    .hasOption(TcpOption.Mss.class).hasOption(TcpOption.SackPermitted.class)
                    .hasOption(TcpOption.Timestamps.class).hasOption(TcpOption.WindowScale.class);
            expect(Peer.option(synAck, TcpOption.Timestamps.class).tsEcr() == peerTsVal, p, List.of(synAck),
                    "RFC 7323 §3.2: the SYN-ACK's TSecr echoes the SYN's TSval " + peerTsVal);
            expect(Peer.option(synAck, TcpOption.WindowScale.class).shift() == CFG.receiveWindowShift(), p,
                    List.of(synAck), "window scale shift " + CFG.receiveWindowShift());
            expect(synAck.window() == 65535, p, List.of(synAck), "RFC 7323 §2.2: SYN-ACK window unscaled");
            expect(p.listener.halfOpen() == 1, p, "one half-open connection");
            p.completePassive();
            TcpStats st = p.conn.stats();
            expect(st.timestamps() && st.sack() && st.sendWindowShift() == 7
                    && st.receiveWindowShift() == CFG.receiveWindowShift() && st.mss() == 1448, p,
                    "negotiated: timestamps, SACK, shifts 7/" + CFG.receiveWindowShift() + ", SMSS 1448; got " + st);
            expect(p.listener.halfOpen() == 0, p, "no half-open connection left");
        }

        @Test
        void synWithoutOptionsGetsMssOnlyAndDefaults() {
            Peer p = Peer.listen(h, CFG, 16);
            TcpHeader synAck = p.one(p.syn(PeerOptions.NONE), "the stack's SYN-ACK");
            p.check(synAck, "RFC 7323 §1.3/§2.2 and RFC 2018 §2: options the SYN lacked are not answered")
                    .flags(SYN | ACK).hasOption(TcpOption.Mss.class).lacksOption(TcpOption.WindowScale.class)
                    .lacksOption(TcpOption.SackPermitted.class).lacksOption(TcpOption.Timestamps.class);
            p.completePassive();
            TcpStats st = p.conn.stats();
            expect(!st.timestamps() && !st.sack() && st.sendWindowShift() == 0 && st.receiveWindowShift() == 0, p,
                    "nothing negotiated: " + st);
            expect(st.mss() == 536, p, "RFC 9293 §3.7.1: IPv4 default SMSS 536; got " + st.mss());
        }

        @Test
        void ipv6SynWithoutMssDefaultsTo1220() {
            Peer p = Peer.listen(h, CFG, 16, true);
            p.one(p.syn(PeerOptions.NONE), "the stack's SYN-ACK over IPv6");
            p.completePassive();
            expect(p.conn.stats().mss() == 1220, p,
                    "RFC 9293 §3.7.1 / RFC 8200 §5: IPv6 default SMSS 1220; got " + p.conn.stats().mss());
        }

        @Test
        void dataOnTheHandshakeCompletingAckIsDelivered() {
            Peer p = Peer.listen(h, CFG, 16);
            p.one(p.syn(PeerOptions.ALL), "the stack's SYN-ACK");
            List<TcpHeader> out = p.data(100);
            expect(p.acceptor.queue.size() == 1, p, out, "the ACK with data completes the handshake");
            p.conn = p.acceptor.take();
            p.events = p.acceptor.events(p.conn);
            byte[] got = p.appRead();
            expect(got != null && got.length == 100, p, out,
                    "RFC 9293 §3.10.7.4: text on the ACK completing the handshake is delivered");
        }
    }
}
