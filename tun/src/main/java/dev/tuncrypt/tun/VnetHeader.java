package dev.tuncrypt.tun;

import java.nio.ByteBuffer;

/**
 * The 10-byte little-endian {@code struct virtio_net_hdr} that precedes every packet on a TUN
 * queue opened with {@code IFF_VNET_HDR}: flags (u8), gso_type (u8), hdr_len, gso_size, csum_start,
 * csum_offset (u16 each).
 */
final class VnetHeader {
    static final int SIZE = 10;
    /** The transport checksum is partial: finish it from csum_start, store at csum_offset. */
    static final int F_NEEDS_CSUM = 1;
    /** The kernel already verified the checksum (ignored on write). */
    static final int F_DATA_VALID = 2;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_TCPV6 = 4;
    /** Bit set with the GSO type when the segments carry ECN marks (CWR on the first). */
    static final int GSO_ECN = 0x80;
    static final int FLAGS = 0;
    static final int GSO_TYPE = 1;
    static final int HDR_LEN = 2;
    static final int GSO_SIZE = 4;
    static final int CSUM_START = 6;
    static final int CSUM_OFFSET = 8;

    private VnetHeader() {}

    /**
     * Finishes a partial transport checksum the way the kernel does ({@code skb_checksum_help}):
     * the field at {@code csumStart + csumOffset} holds the pseudo-header sum; the one's complement
     * of the sum from {@code csumStart} to the packet's limit replaces it, 0 written as 0xffff.
     * The packet spans index 0 to its limit; offsets outside it leave the packet untouched (its
     * checksum then fails where it is verified).
     */
    static void completeChecksum(ByteBuffer packet, int csumStart, int csumOffset) {
        int field = csumStart + csumOffset;
        if (field + 2 > packet.limit()) {
            return;
        }
        int checksum = ~Checksum.fold(Checksum.sum(packet, csumStart, packet.limit(), 0)) & 0xffff;
        if (checksum == 0) {
            checksum = 0xffff;
        }
        packet.put(field, (byte) (checksum >>> 8)).put(field + 1, (byte) checksum);
    }
}
