package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.WireTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** parse(emit(x)) == x for every value record, and the views read what the records wrote. */
class RoundTripTest {

    @Provide
    Arbitrary<Ipv4Header> ipv4() {
        return WireArbitraries.ipv4Headers();
    }

    @Provide
    Arbitrary<Ipv6Header> ipv6() {
        return WireArbitraries.ipv6Headers();
    }

    @Provide
    Arbitrary<TcpHeader> tcp() {
        return WireArbitraries.tcpHeaders();
    }

    @Provide
    Arbitrary<PseudoHeader> pseudo() {
        return WireArbitraries.pseudoHeaders();
    }

    @Provide
    Arbitrary<PseudoHeader.V6> pseudo6() {
        return WireArbitraries.pseudoHeadersV6();
    }

    @Provide
    Arbitrary<UdpDatagram> udp() {
        return WireArbitraries.udpDatagrams();
    }

    @Provide
    Arbitrary<IcmpMessage> icmp() {
        return WireArbitraries.icmpMessages();
    }

    private static ByteBuffer buffer(int at, int length, boolean direct) {
        int cap = at + length + 7;
        return direct ? ByteBuffer.allocateDirect(cap) : ByteBuffer.allocate(cap);
    }

    @Property(tries = 500)
    void ipv4(@ForAll("ipv4") Ipv4Header h, @ForAll @IntRange(max = 9) int at, @ForAll boolean direct) {
        ByteBuffer b = buffer(at, h.totalLength(), direct);
        b.position(at);
        h.emit(b);
        assertEquals(at + h.headerLength(), b.position());
        assertArrayEquals(h.toBytes(), bytes(b, at, h.headerLength()));
        b.position(at).limit(at + h.totalLength());
        assertEquals(h, Ipv4Header.parse(b).orElseThrow());
        assertEquals(at, b.position());

        Ipv4View v = new Ipv4View();
        assertNull(v.wrap(b, at, h.totalLength()));
        assertEquals(h.headerLength(), v.headerLength());
        assertEquals(h.totalLength(), v.totalLength());
        assertEquals(h.dscpEcn(), v.dscpEcn());
        assertEquals(h.dscpEcn() & 3, v.ecn());
        assertEquals(h.identification(), v.identification());
        assertEquals(h.dontFragment(), v.dontFragment());
        assertEquals(h.moreFragments(), v.moreFragments());
        assertEquals(h.fragmentOffset(), v.fragmentOffset());
        assertEquals(h.moreFragments() || h.fragmentOffset() != 0, v.isFragment());
        assertEquals(h.ttl(), v.ttl());
        assertEquals(h.protocol(), v.protocol());
        assertEquals(h.source(), v.source());
        assertEquals(h.destination(), v.destination());
        assertEquals(at + 20, v.optionsOffset());
        assertEquals(h.options().length, v.optionsLength());
        assertEquals(at + h.headerLength(), v.payloadOffset());
        assertEquals(h.payloadLength(), v.payloadLength());
        assertEquals(BigEndian.u16(b, at + 10), v.headerChecksum());
        assertEquals(Checksum.pseudoHeaderIpv4(h.source(), h.destination(), h.protocol(), h.payloadLength()),
                v.pseudoHeaderSum());
        assertEquals(b, v.buffer());
        assertEquals(at, v.offset());
    }

    @Property(tries = 300)
    void ipv4WriteHeaderAgreesWithRecord(@ForAll int src, @ForAll int dst, @ForAll @IntRange(max = 255) int ttl,
                                         @ForAll @IntRange(max = 255) int proto, @ForAll @IntRange(max = 0xFFFF) int id,
                                         @ForAll boolean df, @ForAll @IntRange(max = 255) int dscpEcn,
                                         @ForAll @IntRange(max = 1000) int payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload);
        assertEquals(20, Ipv4View.writeHeader(b, 0, 20 + payload, id, ttl, proto, src, dst, df, dscpEcn));
        Ipv4Header expected = new Ipv4Header(dscpEcn, id, df, false, 0, ttl, proto, src, dst, null, payload);
        assertEquals(expected, Ipv4Header.parse(b).orElseThrow());
        assertArrayEquals(expected.toBytes(), bytes(b, 0, 20));
    }

    @Property(tries = 500)
    void ipv6(@ForAll("ipv6") Ipv6Header h, @ForAll @IntRange(max = 9) int at, @ForAll boolean direct) {
        ByteBuffer b = buffer(at, 40 + h.payloadLength(), direct);
        b.position(at);
        h.emit(b);
        assertEquals(at + 40, b.position());
        assertArrayEquals(h.toBytes(), bytes(b, at, 40));
        b.position(at).limit(at + 40 + h.payloadLength());
        assertEquals(h, Ipv6Header.parse(b).orElseThrow());

        Ipv6View v = new Ipv6View();
        assertNull(v.wrap(b, at, 40 + h.payloadLength()));
        assertEquals(h.trafficClass(), v.trafficClass());
        assertEquals(h.flowLabel(), v.flowLabel());
        assertEquals(h.nextHeader(), v.nextHeader());
        assertEquals(h.nextHeader(), v.firstNextHeader());
        assertEquals(h.hopLimit(), v.hopLimit());
        assertEquals(h.sourceHi(), v.sourceHi());
        assertEquals(h.sourceLo(), v.sourceLo());
        assertEquals(h.destinationHi(), v.destinationHi());
        assertEquals(h.destinationLo(), v.destinationLo());
        assertEquals(h.payloadLength(), v.payloadLengthField());
        assertEquals(40 + h.payloadLength(), v.totalLength());
        assertEquals(at + 40, v.payloadOffset());
        assertEquals(h.payloadLength(), v.payloadLength());
        assertEquals(0, v.extensionHeadersLength());
        assertFalse(v.isFragment());
        assertEquals(Checksum.pseudoHeaderIpv6(h.sourceHi(), h.sourceLo(), h.destinationHi(), h.destinationLo(),
                h.nextHeader(), h.payloadLength()), v.pseudoHeaderSum());
    }

    @Property(tries = 1000)
    void tcp(@ForAll("tcp") TcpHeader t, @ForAll("pseudo") PseudoHeader ph, @ForAll @IntRange(max = 9) int at,
             @ForAll boolean direct) {
        int len = t.segmentLength();
        ByteBuffer b = buffer(at, len, direct);
        b.position(at);
        t.emit(b, ph);
        assertEquals(at + len, b.position());
        assertArrayEquals(t.toBytes(ph), bytes(b, at, len));
        b.position(at).limit(at + len);
        assertEquals(t, TcpHeader.parse(b, ph).orElseThrow());
        assertEquals(t, TcpHeader.parse(b).orElseThrow());

        TcpView v = new TcpView();
        assertNull(v.wrap(b, at, len));
        assertNull(v.verifyChecksum(ph.sum(IpProtocol.TCP, len)));
        assertEquals(WireError.BAD_CHECKSUM, v.verifyChecksum(ph.sum(IpProtocol.TCP, len + 1)));
        assertEquals(t.sourcePort(), v.sourcePort());
        assertEquals(t.destinationPort(), v.destinationPort());
        assertEquals(t.sequenceNumber(), v.sequenceNumber());
        assertEquals(t.acknowledgmentNumber(), v.acknowledgmentNumber());
        assertEquals(t.flags(), v.flags());
        assertTrue(v.hasFlags(t.flags()));
        assertEquals(t.window(), v.window());
        assertEquals(t.urgentPointer(), v.urgentPointer());
        assertEquals(t.headerLength(), v.headerLength());
        assertEquals(at + 20, v.optionsOffset());
        assertEquals(t.headerLength() - 20, v.optionsLength());
        assertEquals(at + t.headerLength(), v.payloadOffset());
        assertEquals(t.payload().length, v.payloadLength());
        assertArrayEquals(t.payload(), bytes(b, v.payloadOffset(), v.payloadLength()));
        assertEquals(0, v.reservedBits());

        TcpOptions o = new TcpOptions();
        assertNull(v.parseOptions(o));
        assertOptionsAgree(t.options(), o, b);
    }

    /** What the flyweight parser must have recorded for an option list (later duplicates win). */
    static void assertOptionsAgree(List<TcpOption> list, TcpOptions o, ByteBuffer b) {
        TcpOption.Mss mss = null;
        TcpOption.WindowScale ws = null;
        TcpOption.Sack sack = null;
        TcpOption.Timestamps ts = null;
        TcpOption.Eno eno = null;
        boolean sackPermitted = false;
        int enoCount = 0;
        int unknown = 0;
        int exp = 0;
        for (TcpOption opt : list) {
            switch (opt) {
                case TcpOption.Mss m -> mss = m;
                case TcpOption.WindowScale w -> ws = w;
                case TcpOption.SackPermitted s -> sackPermitted = true;
                case TcpOption.Sack s -> sack = s;
                case TcpOption.Timestamps x -> ts = x;
                case TcpOption.Eno e -> {
                    if (enoCount++ == 0) {
                        eno = e;
                    }
                }
                case TcpOption.Experimental e -> {
                    assertEquals(e.kind(), o.experimentalKind(exp));
                    assertEquals(e.exid(), o.experimentalExId(exp));
                    assertArrayEquals(e.data(), bytes(b, o.experimentalOffset(exp), o.experimentalLength(exp)));
                    exp++;
                }
                case TcpOption.Unknown u -> unknown++;
            }
        }
        assertEquals(mss != null, o.hasMss());
        if (mss != null) {
            assertEquals(mss.mss(), o.mss());
        }
        assertEquals(ws != null, o.hasWindowScale());
        if (ws != null) {
            assertEquals(ws.shift(), o.windowScale());
        }
        assertEquals(sackPermitted, o.sackPermitted());
        assertEquals(sack == null ? 0 : sack.blocks().size(), o.sackBlockCount());
        for (int i = 0; i < o.sackBlockCount(); i++) {
            assertEquals(sack.blocks().get(i).left(), o.sackLeft(i));
            assertEquals(sack.blocks().get(i).right(), o.sackRight(i));
        }
        assertEquals(ts != null, o.hasTimestamps());
        if (ts != null) {
            assertEquals(ts.tsVal(), o.tsVal());
            assertEquals(ts.tsEcr(), o.tsEcr());
        }
        assertEquals(enoCount, o.enoCount());
        assertEquals(eno != null, o.hasEno());
        if (eno != null) {
            assertArrayEquals(eno.contents(), bytes(b, o.enoOffset(), o.enoLength()));
        } else {
            assertEquals(-1, o.enoOffset());
            assertEquals(-1, o.enoLength());
        }
        assertEquals(exp, o.experimentalCount());
        assertEquals(unknown, o.unknownCount());
    }

    @Property(tries = 500)
    void udp(@ForAll("udp") UdpDatagram d, @ForAll("pseudo") PseudoHeader ph, @ForAll @IntRange(max = 9) int at,
             @ForAll boolean direct) {
        ByteBuffer b = buffer(at, d.length(), direct);
        b.position(at);
        d.emit(b, ph);
        assertArrayEquals(d.toBytes(ph), bytes(b, at, d.length()));
        b.position(at).limit(at + d.length());
        assertEquals(d, UdpDatagram.parse(b, ph).orElseThrow());
        assertEquals(d, UdpDatagram.parse(b).orElseThrow());

        UdpView v = new UdpView();
        assertNull(v.wrap(b, at, d.length()));
        assertEquals(d.sourcePort(), v.sourcePort());
        assertEquals(d.destinationPort(), v.destinationPort());
        assertEquals(d.length(), v.length());
        assertEquals(at + 8, v.payloadOffset());
        assertEquals(d.payload().length, v.payloadLength());
        assertNotEquals(0, v.checksum()); // RFC 768: a computed zero is sent as all ones
        int sum = ph.sum(IpProtocol.UDP, d.length());
        assertNull(ph instanceof PseudoHeader.V4 ? v.verifyChecksumIpv4(sum) : v.verifyChecksumIpv6(sum));
    }

    @Property(tries = 500)
    void icmpV4(@ForAll("icmp") IcmpMessage m, @ForAll @IntRange(max = 9) int at, @ForAll boolean direct) {
        ByteBuffer b = buffer(at, m.length(), direct);
        b.position(at);
        m.emitV4(b);
        assertArrayEquals(m.toBytesV4(), bytes(b, at, m.length()));
        b.position(at).limit(at + m.length());
        assertEquals(m, IcmpMessage.parseV4(b).orElseThrow());

        IcmpV4View v = new IcmpV4View();
        assertNull(v.wrap(b, at, m.length()));
        assertEquals(m.type(), v.type());
        assertEquals(m.code(), v.code());
        assertEquals(m.restOfHeader(), v.restOfHeader());
        assertEquals(m.identifier(), v.identifier());
        assertEquals(m.sequence(), v.sequence());
        assertEquals(at + 8, v.payloadOffset());
        assertEquals(at + 8, v.quotedOffset());
        assertEquals(m.body().length, v.payloadLength());
    }

    @Property(tries = 500)
    void icmpV6(@ForAll("icmp") IcmpMessage m, @ForAll("pseudo6") PseudoHeader.V6 ph, @ForAll @IntRange(max = 9) int at,
                @ForAll boolean direct) {
        ByteBuffer b = buffer(at, m.length(), direct);
        b.position(at);
        m.emitV6(b, ph);
        assertArrayEquals(m.toBytesV6(ph), bytes(b, at, m.length()));
        b.position(at).limit(at + m.length());
        assertEquals(m, IcmpMessage.parseV6(b, ph).orElseThrow());

        IcmpV6View v = new IcmpV6View();
        assertNull(v.wrap(b, at, m.length()));
        assertNull(v.verifyChecksum(ph.sum(IpProtocol.ICMPV6, m.length())));
        assertEquals(m.type(), v.type());
        assertEquals(m.code(), v.code());
        assertEquals(m.restOfHeader(), v.restOfHeader());
        assertEquals(Integer.toUnsignedLong(m.restOfHeader()), v.mtu());
        assertEquals(m.type() < 128, v.isError());
        assertEquals(m.body().length, v.payloadLength());
    }

    /** A whole IPv4 packet: the IP view's pseudo-header sum verifies the TCP view's checksum. */
    @Property(tries = 300)
    void tcpInIpv4(@ForAll("tcp") TcpHeader t, @ForAll int src, @ForAll int dst, @ForAll @IntRange(max = 0xFFFF) int id) {
        Ipv4Header ip = Ipv4Header.of(IpProtocol.TCP, src, dst, id, t.segmentLength());
        ByteBuffer b = ByteBuffer.allocateDirect(ip.totalLength());
        ip.emit(b);
        t.emit(b, ip.pseudoHeader());
        Ipv4View v4 = new Ipv4View();
        assertNull(v4.wrap(b, 0, b.capacity()));
        TcpView tv = new TcpView();
        assertNull(tv.wrap(b, v4.payloadOffset(), v4.payloadLength()));
        assertNull(tv.verifyChecksum(v4.pseudoHeaderSum()));
    }

    /** A whole IPv6 packet: the IP view's pseudo-header sum verifies the TCP view's checksum. */
    @Property(tries = 300)
    void tcpInIpv6(@ForAll("tcp") TcpHeader t, @ForAll("pseudo6") PseudoHeader.V6 ph) {
        Ipv6Header ip = new Ipv6Header(0, 0, IpProtocol.TCP, 64, ph.sourceHi(), ph.sourceLo(),
                ph.destinationHi(), ph.destinationLo(), t.segmentLength());
        ByteBuffer b = ByteBuffer.allocate(40 + t.segmentLength());
        ip.emit(b);
        t.emit(b, ip.pseudoHeader());
        Ipv6View v6 = new Ipv6View();
        assertNull(v6.wrap(b, 0, b.capacity()));
        TcpView tv = new TcpView();
        assertNull(tv.wrap(b, v6.payloadOffset(), v6.payloadLength()));
        assertNull(tv.verifyChecksum(v6.pseudoHeaderSum()));
    }
}
