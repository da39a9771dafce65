package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.WireTestSupport.placed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Malformed input is answered with a {@link WireError}, never an exception: random bytes,
 * random option areas, and valid packets with random bytes flipped, through every view and parser.
 */
class FuzzTest {

    private final Ipv4View ip4 = new Ipv4View();
    private final Ipv6View ip6 = new Ipv6View();
    private final TcpView tcp = new TcpView();
    private final UdpView udp = new UdpView();
    private final IcmpV4View icmp4 = new IcmpV4View();
    private final IcmpV6View icmp6 = new IcmpV6View();
    private final TcpOptions options = new TcpOptions();

    @Property(tries = 3000)
    void randomBytesNeverThrow(@ForAll @Size(max = 120) byte[] data, @ForAll @IntRange(max = 8) int at,
                               @ForAll boolean direct) {
        ByteBuffer b = placed(data, at, 0, direct, false);
        exercise(b, at, data.length);
    }

    /** Random option areas: both TCP option parsers accept or reject alike, and never throw. */
    @Property(tries = 5000)
    void randomOptionAreas(@ForAll("optionAreas") byte[] opts, @ForAll boolean direct) {
        ByteBuffer b = placed(new byte[20 + opts.length], 0, 0, direct, false);
        TcpView.writeHeader(b, 0, 1, 2, 3, 4, 20 + opts.length, TcpView.SYN, 5, 0);
        b.put(20, opts);
        assertEquals(null, tcp.wrap(b, 0, b.capacity()));
        WireError viaView = tcp.parseOptions(options);
        Parsed<TcpHeader> viaRecord = TcpHeader.parse(b);
        assertEquals(viaView, viaRecord.errorOrNull());
        if (viaRecord instanceof Parsed.Ok<TcpHeader>(TcpHeader h)) {
            // What parses re-emits to something that parses to the same value.
            PseudoHeader ph = new PseudoHeader.V4(1, 2);
            assertEquals(h, TcpHeader.parse(ByteBuffer.wrap(h.toBytes(ph)), ph).orElseThrow());
            RoundTripTest.assertOptionsAgree(h.options(), options, b);
        }
    }

    @Provide
    Arbitrary<byte[]> optionAreas() {
        // Bias toward known kinds and small lengths so the deep paths are reached.
        Arbitrary<Byte> biased = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.of((byte) 0, (byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5,
                        (byte) 8, (byte) 10, (byte) 34, (byte) 69, (byte) 253, (byte) 254)),
                net.jqwik.api.Tuple.of(3, Arbitraries.bytes().between((byte) 0, (byte) 12)),
                net.jqwik.api.Tuple.of(2, Arbitraries.bytes()));
        return Arbitraries.integers().between(0, 10).flatMap(n -> biased.array(byte[].class).ofSize(4 * n));
    }

    @Provide
    Arbitrary<byte[]> validPackets() {
        Arbitrary<byte[]> v4 = WireArbitraries.tcpHeaders().flatMap(t -> Arbitraries.integers().map(src -> {
            Ipv4Header ip = Ipv4Header.of(IpProtocol.TCP, src, ~src, 7, t.segmentLength());
            ByteBuffer b = ByteBuffer.allocate(ip.totalLength());
            ip.emit(b);
            t.emit(b, ip.pseudoHeader());
            return b.array();
        }));
        Arbitrary<byte[]> v6 = WireArbitraries.tcpHeaders().map(t -> {
            // With a Destination Options header and an atomic Fragment header in front of TCP.
            byte[] ext = WireTestSupport.hex("2C00 01040000 0000" + "0600 0000 00000001");
            ByteBuffer b = ByteBuffer.allocate(40 + ext.length + t.segmentLength());
            Ipv6View.writeHeader(b, 0, ext.length + t.segmentLength(), IpProtocol.DESTINATION_OPTIONS, 64, 1, 2, 3, 4);
            b.put(40, ext);
            b.position(40 + ext.length);
            t.emit(b, new PseudoHeader.V6(1, 2, 3, 4));
            return b.array();
        });
        Arbitrary<byte[]> icmp = WireArbitraries.icmpMessages().map(IcmpMessage::toBytesV4);
        Arbitrary<byte[]> udp = WireArbitraries.udpDatagrams().map(d -> d.toBytes(new PseudoHeader.V4(1, 2)));
        return Arbitraries.oneOf(v4, v6, icmp, udp);
    }

    /** Valid packets with a few bytes overwritten go down the same paths and still never throw. */
    @Property(tries = 3000)
    void mutatedPacketsNeverThrow(@ForAll("validPackets") byte[] packet,
                                  @ForAll @Size(min = 1, max = 4) List<@IntRange(max = 10_000) Integer> positions,
                                  @ForAll @Size(min = 4, max = 4) byte[] values, @ForAll @IntRange(max = 3) int cut) {
        byte[] p = packet.clone();
        for (int i = 0; i < positions.size(); i++) {
            p[positions.get(i) % p.length] = values[i];
        }
        int len = Math.max(0, p.length - cut);
        exercise(ByteBuffer.wrap(p), 0, len);
    }

    /** Every view and parser on {@code [at, at+len)}; getters only after a successful wrap. */
    void exercise(ByteBuffer b, int at, int len) {
        long sink = 0;
        if (ip4.wrap(b, at, len) == null) {
            sink += ip4.headerLength() + ip4.totalLength() + ip4.dscpEcn() + ip4.identification()
                    + ip4.fragmentOffset() + ip4.ttl() + ip4.protocol() + ip4.headerChecksum() + ip4.source()
                    + ip4.destination() + ip4.payloadOffset() + ip4.payloadLength() + ip4.pseudoHeaderSum()
                    + (ip4.isFragment() ? 1 : 0) + (ip4.dontFragment() ? 1 : 0) + (ip4.moreFragments() ? 1 : 0);
            sink += transport(b, ip4.protocol(), ip4.payloadOffset(), ip4.payloadLength(), ip4.pseudoHeaderSum());
        }
        if (ip6.wrap(b, at, len) == null) {
            sink += ip6.trafficClass() + ip6.flowLabel() + ip6.hopLimit() + ip6.sourceHi() + ip6.sourceLo()
                    + ip6.destinationHi() + ip6.destinationLo() + ip6.nextHeader() + ip6.payloadOffset()
                    + ip6.payloadLength() + ip6.fragmentOffset() + ip6.fragmentId() + ip6.pseudoHeaderSum()
                    + ip6.extensionHeadersLength() + ip6.totalLength();
            if (!ip6.isFragment()) {
                sink += transport(b, ip6.nextHeader(), ip6.payloadOffset(), ip6.payloadLength(), ip6.pseudoHeaderSum());
            }
        }
        sink += transport(b, IpProtocol.TCP, at, len, 0);
        sink += transport(b, IpProtocol.UDP, at, len, 0);
        sink += transport(b, IpProtocol.ICMP, at, len, 0);
        sink += transport(b, IpProtocol.ICMPV6, at, len, 0);

        ByteBuffer slice = b.duplicate().limit(at + len).position(at);
        Ipv4Header.parse(slice);
        Ipv6Header.parse(slice);
        TcpHeader.parse(slice);
        TcpHeader.parse(slice, new PseudoHeader.V6(1, 2, 3, 4));
        UdpDatagram.parse(slice, new PseudoHeader.V4(1, 2));
        UdpDatagram.parse(slice, new PseudoHeader.V6(1, 2, 3, 4));
        IcmpMessage.parseV4(slice);
        IcmpMessage.parseV6(slice, new PseudoHeader.V6(1, 2, 3, 4));
        if (sink == 42) {
            System.out.print("");
        }
    }

    private long transport(ByteBuffer b, int protocol, int off, int len, int pseudo) {
        long sink = 0;
        switch (protocol) {
            case IpProtocol.TCP -> {
                if (tcp.wrap(b, off, len) == null) {
                    sink += tcp.sourcePort() + tcp.destinationPort() + tcp.sequenceNumber() + tcp.acknowledgmentNumber()
                            + tcp.flags() + tcp.window() + tcp.checksum() + tcp.urgentPointer() + tcp.payloadOffset()
                            + tcp.payloadLength() + tcp.optionsOffset() + tcp.optionsLength() + tcp.reservedBits();
                    tcp.verifyChecksum(pseudo);
                    if (tcp.parseOptions(options) == null) {
                        sink += options.mss() + options.windowScale() + options.tsVal() + options.tsEcr()
                                + options.enoOffset() + options.enoLength() + options.unknownCount();
                        for (int i = 0; i < options.sackBlockCount(); i++) {
                            sink += options.sackLeft(i) + options.sackRight(i);
                        }
                        for (int i = 0; i < options.experimentalCount(); i++) {
                            sink += options.experimentalExId(i) + options.experimentalOffset(i)
                                    + options.experimentalLength(i) + options.experimentalKind(i);
                        }
                    }
                }
            }
            case IpProtocol.UDP -> {
                if (udp.wrap(b, off, len) == null) {
                    sink += udp.sourcePort() + udp.destinationPort() + udp.length() + udp.payloadLength();
                    udp.verifyChecksumIpv4(pseudo);
                    udp.verifyChecksumIpv6(pseudo);
                }
            }
            case IpProtocol.ICMP -> {
                if (icmp4.wrap(b, off, len) == null) {
                    sink += icmp4.type() + icmp4.code() + icmp4.identifier() + icmp4.sequence() + icmp4.nextHopMtu()
                            + icmp4.pointer() + icmp4.quotedOffset() + icmp4.quotedLength() + (icmp4.isError() ? 1 : 0);
                }
            }
            case IpProtocol.ICMPV6 -> {
                if (icmp6.wrap(b, off, len) == null) {
                    sink += icmp6.type() + icmp6.code() + icmp6.mtu() + icmp6.pointer() + icmp6.quotedLength();
                    icmp6.verifyChecksum(pseudo);
                }
            }
            default -> { }
        }
        return sink;
    }
}
