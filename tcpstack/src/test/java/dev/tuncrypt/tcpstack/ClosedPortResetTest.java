package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.TestPackets.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.wire.Ipv4View;
import dev.tuncrypt.tcpstack.wire.Ipv6View;
import dev.tuncrypt.tcpstack.wire.TcpView;
import dev.tuncrypt.tcpstack.wire.WireError;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 9293 §3.10.7.1: segments to a CLOSED port are answered with a reset. */
class ClosedPortResetTest {
    private final Ipv4View ip = new Ipv4View();
    private final TcpView tcp = new TcpView();

    private void parse(byte[] packet) {
        ByteBuffer b = ByteBuffer.wrap(packet);
        assertThat(ip.wrap(b, 0, b.capacity())).isNull();
        assertThat(tcp.wrap(b, ip.payloadOffset(), ip.payloadLength())).isNull();
        assertThat(tcp.verifyChecksum(ip.pseudoHeaderSum())).isNull();
    }

    @Test
    void synWithoutAckGetsRstAckAcknowledgingTheSyn() {
        try (StackHarness h = new StackHarness()) {
            List<byte[]> out = h.exchange(tcp4(KERNEL4, STACK4, 40000, 9, 1000, 0, TcpView.SYN, new byte[0]));
            assertThat(out).hasSize(1);
            parse(out.get(0));
            // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
            assertThat(tcp.flags()).isEqualTo(TcpView.RST | TcpView.ACK);
            assertThat(tcp.sequenceNumber()).isZero();
            assertThat(tcp.acknowledgmentNumber()).isEqualTo(1001);
            assertThat(tcp.sourcePort()).isEqualTo(9);
            assertThat(tcp.destinationPort()).isEqualTo(40000);
            assertThat(ip.source()).isEqualTo(STACK4);
            assertThat(h.counters().resetsSent()).isEqualTo(1);
            assertThat(h.counters().drops(DropReason.TCP_NO_LISTENER)).isEqualTo(1);
        }
    }

    @Test
    void dataWithFinCountsBothInAcknowledgment() {
        try (StackHarness h = new StackHarness()) {
            List<byte[]> out = h.exchange(tcp4(KERNEL4, STACK4, 40000, 80, 0xFFFFFFF0L, 0, TcpView.FIN, bytes(20, 1)));
            parse(out.get(0));
            assertThat(tcp.acknowledgmentNumber()).isEqualTo((0xFFFFFFF0L + 21) & 0xFFFFFFFFL); // wraps
        }
    }

    @Test
    void segmentWithAckGetsRstWithSeqEqualToItsAck() {
        try (StackHarness h = new StackHarness()) {
            List<byte[]> out = h.exchange(tcp4(KERNEL4, STACK4, 40000, 9, 5, 123456789L, TcpView.ACK, bytes(10, 2)));
            parse(out.get(0));
            // <SEQ=SEG.ACK><CTL=RST>
            assertThat(tcp.flags()).isEqualTo(TcpView.RST);
            assertThat(tcp.sequenceNumber()).isEqualTo(123456789L);
        }
    }

    @Test
    void resetIsNeverAnsweredWithAReset() {
        try (StackHarness h = new StackHarness()) {
            assertThat(h.exchange(tcp4(KERNEL4, STACK4, 40000, 9, 5, 0, TcpView.RST, new byte[0]))).isEmpty();
            assertThat(h.counters().drops(DropReason.TCP_RESET_UNMATCHED)).isEqualTo(1);
            assertThat(h.counters().resetsSent()).isZero();
        }
    }

    @Test
    void synOverIpv6GetsReset() {
        try (StackHarness h = new StackHarness()) {
            List<byte[]> out = h.exchange(tcp6(KERNEL6, STACK6, 40000, 9, 77, 0, TcpView.SYN, new byte[0]));
            assertThat(out).hasSize(1);
            ByteBuffer b = ByteBuffer.wrap(out.get(0));
            Ipv6View ip6 = new Ipv6View();
            assertThat(ip6.wrap(b, 0, b.capacity())).isNull();
            assertThat(tcp.wrap(b, ip6.payloadOffset(), ip6.payloadLength())).isNull();
            assertThat(tcp.verifyChecksum(ip6.pseudoHeaderSum())).isNull();
            assertThat(tcp.flags()).isEqualTo(TcpView.RST | TcpView.ACK);
            assertThat(tcp.acknowledgmentNumber()).isEqualTo(78);
        }
    }

    @Test
    void segmentWithBadChecksumIsDroppedSilently() {
        try (StackHarness h = new StackHarness()) {
            byte[] p = tcp4(KERNEL4, STACK4, 40000, 9, 1, 0, TcpView.SYN, new byte[0]);
            p[30] ^= 1; // a sequence number bit
            assertThat(h.exchange(p)).isEmpty();
            assertThat(h.counters().malformedCount(WireError.BAD_CHECKSUM)).isEqualTo(1);
        }
    }

    @Test
    void segmentWithDataOffsetBelowFiveIsMalformed() {
        try (StackHarness h = new StackHarness()) {
            byte[] p = tcp4(KERNEL4, STACK4, 40000, 9, 1, 0, TcpView.SYN, new byte[0]);
            p[20 + 12] = 0x40;
            assertThat(h.exchange(p)).isEmpty();
            assertThat(h.counters().malformedCount(WireError.BAD_DATA_OFFSET)).isEqualTo(1);
        }
    }
}
