package dev.tuncrypt.tun;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A fixed set of pre-allocated direct buffers that a {@link PacketLink} fills in one call, so the
 * receive path allocates nothing per packet.
 *
 * <p>Each slot also carries what a link with offloads reported about its packet (from the vnet
 * header of a TUN queue): whether the transport checksum is only partial (the kernel vouches for
 * the data and left the pseudo-header sum in the field), and for a TCP super-packet the segment
 * size it was built from. A batch created with {@code keepPartialChecksums} lets the reader trust
 * such packets as they are; otherwise the link completes partial checksums before returning.
 */
public final class PacketBatch {
    private final ByteBuffer[] buffers;
    private final boolean[] partial;
    private final int[] csumStart;
    private final int[] csumOffset;
    private final int[] gsoSize;
    private final boolean keepPartialChecksums;
    private int count;

    /**
     * @param capacity how many packets one batch holds
     * @param bufferSize bytes per packet buffer (at least the link MTU, more with a vnet header)
     */
    public PacketBatch(int capacity, int bufferSize) {
        this(capacity, bufferSize, false);
    }

    /**
     * @param keepPartialChecksums whether the reader takes packets whose transport checksum the
     *     kernel left partial (see {@link #checksumPartial}); if false, links complete them
     */
    public PacketBatch(int capacity, int bufferSize, boolean keepPartialChecksums) {
        if (capacity <= 0 || bufferSize <= 0) {
            throw new IllegalArgumentException("capacity and bufferSize must be positive");
        }
        buffers = new ByteBuffer[capacity];
        for (int i = 0; i < capacity; i++) {
            buffers[i] = ByteBuffer.allocateDirect(bufferSize).order(ByteOrder.BIG_ENDIAN);
        }
        partial = new boolean[capacity];
        csumStart = new int[capacity];
        csumOffset = new int[capacity];
        gsoSize = new int[capacity];
        this.keepPartialChecksums = keepPartialChecksums;
    }

    public int capacity() {
        return buffers.length;
    }

    public int bufferSize() {
        return buffers[0].capacity();
    }

    /** Whether partial checksums are left to the reader (see the class comment). */
    public boolean keepsPartialChecksums() {
        return keepPartialChecksums;
    }

    /** Number of packets currently held. */
    public int count() {
        return count;
    }

    /** Buffer {@code i}; for {@code i < count()} it holds a packet between position and limit. */
    public ByteBuffer get(int i) {
        return buffers[i];
    }

    /**
     * Whether packet {@code i}'s transport checksum is partial: the field at
     * {@link #checksumStart}{@code +}{@link #checksumOffset} holds only the pseudo-header sum.
     * The kernel marks every packet it hands over this way once checksum offload is on; it
     * computed nothing over the data because nothing between it and us can corrupt it.
     */
    public boolean checksumPartial(int i) {
        return partial[i];
    }

    /** Where the partial checksum's coverage starts (the transport header). */
    public int checksumStart(int i) {
        return csumStart[i];
    }

    /** Offset of the checksum field from {@link #checksumStart}. */
    public int checksumOffset(int i) {
        return csumOffset[i];
    }

    /**
     * For a TCP super-packet (generic segmentation offload), the payload bytes per segment it
     * stands for; 0 for an ordinary packet.
     */
    public int gsoSize(int i) {
        return gsoSize[i];
    }

    /** Records what the link knows about packet {@code i} (links call this while filling). */
    public void setOffload(int i, boolean checksumPartial, int checksumStart, int checksumOffset, int gsoSize) {
        partial[i] = checksumPartial;
        csumStart[i] = checksumStart;
        csumOffset[i] = checksumOffset;
        this.gsoSize[i] = gsoSize;
    }

    /** Completes packet {@code i}'s partial checksum in place (a pass over its data). */
    public void completeChecksum(int i) {
        if (partial[i]) {
            VnetHeader.completeChecksum(buffers[i], csumStart[i], csumOffset[i]);
            partial[i] = false;
        }
    }

    /** Marks the first {@code n} buffers as holding packets. */
    public void setCount(int n) {
        if (n < 0 || n > buffers.length) {
            throw new IndexOutOfBoundsException(n);
        }
        count = n;
    }

    /** Empties the batch; every buffer is cleared to full capacity and its offload facts reset. */
    public void clear() {
        for (int i = 0; i < count; i++) {
            buffers[i].clear();
            partial[i] = false;
            gsoSize[i] = 0;
        }
        count = 0;
    }
}
