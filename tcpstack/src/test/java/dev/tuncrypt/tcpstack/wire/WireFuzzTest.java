package dev.tuncrypt.tcpstack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzz targets for the wire views: IPv4, IPv6 (with extension headers), ICMP,
 * ICMPv6, UDP, TCP and its options. Malformed input is a {@link WireError}, never an exception.
 * {@code make test} replays the inputs under {@code src/test/resources/.../WireFuzzTestInputs};
 * {@code make fuzz} fuzzes each target for {@code FUZZ_SECONDS}.
 */
class WireFuzzTest {
    private final dev.tuncrypt.tcpstack.wire.FuzzTest views = new dev.tuncrypt.tcpstack.wire.FuzzTest();

    /** Every view on the bytes as a packet (IPv4 or IPv6 by its version nibble) and as a bare transport header. */
    @FuzzTest
    void packets(byte[] data) {
        views.exercise(ByteBuffer.wrap(data), 0, data.length);
        views.exercise(ByteBuffer.allocateDirect(data.length).put(0, data), 0, data.length);
    }

    /** The TCP option area: the view's parser and the record parser agree, and what parses re-emits to itself. */
    @FuzzTest
    void tcpOptions(byte[] opts) {
        int n = Math.min(40, opts.length) & ~3;
        ByteBuffer b = ByteBuffer.allocate(20 + n);
        TcpView.writeHeader(b, 0, 1, 2, 3, 4, 20 + n, TcpView.SYN, 5, 0);
        b.put(20, opts, 0, n);
        TcpView tcp = new TcpView();
        TcpOptions options = new TcpOptions();
        assertEquals(null, tcp.wrap(b, 0, b.capacity()));
        WireError viaView = tcp.parseOptions(options);
        Parsed<TcpHeader> viaRecord = TcpHeader.parse(b);
        assertEquals(viaView, viaRecord.errorOrNull());
        if (viaRecord instanceof Parsed.Ok<TcpHeader>(TcpHeader h)) {
            PseudoHeader ph = new PseudoHeader.V4(1, 2);
            assertEquals(h, TcpHeader.parse(ByteBuffer.wrap(h.toBytes(ph)), ph).orElseThrow());
        }
    }
}
