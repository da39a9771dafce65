package dev.tuncrypt.tcpstack.wire;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The hot path (views, option parsing, writers, checksums) allocates nothing per packet. */
class AllocationTest {

    private final Ipv4View ip = new Ipv4View();
    private final TcpView tcp = new TcpView();
    private final TcpOptions options = new TcpOptions();
    private final ByteBuffer rx = ByteBuffer.allocateDirect(2048);
    private final ByteBuffer tx = ByteBuffer.allocateDirect(2048);
    private final ByteBuffer eno = ByteBuffer.allocateDirect(8).put(0, (byte) 0x21).put(1, (byte) 0x22);
    private final long[] left = {1, 3};
    private final long[] right = {2, 4};

    private long roundTrip(int i) {
        // Write: IPv4 + TCP with options and payload, then checksum.
        int start = TcpView.writeHeader(tx, 20, 40000, 443, i, i * 7L & 0xFFFF_FFFFL, 20, TcpView.ACK | TcpView.PSH, 500, 0);
        int p = TcpOptionsWriter.nop(tx, start);
        p = TcpOptionsWriter.nop(tx, p);
        p = TcpOptionsWriter.timestamps(tx, p, i, i - 1 & 0xFFFF_FFFFL);
        p = TcpOptionsWriter.sack(tx, p, left, right, 2);
        p = TcpOptionsWriter.experimental(tx, p, 253, TcpOptions.EXID_ENO, eno, 0, 2);
        p = TcpOptionsWriter.pad(tx, start, p);
        TcpView.setHeaderLength(tx, 20, p - 20);
        int segLen = p - 20 + 100;
        TcpView.fillChecksum(tx, 20, segLen, Checksum.pseudoHeaderIpv4(1, 2, 6, segLen));
        Ipv4View.writeHeader(tx, 0, 20 + segLen, i & 0xFFFF, 64, 6, 1, 2, true);
        rx.put(0, tx, 0, 20 + segLen);

        // Read it back.
        assertNull(ip.wrap(rx, 0, 20 + segLen));
        assertNull(tcp.wrap(rx, ip.payloadOffset(), ip.payloadLength()));
        assertNull(tcp.verifyChecksum(ip.pseudoHeaderSum()));
        assertNull(tcp.parseOptions(options));
        return tcp.sequenceNumber() + options.tsVal() + options.sackRight(1) + options.experimentalExId(0)
                + Checksum.update32(tcp.checksum(), i, i + 1);
    }

    @Test
    void noAllocationPerPacket() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long sink = 0;
        for (int i = 0; i < 200_000; i++) { // warm up past C2 compilation
            sink += roundTrip(i);
        }
        long before = threads.getThreadAllocatedBytes(tid);
        int packets = 200_000;
        for (int i = 0; i < packets; i++) {
            sink += roundTrip(i);
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        // Even 8 bytes per packet would be 1.6 MB; allow a little for the JIT/MXBean itself.
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for " + packets + " packets (sink " + sink + ")");
    }
}
