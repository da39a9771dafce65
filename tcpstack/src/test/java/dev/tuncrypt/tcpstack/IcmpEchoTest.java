package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.TestPackets.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import dev.tuncrypt.tcpstack.wire.Ipv4View;
import dev.tuncrypt.tcpstack.wire.Ipv6View;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 792 / RFC 4443 §4: echo requests to stack addresses get echo replies carrying the same data. */
class IcmpEchoTest {

    @Test
    void echoRequestToStackAddressIsAnsweredWithSameData() {
        try (StackHarness h = new StackHarness()) {
            byte[] data = bytes(56, 3);
            List<byte[]> out = h.exchange(echoRequest4(KERNEL4, STACK4, 0x1234, 7, data));
            assertThat(out).hasSize(1);
            ByteBuffer r = ByteBuffer.wrap(out.get(0));
            Ipv4View ip = new Ipv4View();
            assertThat(ip.wrap(r, 0, r.capacity())).isNull();
            assertThat(ip.source()).isEqualTo(STACK4);
            assertThat(ip.destination()).isEqualTo(KERNEL4);
            assertThat(ip.protocol()).isEqualTo(IpProtocol.ICMP);
            int at = ip.payloadOffset();
            assertThat(r.get(at)).isEqualTo((byte) 0);
            assertThat(r.getShort(at + 4)).isEqualTo((short) 0x1234);
            assertThat(r.getShort(at + 6)).isEqualTo((short) 7);
            assertThat(Checksum.verify(r, at, ip.payloadLength())).isTrue();
            byte[] echoed = new byte[data.length];
            r.get(at + 8, echoed);
            assertThat(echoed).isEqualTo(data);
            assertThat(h.counters().echoReplies()).isEqualTo(1);
        }
    }

    @Test
    void echoRequest6IsAnsweredWithValidChecksum() {
        try (StackHarness h = new StackHarness()) {
            byte[] data = bytes(100, 9);
            List<byte[]> out = h.exchange(echoRequest6(KERNEL6, STACK6, 77, 1, data));
            assertThat(out).hasSize(1);
            ByteBuffer r = ByteBuffer.wrap(out.get(0));
            Ipv6View ip = new Ipv6View();
            assertThat(ip.wrap(r, 0, r.capacity())).isNull();
            assertThat(ip.nextHeader()).isEqualTo(IpProtocol.ICMPV6);
            assertThat(ip.sourceLo()).isEqualTo(STACK6[1]);
            assertThat(ip.destinationLo()).isEqualTo(KERNEL6[1]);
            int at = ip.payloadOffset();
            assertThat(r.get(at) & 0xff).isEqualTo(129);
            assertThat(Checksum.verify(r, at, ip.payloadLength(), ip.pseudoHeaderSum())).isTrue();
        }
    }

    @Test
    void echoRequestToAnotherAddressIsDroppedAsNotForUs() {
        try (StackHarness h = new StackHarness()) {
            assertThat(h.exchange(echoRequest4(KERNEL4, ip4("198.18.7.99"), 1, 1, bytes(8, 0)))).isEmpty();
            assertThat(h.counters().drops(DropReason.NOT_FOR_US)).isEqualTo(1);
        }
    }

    @Test
    void echoRequestWithBadChecksumIsDroppedAndCounted() {
        try (StackHarness h = new StackHarness()) {
            byte[] p = echoRequest4(KERNEL4, STACK4, 1, 1, bytes(8, 0));
            p[p.length - 1] ^= 0x40;
            assertThat(h.exchange(p)).isEmpty();
            assertThat(h.counters().malformedCount(dev.tuncrypt.tcpstack.wire.WireError.BAD_CHECKSUM)).isEqualTo(1);
        }
    }

    @Test
    void manyEchoesAllAnswered() {
        try (StackHarness h = new StackHarness()) {
            for (int i = 0; i < 1000; i++) {
                h.send(echoRequest4(KERNEL4, STACK4, 5, i, bytes(32, i)));
            }
            assertThat(h.poll()).hasSize(1000);
            assertThat(h.counters().totalDrops()).isZero();
        }
    }
}
