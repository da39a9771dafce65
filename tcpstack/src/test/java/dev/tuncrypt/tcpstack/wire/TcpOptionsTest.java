package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.WireTestSupport.bytes;
import static dev.tuncrypt.tcpstack.wire.WireTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TcpOptionsWriter} output and {@link TcpOptions} rules beyond the round trips. */
class TcpOptionsTest {

    private final TcpOptions o = new TcpOptions();

    /** Writes a header at 3 (odd on purpose) in a direct buffer, lets {@code body} add options, pads, parses. */
    private interface Body {
        int write(ByteBuffer b, int start);
    }

    private ByteBuffer segment(Body body) {
        ByteBuffer b = ByteBuffer.allocateDirect(3 + 60);
        int start = TcpView.writeHeader(b, 3, 1, 2, 3, 4, 20, TcpView.SYN, 5, 0);
        int end = TcpOptionsWriter.pad(b, start, body.write(b, start));
        TcpView.setHeaderLength(b, 3, end - 3);
        TcpView v = new TcpView();
        assertNull(v.wrap(b, 3, end - 3));
        assertNull(v.parseOptions(o));
        return b;
    }

    @Test
    void twoExperimentalOptionsAndEno() {
        byte[] suboptions = hex("2122");
        ByteBuffer src = ByteBuffer.wrap(hex("00 0102"));
        ByteBuffer b = segment((buf, p) -> {
            p = TcpOptionsWriter.experimental(buf, p, 253, TcpOptions.EXID_ENO, suboptions, 0, 2);
            p = TcpOptionsWriter.experimental(buf, p, 254, 0xF989, src, 1, 2); // e.g. TCP Fast Open's ExID
            p = TcpOptionsWriter.raw(buf, p, TcpOptions.KIND_ENO, suboptions, 1, 1);
            return p;
        });
        assertEquals(2, o.experimentalCount());
        assertEquals(253, o.experimentalKind(0));
        assertEquals(0x454E, o.experimentalExId(0));
        assertArrayEquals(suboptions, bytes(b, o.experimentalOffset(0), o.experimentalLength(0)));
        assertEquals(254, o.experimentalKind(1));
        assertEquals(0xF989, o.experimentalExId(1));
        assertArrayEquals(hex("0102"), bytes(b, o.experimentalOffset(1), o.experimentalLength(1)));
        assertEquals(1, o.findExperimental(0xF989));
        assertEquals(-1, o.findExperimental(0x1234));
        assertArrayEquals(hex("22"), bytes(b, o.enoOffset(), o.enoLength()));
        assertEquals(3 + 20 + 6 + 6, o.enoOffset() - 2);
    }

    @Test
    void tenExperimentalOptionsFillThe40Bytes() {
        segment((buf, p) -> {
            for (int i = 0; i < 10; i++) {
                p = TcpOptionsWriter.experimental(buf, p, 253, i, new byte[0], 0, 0);
            }
            return p;
        });
        assertEquals(TcpOptions.MAX_EXPERIMENTAL, o.experimentalCount());
        for (int i = 0; i < 10; i++) {
            assertEquals(i, o.experimentalExId(i));
            assertEquals(0, o.experimentalLength(i));
        }
    }

    @Test
    void sackBlocksAndAlignment() {
        long[] left = {1, 0xFFFF_FFF0L, 100};
        long[] right = {2, 0xFFFF_FFFFL, 200};
        ByteBuffer b = segment((buf, p) -> {
            int start = p;
            p = TcpOptionsWriter.alignWithNop(buf, start, TcpOptionsWriter.nop(buf, p)); // 4 NOPs? no: 1 + 3
            assertEquals(start + 4, p);
            p = TcpOptionsWriter.nop(buf, TcpOptionsWriter.nop(buf, p));
            return TcpOptionsWriter.sack(buf, p, left, right, 3);
        });
        assertEquals(3, o.sackBlockCount());
        for (int i = 0; i < 3; i++) {
            assertEquals(left[i], o.sackLeft(i));
            assertEquals(right[i], o.sackRight(i));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> o.sackLeft(3));
        assertEquals(3 + 20 + 4 + 2 + 26, 3 + TcpView.MIN_HEADER_LENGTH + 32);
        assertEquals(0, BigEndian.u8(b, 3 + 20 + 32)); // padding is EOL
    }

    @Test
    void writerRejectsImpossibleArguments() {
        ByteBuffer b = ByteBuffer.allocate(100);
        assertThrows(IllegalArgumentException.class, () -> TcpOptionsWriter.sack(b, 0, new long[5], new long[5], 5));
        assertThrows(IllegalArgumentException.class, () -> TcpOptionsWriter.sack(b, 0, new long[1], new long[1], 0));
        assertThrows(IllegalArgumentException.class, () -> TcpOptionsWriter.raw(b, 0, 30, new byte[39], 0, 39));
        assertThrows(IllegalArgumentException.class, () -> TcpView.setHeaderLength(b, 0, 22));
        assertThrows(IllegalArgumentException.class, () -> new TcpOption.Unknown(2, new byte[2]));
        assertThrows(IllegalArgumentException.class, () -> new TcpHeader(1, 2, 3, 4, 0, 0, 0,
                List.of(new TcpOption.Eno(new byte[36]), new TcpOption.Mss(1)), null));
    }

    private TcpOptions parse(String options) {
        byte[] opts = hex(options);
        ByteBuffer b = ByteBuffer.allocate(20 + opts.length);
        TcpView.writeHeader(b, 0, 1, 2, 3, 4, 20 + opts.length, TcpView.ACK, 5, 0);
        b.put(20, opts);
        TcpView v = new TcpView();
        assertNull(v.wrap(b, 0, b.capacity()));
        assertNull(v.parseOptions(o));
        return o;
    }

    /** The error parsing {@code options} gives (null when they parse). */
    private WireError parseError(String options) {
        byte[] opts = hex(options);
        ByteBuffer b = ByteBuffer.allocate(20 + opts.length);
        TcpView.writeHeader(b, 0, 1, 2, 3, 4, 20 + opts.length, TcpView.SYN, 5, 0);
        b.put(20, opts);
        TcpView v = new TcpView();
        assertNull(v.wrap(b, 0, b.capacity()));
        return v.parseOptions(o);
    }

    // Which SYNs offer TCP-ENO: what the daemon's splice uses to tell an inbound tcpcrypt peer.

    @Test
    void kind69OffersEno() {
        parse("020405B4 0101 450321 000000"); // MSS, NOP, NOP, ENO with TEP 0x21 (RFC 8547 §4)
        assertTrue(o.offersEno());
    }

    @Test
    void experimentalKindOffersEnoOnlyWithTheEnoExId() {
        parse("FD05454E21 000000"); // RFC 6994 ExID 0x454E, as tcpcryptd 0.5 sends it
        assertTrue(o.offersEno());
        parse("FD05123421 000000"); // another experiment
        assertFalse(o.offersEno());
        parse("FD02 0000"); // too short for an ExID
        assertFalse(o.offersEno());
    }

    @Test
    void aPlainKernelSynOffersNothing() {
        parse("020405B4 0402 080A0000000100000000 01 030307"); // Linux: MSS, SACK-permitted, TS, NOP, WS
        assertFalse(o.offersEno());
        parse("");
        assertFalse(o.offersEno());
        parse("00 450321 00000000"); // after End of Option List
        assertFalse(o.offersEno());
    }

    @Test
    void malformedOptionListsAreRejectedBeforeAnyoneAsks() {
        assertEquals(WireError.BAD_OPTION_LENGTH, parseError("0201 450321 000000"), "length below 2");
        assertEquals(WireError.OPTION_OVERRUN, parseError("1E28 450321 000000"), "length past the end");
    }

    @Test
    void laterDuplicatesWinAsInLinux() {
        parse("02040100 02040200 03030101 03030200");
        assertEquals(0x200, o.mss());
        assertEquals(2, o.windowScale());
    }

    @Test
    void endOfOptionListEndsParsingEvenBeforeGarbage() {
        parse("020405B4 00 FF0000");
        assertEquals(1460, o.mss());
        assertEquals(0, o.unknownCount());
    }

    @Test
    void unknownAndExIdLessExperimentalOptionsAreCountedAndSkipped() {
        parse("1E03AA 01 FD02 FE03BB 4C02 00");
        assertEquals(4, o.unknownCount()); // kind 30, 253 without ExID, 254 without ExID, kind 76
        assertEquals(0, o.experimentalCount());
        assertEquals(List.of(new TcpOption.Unknown(30, hex("AA")), new TcpOption.Unknown(253, new byte[0]),
                        new TcpOption.Unknown(254, hex("BB")), new TcpOption.Unknown(76, new byte[0])),
                TcpHeader.parse(ByteBuffer.wrap(segmentBytes("1E03AA 01 FD02 FE03BB 4C02 00"))).orElseThrow().options());
    }

    private static byte[] segmentBytes(String options) {
        byte[] opts = hex(options);
        ByteBuffer b = ByteBuffer.allocate(20 + opts.length);
        TcpView.writeHeader(b, 0, 1, 2, 3, 4, 20 + opts.length, TcpView.ACK, 5, 0);
        b.put(20, opts);
        return b.array();
    }

    @Test
    void parsingResetsWhatTheLastSegmentHad() {
        parse("020405B4 0402 080A 00000001 00000002 01 030307 FD04454E");
        assertTrue(o.hasMss());
        assertEquals(1, o.experimentalCount());
        parse("");
        assertFalse(o.hasMss());
        assertFalse(o.sackPermitted());
        assertFalse(o.hasTimestamps());
        assertFalse(o.hasWindowScale());
        assertFalse(o.hasEno());
        assertEquals(-1, o.enoOffset());
        assertEquals(0, o.experimentalCount());
        assertEquals(0, o.sackBlockCount());
    }

    @Test
    void minimalEnoAsTcpcryptdSendsIt() {
        // FD 04 45 4E: experimental ENO with no suboptions, in role A's first non-SYN segment.
        parse("FD04454E");
        assertEquals(0, o.findExperimental(TcpOptions.EXID_ENO));
        assertEquals(0, o.experimentalLength(0));
        parse("4502 0000");
        assertTrue(o.hasEno());
        assertEquals(0, o.enoLength());
    }

    @Test
    void flagNamesForLogs() {
        assertEquals("SYN|ACK", TcpHeader.flagNames(TcpView.SYN | TcpView.ACK));
        assertEquals("-", TcpHeader.flagNames(0));
    }
}
