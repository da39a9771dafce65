package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.TestPackets.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tcpstack.wire.Ipv4View;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 1122 §3.2.2 / §4.1.3.1: port and protocol unreachable, and when errors must not be sent. */
class UnreachableTest {

    @Test
    void udpToStackGetsPortUnreachableQuotingTheDatagram() {
        try (StackHarness h = new StackHarness()) {
            byte[] sent = udp4(KERNEL4, STACK4, 5353, 9999, bytes(30, 1));
            List<byte[]> out = h.exchange(sent);
            assertThat(out).hasSize(1);
            ByteBuffer r = ByteBuffer.wrap(out.get(0));
            Ipv4View ip = new Ipv4View();
            assertThat(ip.wrap(r, 0, r.capacity())).isNull();
            int at = ip.payloadOffset();
            assertThat(r.get(at)).isEqualTo((byte) 3);
            assertThat(r.get(at + 1)).isEqualTo((byte) 3);
            assertThat(Checksum.verify(r, at, ip.payloadLength())).isTrue();
            byte[] quoted = Arrays.copyOfRange(out.get(0), at + 8, out.get(0).length);
            assertThat(quoted).isEqualTo(sent);
            assertThat(h.counters().drops(DropReason.UDP_NO_LISTENER)).isEqualTo(1);
        }
    }

    @Test
    void unknownProtocolGetsProtocolUnreachable() {
        try (StackHarness h = new StackHarness()) {
            List<byte[]> out = h.exchange(ipv4(KERNEL4, STACK4, 132, 1, bytes(12, 0)));
            assertThat(out).hasSize(1);
            assertThat(out.get(0)[20]).isEqualTo((byte) 3);
            assertThat(out.get(0)[21]).isEqualTo((byte) 2);
            assertThat(h.counters().drops(DropReason.UNSUPPORTED_PROTOCOL)).isEqualTo(1);
        }
    }

    @Test
    void noErrorAboutAnIcmpError() {
        try (StackHarness h = new StackHarness()) {
            // an ICMP destination unreachable sent to the stack is not answered with another error,
            // whether what it quotes makes sense (a UDP datagram the stack might have sent) or not
            byte[] quoted = java.util.Arrays.copyOf(udp4(STACK4, KERNEL4, 9999, 5353, bytes(8, 0)), 28);
            assertThat(h.exchange(ipv4(KERNEL4, STACK4, 1, 3, icmpEcho(3, 0, 0, quoted, 0)))).isEmpty();
            assertThat(h.exchange(ipv4(KERNEL4, STACK4, 1, 3, icmpEcho(3, 0, 0, bytes(28, 0), 0)))).isEmpty();
            assertThat(h.counters().icmpErrorsSent()).isZero();
        }
    }

    @Test
    void errorsAreRateLimited() {
        try (StackHarness h = new StackHarness(NetStack.builder().config(StackConfig.DEFAULT.withIcmpErrorRate(10, 5)))) {
            for (int i = 0; i < 20; i++) {
                h.send(udp4(KERNEL4, STACK4, 5353, 9999, bytes(4, i)));
            }
            assertThat(h.poll()).hasSize(5);
            assertThat(h.counters().drops(DropReason.ICMP_ERROR_SUPPRESSED)).isEqualTo(15);
            assertThat(h.advance(200_000_000L)).isEmpty(); // tokens refill, but nothing is pending
            h.send(udp4(KERNEL4, STACK4, 5353, 9999, bytes(4, 0)));
            assertThat(h.poll()).hasSize(1);
        }
    }

    @Test
    void martianSourcesAreDropped() {
        try (StackHarness h = new StackHarness()) {
            assertThat(h.exchange(echoRequest4(ip4("224.0.0.1"), STACK4, 1, 1, bytes(8, 0)))).isEmpty();
            assertThat(h.exchange(echoRequest4(STACK4, STACK4, 1, 1, bytes(8, 0)))).isEmpty();
            assertThat(h.exchange(echoRequest4(ip4("127.0.0.1"), STACK4, 1, 1, bytes(8, 0)))).isEmpty();
            assertThat(h.counters().drops(DropReason.BAD_SOURCE)).isEqualTo(3);
        }
    }
}
