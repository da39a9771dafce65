package dev.tuncrypt.tcpstack;

import java.nio.ByteBuffer;

/**
 * The IP-level facts of the packet being processed, filled by the IP input path and handed to
 * the transport handler. One instance per loop, overwritten for each packet: handlers must copy
 * what they keep.
 */
public final class InboundPacket {
    ByteBuffer buffer;
    int ipOffset;
    int ipLength;
    boolean v6;
    int protocol;
    int transportOffset;
    int transportLength;
    int source4;
    int destination4;
    long sourceHi;
    long sourceLo;
    long destinationHi;
    long destinationLo;
    int hopLimit;
    boolean destinationLocal;
    boolean checksumPartial;
    int gsoSize;

    public ByteBuffer buffer() {
        return buffer;
    }

    /** Index of the IP header in {@link #buffer()}. */
    public int ipOffset() {
        return ipOffset;
    }

    /** Length of the whole IP packet (header included). */
    public int ipLength() {
        return ipLength;
    }

    public boolean isV6() {
        return v6;
    }

    /** IP protocol / IPv6 upper-layer next header. */
    public int protocol() {
        return protocol;
    }

    /** Index of the transport header in {@link #buffer()}. */
    public int transportOffset() {
        return transportOffset;
    }

    /** Bytes from the transport header to the end of the IP payload. */
    public int transportLength() {
        return transportLength;
    }

    public int source4() {
        return source4;
    }

    public int destination4() {
        return destination4;
    }

    public long sourceHi() {
        return sourceHi;
    }

    public long sourceLo() {
        return sourceLo;
    }

    public long destinationHi() {
        return destinationHi;
    }

    public long destinationLo() {
        return destinationLo;
    }

    public int hopLimit() {
        return hopLimit;
    }

    /** Whether the destination is one of the stack's own addresses. */
    public boolean destinationLocal() {
        return destinationLocal;
    }

    /**
     * Whether the transport checksum is partial: the kernel handed the packet over a TUN device
     * with checksum offload and vouches for it; the field holds only the pseudo-header sum. The
     * transport trusts such a packet instead of verifying it (a pass over up to 64 KiB).
     */
    public boolean checksumPartial() {
        return checksumPartial;
    }

    /**
     * For a TCP super-packet from a link with segmentation offload: payload bytes per segment
     * of the segments it stands for (the sender's MSS); 0 for an ordinary packet.
     */
    public int gsoSize() {
        return gsoSize;
    }

    /**
     * Completes a partial TCP checksum in place (the field at transport offset 16), for a packet
     * kept or handed on beyond this loop turn; afterwards the packet verifies as any other.
     */
    public void completeChecksum() {
        if (!checksumPartial) {
            return;
        }
        int field = transportOffset + 16;
        int sum = dev.tuncrypt.tcpstack.wire.Checksum.sum(buffer, transportOffset, transportLength);
        int checksum = ~sum & 0xffff;
        buffer.putShort(field, (short) (checksum == 0 ? 0xffff : checksum));
        checksumPartial = false;
    }
}
