package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.WireTestSupport.buf;
import static dev.tuncrypt.tcpstack.wire.WireTestSupport.bytes;
import static dev.tuncrypt.tcpstack.wire.WireTestSupport.hex;
import static dev.tuncrypt.tcpstack.wire.WireTestSupport.ipv4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real packets, byte for byte. Built with Scapy 2.5 and checked with tshark 4.0
 * ({@code ip/tcp/udp.check_checksum:TRUE}: every checksum "[correct]"), so the expected checksums
 * do not come from the code under test.
 */
class KnownPacketsTest {

    /** A Linux-style SYN: MSS 1460, SACK-Permitted, Timestamps, NOP, Window Scale 7. */
    static final String SYN_V4 = """
            45 00 00 3c 1c 46 40 00 40 06 92 4e c6 12 00 01 c6 12 00 02
            d4 31 00 50 3a 2b 1c 0d 00 00 00 00 a0 02 fa f0 53 de 00 00
            02 04 05 b4 04 02 08 0a 00 0f 42 40 00 00 00 00 01 03 03 07""";

    /** An IPv6 SYN with ENO both ways: kind 253/ExID 0x454E (tcpcryptd 0.5) and kind 69 (RFC 8547). */
    static final String SYN_V6 = """
            60 01 23 45 00 34 06 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
            20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
            9c 40 1e 61 de ad be ef 00 00 00 00 d0 02 ff ff 99 d4 00 00
            02 04 05 a0 01 03 03 07 01 01 08 0a 01 02 03 04 00 00 00 00 fd 06 45 4e 21 22 45 03 21 00 00 00""";

    static final String ICMPV6_ECHO = """
            60 00 00 00 00 0c 3a 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
            20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
            80 00 33 38 12 34 00 07 70 69 6e 67""";

    static final String UDP_V4 = "45000021000100004011eea3c6120001c612000214e90035000d1abc68656c6c6f";

    static final String ICMP_V4_ECHO = "45000024000200004001eeafc6120001c612000208002427424200016162636465666768";

    @Test
    void linuxStyleSynOverIpv4() {
        ByteBuffer b = buf(SYN_V4);
        Ipv4View ip = new Ipv4View();
        assertNull(ip.wrap(b, 0, b.capacity()));
        assertEquals(20, ip.headerLength());
        assertEquals(60, ip.totalLength());
        assertEquals(0x1c46, ip.identification());
        assertTrue(ip.dontFragment());
        assertFalse(ip.isFragment());
        assertEquals(64, ip.ttl());
        assertEquals(IpProtocol.TCP, ip.protocol());
        assertEquals(0x924e, ip.headerChecksum());
        assertEquals(ipv4(198, 18, 0, 1), ip.source());
        assertEquals(ipv4(198, 18, 0, 2), ip.destination());

        TcpView tcp = new TcpView();
        assertNull(tcp.wrap(b, ip.payloadOffset(), ip.payloadLength()));
        assertNull(tcp.verifyChecksum(ip.pseudoHeaderSum()));
        assertEquals(54321, tcp.sourcePort());
        assertEquals(80, tcp.destinationPort());
        assertEquals(0x3a2b1c0dL, tcp.sequenceNumber());
        assertEquals(0, tcp.acknowledgmentNumber());
        assertEquals(40, tcp.headerLength());
        assertEquals(TcpView.SYN, tcp.flags());
        assertEquals(64240, tcp.window());
        assertEquals(0x53de, tcp.checksum());
        assertEquals(0, tcp.payloadLength());
        assertEquals(40, tcp.optionsOffset());
        assertEquals(20, tcp.optionsLength());

        TcpOptions o = new TcpOptions();
        assertNull(tcp.parseOptions(o));
        assertTrue(o.hasMss());
        assertEquals(1460, o.mss());
        assertTrue(o.sackPermitted());
        assertTrue(o.hasTimestamps());
        assertEquals(1_000_000, o.tsVal());
        assertEquals(0, o.tsEcr());
        assertTrue(o.hasWindowScale());
        assertEquals(7, o.windowScale());
        assertEquals(0, o.sackBlockCount());
        assertFalse(o.hasEno());
        assertEquals(0, o.experimentalCount());
        assertEquals(0, o.unknownCount());

        // The records see the same, and the writers reproduce the packet exactly.
        Ipv4Header ipRec = Ipv4Header.parse(b).orElseThrow();
        TcpHeader tcpRec = TcpHeader.parse(b.duplicate().position(20), ipRec.pseudoHeader()).orElseThrow();
        assertEquals(List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(1_000_000, 0), new TcpOption.WindowScale(7)), tcpRec.options());

        ByteBuffer out = ByteBuffer.allocate(60);
        Ipv4View.writeHeader(out, 0, 60, 0x1c46, 64, IpProtocol.TCP, ipv4(198, 18, 0, 1), ipv4(198, 18, 0, 2), true);
        int start = TcpView.writeHeader(out, 20, 54321, 80, 0x3a2b1c0dL, 0, 40, TcpView.SYN, 64240, 0);
        int p = TcpOptionsWriter.mss(out, start, 1460);
        p = TcpOptionsWriter.sackPermitted(out, p);
        p = TcpOptionsWriter.timestamps(out, p, 1_000_000, 0);
        p = TcpOptionsWriter.nop(out, p);
        p = TcpOptionsWriter.windowScale(out, p, 7);
        assertEquals(60, TcpOptionsWriter.pad(out, start, p));
        assertEquals(0x53de, TcpView.fillChecksum(out, 20, 40, Checksum.pseudoHeaderIpv4(ip.source(), ip.destination(), 6, 40)));
        assertArrayEquals(hex(SYN_V4), out.array());
    }

    @Test
    void enoSynOverIpv6() {
        ByteBuffer b = buf(SYN_V6);
        Ipv6View ip = new Ipv6View();
        assertNull(ip.wrap(b, 0, b.capacity()));
        assertEquals(0, ip.trafficClass());
        assertEquals(0x12345, ip.flowLabel());
        assertEquals(64, ip.hopLimit());
        assertEquals(IpProtocol.TCP, ip.nextHeader());
        assertEquals(0x20010db8_00000000L, ip.sourceHi());
        assertEquals(1L, ip.sourceLo());
        assertEquals(0x20010db8_00000000L, ip.destinationHi());
        assertEquals(2L, ip.destinationLo());
        assertEquals(40, ip.payloadOffset());
        assertEquals(52, ip.payloadLength());

        TcpView tcp = new TcpView();
        assertNull(tcp.wrap(b, ip.payloadOffset(), ip.payloadLength()));
        assertNull(tcp.verifyChecksum(ip.pseudoHeaderSum()));
        assertEquals(40000, tcp.sourcePort());
        assertEquals(7777, tcp.destinationPort());
        assertEquals(0xdeadbeefL, tcp.sequenceNumber());
        assertEquals(52, tcp.headerLength());

        TcpOptions o = new TcpOptions();
        assertNull(tcp.parseOptions(o));
        assertEquals(1440, o.mss());
        assertEquals(7, o.windowScale());
        assertEquals(0x01020304L, o.tsVal());
        assertEquals(1, o.experimentalCount());
        assertEquals(TcpOptions.KIND_EXPERIMENT_1, o.experimentalKind(0));
        assertEquals(TcpOptions.EXID_ENO, o.experimentalExId(0));
        assertEquals(0, o.findExperimental(TcpOptions.EXID_ENO));
        assertArrayEquals(hex("2122"), bytes(b, o.experimentalOffset(0), o.experimentalLength(0)));
        assertTrue(o.hasEno());
        assertEquals(1, o.enoCount());
        assertArrayEquals(hex("21"), bytes(b, o.enoOffset(), o.enoLength()));

        TcpHeader rec = TcpHeader.parse(b.duplicate().position(40), new PseudoHeader.V6(
                ip.sourceHi(), ip.sourceLo(), ip.destinationHi(), ip.destinationLo())).orElseThrow();
        assertEquals(new TcpOption.Experimental(253, 0x454E, hex("2122")), rec.options().get(3));
        assertEquals(new TcpOption.Eno(hex("21")), rec.options().get(4));
    }

    @Test
    void icmpv6EchoRequest() {
        ByteBuffer b = buf(ICMPV6_ECHO);
        Ipv6View ip = new Ipv6View();
        assertNull(ip.wrap(b, 0, b.capacity()));
        assertEquals(IpProtocol.ICMPV6, ip.nextHeader());
        IcmpV6View icmp = new IcmpV6View();
        assertNull(icmp.wrap(b, ip.payloadOffset(), ip.payloadLength()));
        assertNull(icmp.verifyChecksum(ip.pseudoHeaderSum()));
        assertEquals(IcmpV6View.ECHO_REQUEST, icmp.type());
        assertEquals(0x1234, icmp.identifier());
        assertEquals(7, icmp.sequence());
        assertFalse(icmp.isError());
        assertArrayEquals("ping".getBytes(), bytes(b, icmp.payloadOffset(), icmp.payloadLength()));
        PseudoHeader.V6 ph = new PseudoHeader.V6(ip.sourceHi(), ip.sourceLo(), ip.destinationHi(), ip.destinationLo());
        assertArrayEquals(bytes(b, 40, 12), IcmpMessage.echo(128, 0x1234, 7, "ping".getBytes()).toBytesV6(ph));
    }

    @Test
    void udpOverIpv4() {
        ByteBuffer b = buf(UDP_V4);
        Ipv4View ip = new Ipv4View();
        assertNull(ip.wrap(b, 0, b.capacity()));
        UdpView udp = new UdpView();
        assertNull(udp.wrap(b, ip.payloadOffset(), ip.payloadLength()));
        assertNull(udp.verifyChecksumIpv4(ip.pseudoHeaderSum()));
        assertEquals(5353, udp.sourcePort());
        assertEquals(53, udp.destinationPort());
        assertEquals(13, udp.length());
        assertEquals(0x1abc, udp.checksum());
        UdpDatagram d = new UdpDatagram(5353, 53, "hello".getBytes());
        assertArrayEquals(bytes(b, 20, 13), d.toBytes(new PseudoHeader.V4(ip.source(), ip.destination())));
    }

    @Test
    void icmpv4EchoRequest() {
        ByteBuffer b = buf(ICMP_V4_ECHO);
        Ipv4View ip = new Ipv4View();
        assertNull(ip.wrap(b, 0, b.capacity()));
        IcmpV4View icmp = new IcmpV4View();
        assertNull(icmp.wrap(b, ip.payloadOffset(), ip.payloadLength()));
        assertEquals(IcmpV4View.ECHO_REQUEST, icmp.type());
        assertEquals(0x4242, icmp.identifier());
        assertEquals(1, icmp.sequence());
        assertEquals(0x2427, icmp.checksum());
        assertArrayEquals(bytes(b, 20, 16), IcmpMessage.echo(8, 0x4242, 1, "abcdefgh".getBytes()).toBytesV4());
    }

    @Test
    void icmpv4ErrorQuotesTheOffendingDatagram() {
        // Port unreachable for the UDP datagram above: 8-byte ICMP header, then its IP header + 8 bytes.
        byte[] quoted = java.util.Arrays.copyOf(hex(UDP_V4), 28);
        IcmpMessage m = new IcmpMessage(IcmpV4View.DESTINATION_UNREACHABLE, IcmpV4View.CODE_PORT_UNREACHABLE, 0, quoted);
        ByteBuffer b = ByteBuffer.wrap(m.toBytesV4());
        IcmpV4View v = new IcmpV4View();
        assertNull(v.wrap(b, 0, b.capacity()));
        assertTrue(v.isError());
        assertEquals(8, v.quotedOffset());
        assertEquals(28, v.quotedLength());
        // The quoted header is itself a valid IPv4 header (its total length exceeds the quote, so only check the header).
        assertEquals(WireError.BAD_TOTAL_LENGTH, new Ipv4View().wrap(b, v.quotedOffset(), v.quotedLength()));
        assertTrue(Checksum.verify(b, v.quotedOffset(), 20));
    }
}
