package dev.tuncrypt.tcpstack.wire;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Generators of wire values for the property tests. */
final class WireArbitraries {
    private WireArbitraries() {}

    static Arbitrary<Integer> u8() {
        return Arbitraries.integers().between(0, 0xFF);
    }

    static Arbitrary<Integer> u16() {
        return Arbitraries.integers().between(0, 0xFFFF);
    }

    static Arbitrary<Long> u32() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }

    static Arbitrary<byte[]> bytes(int max) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(max);
    }

    static Arbitrary<Ipv4Header> ipv4Headers() {
        Arbitrary<byte[]> options = Arbitraries.integers().between(0, 10)
                .flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(4 * n));
        // Keep fragment offset + total length within 65535, or the header is (rightly) BAD_FRAGMENT.
        Arbitrary<Integer> fragmentOffset = Arbitraries.integers().between(0, (65535 - 60 - 1500) / 8).map(u -> u * 8);
        var first = Combinators.combine(u8(), u16(), Arbitraries.of(true, false), Arbitraries.of(true, false),
                fragmentOffset, u8(), u8(), Arbitraries.integers()).as(Tuple::of);
        return Combinators.combine(first, Arbitraries.integers(), options, Arbitraries.integers().between(0, 1500))
                .as((t, dst, opts, payload) -> new Ipv4Header(t.get1(), t.get2(), t.get3(), t.get4(), t.get5(),
                        t.get6(), t.get7(), t.get8(), dst, opts, payload));
    }

    /** Upper-layer next headers (the walk stops at them at once). */
    static Arbitrary<Integer> upperLayer() {
        return u8().filter(n -> n != IpProtocol.HOP_BY_HOP && n != IpProtocol.ROUTING
                && n != IpProtocol.FRAGMENT && n != IpProtocol.DESTINATION_OPTIONS);
    }

    static Arbitrary<Ipv6Header> ipv6Headers() {
        var first = Combinators.combine(u8(), Arbitraries.integers().between(0, 0xFFFFF), upperLayer(), u8(),
                Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs()).as(Tuple::of);
        return Combinators.combine(first, Arbitraries.integers().between(0, 2000))
                .as((t, pl) -> new Ipv6Header(t.get1(), t.get2(), t.get3(), t.get4(), t.get5(), t.get6(),
                        t.get7(), t.get8(), pl));
    }

    static boolean interpretedKind(int kind) {
        return switch (kind) {
            case 0, 1, 2, 3, 4, 5, 8, 69, 253, 254 -> true;
            default -> false;
        };
    }

    static Arbitrary<TcpOption> tcpOptions() {
        Arbitrary<TcpOption.SackBlock> block = Combinators.combine(u32(), u32()).as(TcpOption.SackBlock::new);
        return Arbitraries.oneOf(
                u16().map(TcpOption.Mss::new),
                u8().map(TcpOption.WindowScale::new),
                Arbitraries.just(new TcpOption.SackPermitted()),
                block.list().ofMinSize(1).ofMaxSize(4).map(TcpOption.Sack::new),
                Combinators.combine(u32(), u32()).as(TcpOption.Timestamps::new),
                bytes(12).map(TcpOption.Eno::new),
                Combinators.combine(Arbitraries.of(253, 254), u16(), bytes(12)).as(TcpOption.Experimental::new),
                Combinators.combine(u8().filter(k -> !interpretedKind(k)), bytes(12)).as(TcpOption.Unknown::new),
                Combinators.combine(Arbitraries.of(253, 254), bytes(1)).as(TcpOption.Unknown::new));
    }

    static int encodedLength(List<TcpOption> options) {
        return options.stream().mapToInt(TcpOption::encodedLength).sum();
    }

    /** Random option lists that fit the 40-byte option space. */
    static Arbitrary<List<TcpOption>> tcpOptionLists() {
        return tcpOptions().list().ofMaxSize(7).filter(l -> encodedLength(l) <= TcpOptions.MAX_LENGTH);
    }

    static Arbitrary<TcpHeader> tcpHeaders() {
        var first = Combinators.combine(u16(), u16(), u32(), u32(), u8(), u16(), u16(), tcpOptionLists()).as(Tuple::of);
        return Combinators.combine(first, bytes(120))
                .as((t, payload) -> new TcpHeader(t.get1(), t.get2(), t.get3(), t.get4(), t.get5(), t.get6(),
                        t.get7(), t.get8(), payload));
    }

    static Arbitrary<PseudoHeader> pseudoHeaders() {
        return Arbitraries.oneOf(
                Combinators.combine(Arbitraries.integers(), Arbitraries.integers()).as(PseudoHeader.V4::new),
                pseudoHeadersV6().map(p -> p));
    }

    static Arbitrary<PseudoHeader.V6> pseudoHeadersV6() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs())
                .as(PseudoHeader.V6::new);
    }

    static Arbitrary<UdpDatagram> udpDatagrams() {
        return Combinators.combine(u16(), u16(), bytes(300)).as(UdpDatagram::new);
    }

    static Arbitrary<IcmpMessage> icmpMessages() {
        return Combinators.combine(u8(), u8(), Arbitraries.integers(), bytes(200)).as(IcmpMessage::new);
    }
}
