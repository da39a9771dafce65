package dev.tuncrypt.tun;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A link the stack reads IP packets from and writes IP packets to: one TUN queue, one end of a
 * {@link MemoryLink}, or a decorator such as a pcap tap.
 *
 * <p>Batch-friendly and allocation-free: {@link #receive(PacketBatch)} fills pre-allocated
 * buffers, {@link #send(ByteBuffer)} copies the packet out before it returns, so callers reuse
 * their buffers. A link is driven by one thread (its stack loop); only {@link #wakeup()} may be
 * called from other threads.
 */
public interface PacketLink extends Closeable {

    /** Largest IP packet, in bytes, this link carries. */
    int mtu();

    /**
     * Largest packet {@link #receive} may deliver: the MTU, or 64 KiB on a link that hands over
     * TCP super-packets. Batch buffers must be at least this large.
     */
    default int maxPacketSize() {
        return mtu();
    }

    /**
     * How many packets the far side may queue toward this link's reader before it drops what
     * comes next (a TUN queue: the device's {@code txqueuelen}), or 0 when that is unbounded or
     * unknown. A reader that bounds what its peers may send at once keeps within it.
     */
    default int receiveQueuePackets() {
        return 0;
    }

    /**
     * Whether {@link #sendOffloaded} takes packets whose transport checksum is left partial (the
     * kernel completes it where it is needed, if anywhere).
     */
    default boolean checksumOffload() {
        return false;
    }

    /**
     * Whether {@link #sendOffloaded} takes TCP super-packets (up to 64 KiB) that the kernel cuts
     * into segments of a given size: generic segmentation offload.
     */
    default boolean segmentationOffload() {
        return false;
    }

    /**
     * Sends a TCP or UDP packet whose transport checksum field holds only the (un-inverted)
     * pseudo-header sum over the whole transport length; the link or the kernel completes it.
     * With {@code gsoSize > 0} the packet is a TCP super-packet: one IP and TCP header, then
     * payload that the kernel cuts into segments of {@code gsoSize} bytes (the last may be
     * shorter), each a copy of the header with its sequence number, IP ID and checksum fixed up.
     *
     * @param checksumStart where the transport header starts (the IP header's length)
     * @param checksumOffset offset of the checksum field in the transport header (16 for TCP)
     * @param gsoSize payload bytes per segment, or 0 for an ordinary packet
     * @return as {@link #send(ByteBuffer)}
     * @throws UnsupportedOperationException if the link has no {@link #checksumOffload()}
     */
    default boolean sendOffloaded(ByteBuffer packet, int checksumStart, int checksumOffset, int gsoSize)
            throws IOException {
        throw new UnsupportedOperationException("this link has no checksum offload");
    }

    /**
     * Reads the packets that are ready, without blocking, into {@code batch} (which is cleared
     * first). Each filled buffer has position 0 and limit equal to the packet length.
     *
     * @return the number of packets read; 0 if none was ready
     */
    int receive(PacketBatch batch) throws IOException;

    /**
     * Sends the packet between {@code packet}'s position and limit. The position is left
     * unchanged; the caller may reuse the buffer as soon as this returns.
     *
     * @return {@code false} when the link dropped the packet (queue full, link down, injected
     *     loss counts as sent: the sender cannot know)
     */
    boolean send(ByteBuffer packet) throws IOException;

    /**
     * Sends the first {@code batch.count()} packets of a batch.
     *
     * @return how many were accepted
     */
    default int send(PacketBatch batch) throws IOException {
        int sent = 0;
        for (int i = 0; i < batch.count(); i++) {
            if (send(batch.get(i))) {
                sent++;
            }
        }
        return sent;
    }

    /**
     * Blocks until a packet may be ready to {@link #receive}, {@link #wakeup()} is called, or
     * {@code timeoutNanos} passes (0 = return at once, negative = no timeout). Spurious returns
     * are allowed.
     */
    void await(long timeoutNanos) throws IOException;

    /** Makes a current or the next {@link #await} return promptly. Safe from any thread. */
    void wakeup();
}
