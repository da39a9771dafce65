package dev.tuncrypt.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Completing partial checksums as the kernel leaves them with {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}. */
class VnetHeaderTest {
    private static final int UDP_CHECKSUM = 26;

    /** Replaces the UDP checksum with the folded, uncomplemented pseudo-header sum, as the kernel does. */
    private static void makePartial(ByteBuffer p) {
        int udpLength = p.limit() - 20;
        long pseudo = 0;
        for (int i = 12; i < 20; i += 2) {
            pseudo += p.getShort(i) & 0xffff;
        }
        pseudo += Packets.PROTO_UDP + udpLength;
        while ((pseudo >> 16) != 0) {
            pseudo = (pseudo & 0xffff) + (pseudo >> 16);
        }
        p.putShort(UDP_CHECKSUM, (short) pseudo);
    }

    @Test
    void completesUdpChecksumsOfEveryLength() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        InetAddress a = InetAddress.getByName("198.18.3.4");
        InetAddress b = InetAddress.getByName("198.19.200.1");
        for (int length = 0; length < 300; length++) {
            byte[] payload = new byte[length];
            random.nextBytes(payload);
            ByteBuffer p = Packets.udp4(a, 1 + length, b, 53, payload);
            short expected = p.getShort(UDP_CHECKSUM);
            makePartial(p);
            VnetHeader.completeChecksum(p, 20, 6);
            assertEquals(expected, p.getShort(UDP_CHECKSUM), "payload length " + length);
            assertTrue(Packets.udp4ChecksumValid(p));
        }
    }

    @Test
    void aBufferInLittleEndianOrderGivesTheSameChecksum() throws Exception {
        ByteBuffer p = Packets.udp4(InetAddress.getByName("198.18.0.1"), 1, InetAddress.getByName("198.18.0.2"), 2,
                new byte[] {1, 2, 3, 4, 5, 6, 7});
        short expected = p.getShort(UDP_CHECKSUM);
        makePartial(p);
        p.order(ByteOrder.LITTLE_ENDIAN);
        VnetHeader.completeChecksum(p, 20, 6);
        p.order(ByteOrder.BIG_ENDIAN);
        assertEquals(expected, p.getShort(UDP_CHECKSUM));
    }

    @Test
    void offsetsOutsideThePacketLeaveItAlone() throws Exception {
        ByteBuffer p = Packets.udp4(InetAddress.getByName("198.18.0.1"), 1, InetAddress.getByName("198.18.0.2"), 2,
                new byte[4]);
        ByteBuffer before = ByteBuffer.allocate(p.limit()).put(p.duplicate()).flip();
        VnetHeader.completeChecksum(p, p.limit() - 1, 6);
        assertEquals(before, p.duplicate().rewind());
    }
}
