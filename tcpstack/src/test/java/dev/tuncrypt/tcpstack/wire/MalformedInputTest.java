package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.WireError.BAD_CHECKSUM;
import static dev.tuncrypt.tcpstack.wire.WireError.BAD_DATA_OFFSET;
import static dev.tuncrypt.tcpstack.wire.WireError.BAD_EXTENSION_HEADER;
import static dev.tuncrypt.tcpstack.wire.WireError.BAD_FRAGMENT;
import static dev.tuncrypt.tcpstack.wire.WireError.BAD_HEADER_LENGTH;
import static dev.tuncrypt.tcpstack.wire.WireError.BAD_OPTION_LENGTH;
import static dev.tuncrypt.tcpstack.wire.WireError.BAD_PAYLOAD_LENGTH;
import static dev.tuncrypt.tcpstack.wire.WireError.BAD_TOTAL_LENGTH;
import static dev.tuncrypt.tcpstack.wire.WireError.BAD_UDP_LENGTH;
import static dev.tuncrypt.tcpstack.wire.WireError.BAD_VERSION;
import static dev.tuncrypt.tcpstack.wire.WireError.OPTION_OVERRUN;
import static dev.tuncrypt.tcpstack.wire.WireError.TRUNCATED;
import static dev.tuncrypt.tcpstack.wire.WireError.UNRECOGNIZED_IPV6_OPTION;
import static dev.tuncrypt.tcpstack.wire.WireError.UNSUPPORTED_ROUTING_HEADER;
import static dev.tuncrypt.tcpstack.wire.WireTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A hand-built example for every {@link WireError}: each check rejects what it should, and says why. */
class MalformedInputTest {

    private record Case(String name, WireError expected, Supplier<WireError> actual) {}

    private static final int SRC = WireTestSupport.ipv4(198, 18, 0, 1);
    private static final int DST = WireTestSupport.ipv4(198, 18, 0, 2);

    // ---- builders ----------------------------------------------------------------------------

    /** A valid IPv4 header with {@code payload} zero bytes after it. */
    private static byte[] ipv4(int payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload);
        Ipv4View.writeHeader(b, 0, 20 + payload, 1, 64, IpProtocol.TCP, SRC, DST, true);
        return b.array();
    }

    /** Recomputes the IPv4 header checksum after an edit, so only the intended check fails. */
    private static byte[] fixIpv4(byte[] p) {
        ByteBuffer b = ByteBuffer.wrap(p);
        int hl = Math.min((p[0] & 0xF) * 4, p.length);
        BigEndian.put16(b, 10, 0);
        BigEndian.put16(b, 10, Checksum.compute(b, 0, hl));
        return p;
    }

    private static WireError wrapIpv4(byte[] p) {
        return new Ipv4View().wrap(ByteBuffer.wrap(p), 0, p.length);
    }

    /** An IPv6 packet: fixed header with {@code nextHeader}, then {@code rest} as the payload. */
    private static byte[] ipv6(int nextHeader, String rest) {
        byte[] payload = hex(rest);
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        Ipv6View.writeHeader(b, 0, payload.length, nextHeader, 64, 0x20010db8_00000000L, 1, 0x20010db8_00000000L, 2);
        b.put(40, payload);
        return b.array();
    }

    private static WireError wrapIpv6(byte[] p) {
        return new Ipv6View().wrap(ByteBuffer.wrap(p), 0, p.length);
    }

    /** A TCP header (ACK, no checksum) with these option bytes, padded by the caller to a multiple of 4. */
    private static byte[] tcp(String options) {
        byte[] opts = hex(options);
        ByteBuffer b = ByteBuffer.allocate(20 + opts.length);
        TcpView.writeHeader(b, 0, 1, 2, 3, 4, 20 + opts.length, TcpView.ACK, 100, 0);
        b.put(20, opts);
        return b.array();
    }

    private static WireError tcpOptions(String options) {
        byte[] seg = tcp(options);
        TcpView v = new TcpView();
        WireError e = v.wrap(ByteBuffer.wrap(seg), 0, seg.length);
        if (e != null) {
            throw new AssertionError("header itself invalid: " + e);
        }
        WireError viaView = v.parseOptions(new TcpOptions());
        // The value-record parser applies the same rules.
        assertEquals(viaView, TcpHeader.parse(ByteBuffer.wrap(seg)).errorOrNull(), "record parser disagrees");
        return viaView;
    }

    private static WireError wrapTcp(byte[] seg, int length) {
        return new TcpView().wrap(ByteBuffer.wrap(seg), 0, length);
    }

    private static byte[] udp(int length, int bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        UdpView.writeHeader(b, 0, 53, 5353, length);
        return b.array();
    }

    // ---- the table ---------------------------------------------------------------------------

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // IPv4, RFC 791
        c.add(new Case("IPv4 shorter than 20 bytes", TRUNCATED, () -> wrapIpv4(java.util.Arrays.copyOf(ipv4(0), 19))));
        c.add(new Case("IPv4 version 6", BAD_VERSION, () -> {
            byte[] p = ipv4(8);
            p[0] = 0x65;
            return wrapIpv4(fixIpv4(p));
        }));
        c.add(new Case("IPv4 IHL 4", BAD_HEADER_LENGTH, () -> {
            byte[] p = ipv4(8);
            p[0] = 0x44;
            return wrapIpv4(fixIpv4(p));
        }));
        c.add(new Case("IPv4 IHL 15 in a 28-byte packet", TRUNCATED, () -> {
            byte[] p = ipv4(8);
            p[0] = 0x4F;
            return wrapIpv4(p);
        }));
        c.add(new Case("IPv4 total length beyond the buffer", BAD_TOTAL_LENGTH, () -> {
            byte[] p = ipv4(8);
            p[3] = 29;
            return wrapIpv4(fixIpv4(p));
        }));
        c.add(new Case("IPv4 total length below the header length", BAD_TOTAL_LENGTH, () -> {
            byte[] p = ipv4(8);
            p[3] = 19;
            return wrapIpv4(fixIpv4(p));
        }));
        c.add(new Case("IPv4 header checksum off by one bit", BAD_CHECKSUM, () -> {
            byte[] p = ipv4(8);
            p[8] ^= 1;
            return wrapIpv4(p);
        }));
        c.add(new Case("IPv4 fragment reaching past 65535 (ping of death)", BAD_FRAGMENT, () -> {
            byte[] p = ipv4(8);
            p[6] = 0x1F; // offset 0x1FFF * 8 = 65528, + 28 bytes
            p[7] = (byte) 0xFF;
            return wrapIpv4(fixIpv4(p));
        }));
        // IPv6, RFC 8200
        c.add(new Case("IPv6 shorter than 40 bytes", TRUNCATED, () -> wrapIpv6(java.util.Arrays.copyOf(ipv6(59, ""), 39))));
        c.add(new Case("IPv6 version 4", BAD_VERSION, () -> {
            byte[] p = ipv6(59, "");
            p[0] = 0x40;
            return wrapIpv6(p);
        }));
        c.add(new Case("IPv6 payload length beyond the buffer", BAD_PAYLOAD_LENGTH, () -> {
            byte[] p = ipv6(59, "0000000000000000");
            p[5] = 9;
            return wrapIpv6(p);
        }));
        c.add(new Case("IPv6 Hop-by-Hop header longer than the payload", BAD_EXTENSION_HEADER,
                () -> wrapIpv6(ipv6(0, "3B01 000000000000"))));
        c.add(new Case("IPv6 extension header cut short", BAD_EXTENSION_HEADER,
                () -> wrapIpv6(ipv6(60, "3B00 0000"))));
        c.add(new Case("IPv6 Hop-by-Hop after a Destination Options header", BAD_EXTENSION_HEADER,
                () -> wrapIpv6(ipv6(60, "0000 010400000000" + "3B00 010400000000"))));
        c.add(new Case("IPv6 PadN running past its header", BAD_EXTENSION_HEADER,
                () -> wrapIpv6(ipv6(0, "3B00 0106 00000000"))));
        c.add(new Case("IPv6 Fragment header cut short", BAD_EXTENSION_HEADER,
                () -> wrapIpv6(ipv6(44, "06000001"))));
        c.add(new Case("IPv6 unknown option of the discard kind (10xxxxxx)", UNRECOGNIZED_IPV6_OPTION,
                () -> wrapIpv6(ipv6(60, "3B00 8002 0000 0100"))));
        c.add(new Case("IPv6 Jumbo Payload option (unsupported, type 0xC2)", UNRECOGNIZED_IPV6_OPTION,
                () -> wrapIpv6(ipv6(0, "3B00 C204 00010000"))));
        c.add(new Case("IPv6 routing header with segments left", UNSUPPORTED_ROUTING_HEADER,
                () -> wrapIpv6(ipv6(43, "3B00 0401 00000000"))));
        c.add(new Case("IPv6 non-final fragment not a multiple of 8", BAD_FRAGMENT,
                () -> wrapIpv6(ipv6(44, "06000001 00000007" + "000000000000000000000000"))));
        c.add(new Case("IPv6 fragment reaching past 65535", BAD_FRAGMENT,
                () -> wrapIpv6(ipv6(44, "0600FFF8 00000007" + "00000000000000000000000000000000"))));
        // TCP, RFC 9293 §3.1
        c.add(new Case("TCP shorter than 20 bytes", TRUNCATED, () -> wrapTcp(tcp(""), 19)));
        c.add(new Case("TCP data offset 4", BAD_DATA_OFFSET, () -> {
            byte[] s = tcp("");
            s[12] = 0x40;
            return wrapTcp(s, s.length);
        }));
        c.add(new Case("TCP data offset past the end of the segment", BAD_DATA_OFFSET, () -> {
            byte[] s = tcp("");
            s[12] = 0x60;
            return wrapTcp(s, s.length);
        }));
        c.add(new Case("TCP checksum over the wrong pseudo-header", BAD_CHECKSUM, () -> {
            byte[] s = tcp("");
            ByteBuffer b = ByteBuffer.wrap(s);
            TcpView.fillChecksum(b, 0, s.length, Checksum.pseudoHeaderIpv4(SRC, DST, 6, s.length));
            TcpView v = new TcpView();
            assertNull(v.wrap(b, 0, s.length));
            assertNull(v.verifyChecksum(Checksum.pseudoHeaderIpv4(SRC, DST, 6, s.length)));
            return v.verifyChecksum(Checksum.pseudoHeaderIpv4(DST, DST, 6, s.length));
        }));
        // TCP options
        c.add(new Case("TCP option length 0", BAD_OPTION_LENGTH, () -> tcpOptions("1E000000")));
        c.add(new Case("TCP option length 1", BAD_OPTION_LENGTH, () -> tcpOptions("1E010000")));
        c.add(new Case("TCP MSS with length 3", BAD_OPTION_LENGTH, () -> tcpOptions("02030500")));
        c.add(new Case("TCP MSS with length 5", BAD_OPTION_LENGTH, () -> tcpOptions("0205050000000000")));
        c.add(new Case("TCP Window Scale with length 4", BAD_OPTION_LENGTH, () -> tcpOptions("03040700")));
        c.add(new Case("TCP SACK-Permitted with length 3", BAD_OPTION_LENGTH, () -> tcpOptions("04030000")));
        c.add(new Case("TCP Timestamps with length 8", BAD_OPTION_LENGTH, () -> tcpOptions("0808 00000001 00000002 000000000000")));
        c.add(new Case("TCP SACK with length 12 (not 8n+2)", BAD_OPTION_LENGTH, () -> tcpOptions("050C 00000001 00000002 00000000 0000")));
        c.add(new Case("TCP SACK with no blocks (length 2)", BAD_OPTION_LENGTH, () -> tcpOptions("05020000")));
        c.add(new Case("TCP option running past the header", OPTION_OVERRUN, () -> tcpOptions("1E0A0000 00000000")));
        c.add(new Case("TCP Timestamps running past the header", OPTION_OVERRUN,
                () -> tcpOptions("01010101 01010101 01010101 01010101 080A0000")));
        c.add(new Case("TCP option kind in the last byte, no length", OPTION_OVERRUN, () -> tcpOptions("01010102")));
        // UDP, RFC 768
        c.add(new Case("UDP shorter than 8 bytes", TRUNCATED,
                () -> new UdpView().wrap(ByteBuffer.wrap(udp(8, 8)), 0, 7)));
        c.add(new Case("UDP length 7", BAD_UDP_LENGTH, () -> new UdpView().wrap(ByteBuffer.wrap(udp(7, 8)), 0, 8)));
        c.add(new Case("UDP length beyond the payload", BAD_UDP_LENGTH,
                () -> new UdpView().wrap(ByteBuffer.wrap(udp(20, 19)), 0, 19)));
        c.add(new Case("UDP bad checksum over IPv4", BAD_CHECKSUM, () -> {
            ByteBuffer b = ByteBuffer.wrap(udp(12, 12));
            UdpView.fillChecksum(b, 0, 12, Checksum.pseudoHeaderIpv4(SRC, DST, 17, 12));
            b.put(11, (byte) 1);
            UdpView v = new UdpView();
            assertNull(v.wrap(b, 0, 12));
            return v.verifyChecksumIpv4(Checksum.pseudoHeaderIpv4(SRC, DST, 17, 12));
        }));
        c.add(new Case("UDP zero checksum over IPv6 (RFC 8200 §8.1)", BAD_CHECKSUM, () -> {
            UdpView v = new UdpView();
            assertNull(v.wrap(ByteBuffer.wrap(udp(8, 8)), 0, 8));
            assertNull(v.verifyChecksumIpv4(12345)); // the same datagram over IPv4: no checksum, accepted
            return v.verifyChecksumIpv6(12345);
        }));
        // ICMP, RFC 792 / RFC 4443
        c.add(new Case("ICMPv4 shorter than 8 bytes", TRUNCATED,
                () -> new IcmpV4View().wrap(ByteBuffer.wrap(hex("08000000000000")), 0, 7)));
        c.add(new Case("ICMPv4 bad checksum", BAD_CHECKSUM,
                () -> new IcmpV4View().wrap(ByteBuffer.wrap(hex("0800000042420001")), 0, 8)));
        c.add(new Case("ICMPv6 shorter than 8 bytes", TRUNCATED,
                () -> new IcmpV6View().wrap(ByteBuffer.wrap(hex("80000000")), 0, 4)));
        c.add(new Case("ICMPv6 bad checksum", BAD_CHECKSUM, () -> {
            IcmpV6View v = new IcmpV6View();
            assertNull(v.wrap(ByteBuffer.wrap(hex("8000000012340007")), 0, 8));
            return v.verifyChecksum(Checksum.pseudoHeaderIpv6(1, 2, 3, 4, 58, 8));
        }));
        // Value records report the same errors as a Parsed.Malformed.
        c.add(new Case("Ipv4Header.parse of a truncated header", TRUNCATED,
                () -> Ipv4Header.parse(ByteBuffer.wrap(new byte[10])).errorOrNull()));
        c.add(new Case("TcpHeader.parse with a bad option", BAD_OPTION_LENGTH,
                () -> TcpHeader.parse(ByteBuffer.wrap(tcp("02030500"))).errorOrNull()));
        c.add(new Case("UdpDatagram.parse over IPv6 with zero checksum", BAD_CHECKSUM,
                () -> UdpDatagram.parse(ByteBuffer.wrap(udp(8, 8)), new PseudoHeader.V6(1, 2, 3, 4)).errorOrNull()));
        c.add(new Case("IcmpMessage.parseV4 with a bad checksum", BAD_CHECKSUM,
                () -> IcmpMessage.parseV4(ByteBuffer.wrap(hex("0800000042420001"))).errorOrNull()));
        return c;
    }

    static Stream<Arguments> table() {
        return cases().stream().map(c -> Arguments.of(c.name(), c.expected(), c.actual()));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("table")
    void rejected(String name, WireError expected, Supplier<WireError> actual) {
        assertEquals(expected, actual.get(), name);
    }

    @Test
    void everyWireErrorHasAnExample() {
        EnumSet<WireError> covered = EnumSet.noneOf(WireError.class);
        cases().forEach(c -> covered.add(c.expected()));
        assertEquals(EnumSet.allOf(WireError.class), covered);
    }

    @Test
    void everyWireErrorHasADescription() {
        for (WireError e : WireError.values()) {
            assert !e.description().isBlank() : e;
        }
    }

    @Test
    void theValidBasesAreValid() {
        assertNull(wrapIpv4(ipv4(8)));
        assertNull(wrapIpv6(ipv6(59, "0000000000000000")));
        assertNull(wrapTcp(tcp(""), 20));
        assertNull(tcpOptions("020405B4 0402 080A 00000001 00000000 01 030307"));
        assertNull(new UdpView().wrap(ByteBuffer.wrap(udp(8, 8)), 0, 8));
        assertNull(new IcmpV4View().wrap(ByteBuffer.wrap(hex("0800B5BC42420001")), 0, 8));
    }
}
