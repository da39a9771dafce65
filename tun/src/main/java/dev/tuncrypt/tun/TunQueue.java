package dev.tuncrypt.tun;

import static dev.tuncrypt.tun.Native.LIBC;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;

/**
 * One queue (one file descriptor) of a {@link TunDevice}, as a {@link PacketLink}. The descriptor
 * is non-blocking; {@link #await} polls it together with an eventfd that {@link #wakeup()} writes.
 *
 * <p>Reads and writes go straight between the kernel and the caller's direct buffers. With a
 * vnet header ({@link TunConfig#vnetHdr()}) the header travels in a separate iovec, so callers see
 * plain IP packets and the header's facts in the {@link PacketBatch} slot: a partial transport
 * checksum ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM}) is left as it is for a batch that
 * {@linkplain PacketBatch#keepsPartialChecksums keeps partial checksums} and completed in place
 * otherwise; the segment size of a super-packet is recorded. GSO is not undone: with TSO offloads
 * on, a received TCP super-segment (up to 64 KiB, one IP header for the whole) is delivered as one
 * packet, and {@link #maxPacketSize()} grows accordingly. On send, {@link #send} prepends a zeroed
 * header (no offload) and {@link #sendOffloaded} one that leaves the checksum, and the cutting of
 * a super-packet into segments, to the kernel.
 *
 * <p>Driven by one thread; only {@link #wakeup()} may be called from others. The counters are plain
 * fields written by that thread.
 */
public final class TunQueue implements PacketLink {
    /** Largest packet a TUN queue delivers with TSO on (the kernel's GSO limit). */
    public static final int MAX_GSO_PACKET = 65536;

    private static final int POLLFD_SIZE = 8;
    private static final int POLLFD_REVENTS = 6;
    private static final int IOVEC_SIZE = 16;

    private final String name;
    private final int index;
    private final boolean vnetHdr;
    private final boolean segmentationOffload;
    private final int fd;
    private final int eventFd;
    private final Object wakeLock = new Object();
    private volatile boolean closed;
    private volatile int mtu;
    /** The device's {@code txqueuelen} as last read or set through {@link TunDevice}. */
    private volatile int receiveQueuePackets;

    private final ByteBuffer pollFds;
    private final long pollFdsAddress;
    private final long wakeValueAddress;
    private final long drainAddress;
    private final ByteBuffer rxHeader;
    private final ByteBuffer txHeader;
    /** The tx vnet header holds offload fields from the last {@link #sendOffloaded}. */
    private boolean txHeaderSet;
    private final ByteBuffer rxIov;
    private final long rxIovAddress;
    private final ByteBuffer txIov;
    private final long txIovAddress;
    /** The native memory behind the addresses above (and the zeroed tx vnet header). */
    private final ByteBuffer nativeScratch;
    private ByteBuffer heapCopy;

    private long rxPackets;
    private long rxBytes;
    private long txPackets;
    private long txBytes;
    private long txDropped;
    private long rxChecksumsCompleted;
    private long rxSuperPackets;
    private long txSuperPackets;

    /**
     * Takes ownership of {@code fd} only on success: if this throws, the caller still owns it.
     */
    TunQueue(String name, int index, int fd, TunConfig config) throws TunException {
        this.name = name;
        this.index = index;
        this.fd = fd;
        this.vnetHdr = config.vnetHdr();
        this.segmentationOffload = config.segmentationOffload();
        this.mtu = config.mtu();
        int efd = LIBC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (efd < 0) {
            throw TunException.of("eventfd", name + " queue " + index, Native.errno());
        }
        this.eventFd = efd;

        // Layout: pollfd[2] | wake value (8) | drain (8) | rx vnet header (16) | tx vnet header
        // (16, zero) | rx iovec[2] | tx iovec[2]
        nativeScratch = ByteBuffer.allocateDirect(2 * POLLFD_SIZE + 8 + 8 + 16 + 16 + 4 * IOVEC_SIZE)
                .order(ByteOrder.nativeOrder());
        long base = Native.baseAddress(nativeScratch);
        pollFds = nativeScratch.slice(0, 2 * POLLFD_SIZE).order(ByteOrder.nativeOrder());
        pollFds.putInt(0, fd).putShort(4, LibC.POLLIN);
        pollFds.putInt(POLLFD_SIZE, eventFd).putShort(POLLFD_SIZE + 4, LibC.POLLIN);
        pollFdsAddress = base;
        nativeScratch.putLong(16, 1);
        wakeValueAddress = base + 16;
        drainAddress = base + 24;
        rxHeader = nativeScratch.slice(32, VnetHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        long txHeaderAddress = base + 48;
        txHeader = nativeScratch.slice(48, VnetHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        rxIov = nativeScratch.slice(64, 2 * IOVEC_SIZE).order(ByteOrder.nativeOrder());
        rxIovAddress = base + 64;
        rxIov.putLong(0, base + 32).putLong(8, VnetHeader.SIZE);
        txIov = nativeScratch.slice(96, 2 * IOVEC_SIZE).order(ByteOrder.nativeOrder());
        txIovAddress = base + 96;
        txIov.putLong(0, txHeaderAddress).putLong(8, VnetHeader.SIZE);
    }

    /** The device's name. */
    public String name() {
        return name;
    }

    /** This queue's position in {@link TunDevice#queue(int)}. */
    public int index() {
        return index;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    void mtu(int mtu) {
        this.mtu = mtu;
    }

    /**
     * The device's {@code txqueuelen}: the kernel keeps that many packets per queue for this
     * reader and drops the rest (counted in the device's {@code tx_dropped}). As read when the
     * device was opened or set or read since through {@link TunDevice#setTxQueueLength} or
     * {@link TunDevice#txQueueLength()} (a change made with {@code ip link} shows after the latter).
     */
    @Override
    public int receiveQueuePackets() {
        return receiveQueuePackets;
    }

    void receiveQueuePackets(int packets) {
        this.receiveQueuePackets = packets;
    }

    /**
     * The largest packet {@link #receive} can deliver: the MTU, or {@link #MAX_GSO_PACKET} with TSO
     * offloads. Batch buffers must be at least this large.
     */
    @Override
    public int maxPacketSize() {
        return segmentationOffload ? MAX_GSO_PACKET : mtu;
    }

    /** With a vnet header, packets may be written with partial checksums. */
    @Override
    public boolean checksumOffload() {
        return vnetHdr;
    }

    /** With a vnet header and TSO offloads, TCP super-packets may be written (and are read). */
    @Override
    public boolean segmentationOffload() {
        return vnetHdr && segmentationOffload;
    }

    /**
     * Reads packets until the kernel has none left or the batch is full.
     *
     * @throws IllegalArgumentException if the batch's buffers are smaller than
     *     {@link #maxPacketSize()} or not direct
     */
    @Override
    public int receive(PacketBatch batch) throws IOException {
        ensureOpen();
        if (batch.bufferSize() < maxPacketSize()) {
            throw new IllegalArgumentException("batch buffers of " + batch.bufferSize()
                    + " bytes are smaller than the largest packet, " + maxPacketSize());
        }
        batch.clear();
        int n = 0;
        while (n < batch.capacity()) {
            ByteBuffer buffer = batch.get(n);
            long address = Native.baseAddress(buffer);
            long result;
            if (vnetHdr) {
                rxIov.putLong(IOVEC_SIZE, address).putLong(IOVEC_SIZE + 8, buffer.capacity());
                result = LIBC.readv(fd, rxIovAddress, 2);
            } else {
                result = LIBC.read(fd, address, buffer.capacity());
            }
            if (result < 0) {
                int errno = Native.errno();
                if (Errno.EAGAIN.matches(errno)) {
                    break;
                }
                if (Errno.EINTR.matches(errno)) {
                    continue;
                }
                throw TunException.of("read", name + " queue " + index, errno);
            }
            int length = (int) result - (vnetHdr ? VnetHeader.SIZE : 0);
            if (length <= 0) {
                continue;
            }
            buffer.limit(length).position(0);
            if (vnetHdr) {
                boolean partial = (rxHeader.get(VnetHeader.FLAGS) & VnetHeader.F_NEEDS_CSUM) != 0;
                int gsoType = rxHeader.get(VnetHeader.GSO_TYPE) & ~VnetHeader.GSO_ECN;
                int gso = gsoType == VnetHeader.GSO_NONE ? 0 : rxHeader.getShort(VnetHeader.GSO_SIZE) & 0xffff;
                int start = rxHeader.getShort(VnetHeader.CSUM_START) & 0xffff;
                int offset = rxHeader.getShort(VnetHeader.CSUM_OFFSET) & 0xffff;
                if (partial && !batch.keepsPartialChecksums()) {
                    VnetHeader.completeChecksum(buffer, start, offset);
                    rxChecksumsCompleted++;
                    partial = false;
                }
                batch.setOffload(n, partial, start, offset, gso);
                if (gso != 0) {
                    rxSuperPackets++;
                }
            }
            rxPackets++;
            rxBytes += length;
            n++;
        }
        batch.setCount(n);
        return n;
    }

    /**
     * Writes one packet. A heap buffer is first copied into a per-queue direct buffer.
     *
     * @return false, counted in {@link #txDropped()}, when the kernel would block ({@code EAGAIN})
     *     or the interface is down ({@code EIO})
     */
    @Override
    public boolean send(ByteBuffer packet) throws IOException {
        ensureOpen();
        int length = packet.remaining();
        long address = packet.isDirect() ? Native.address(packet) : copyToDirect(packet);
        while (true) {
            long result;
            if (vnetHdr) {
                if (txHeaderSet) {
                    txHeader.putLong(0, 0).putShort(8, (short) 0);
                    txHeaderSet = false;
                }
                txIov.putLong(IOVEC_SIZE, address).putLong(IOVEC_SIZE + 8, length);
                result = LIBC.writev(fd, txIovAddress, 2);
            } else {
                result = LIBC.write(fd, address, length);
            }
            if (result >= 0) {
                txPackets++;
                txBytes += length;
                return true;
            }
            int errno = Native.errno();
            if (Errno.EINTR.matches(errno)) {
                continue;
            }
            if (Errno.EAGAIN.matches(errno) || Errno.EIO.matches(errno)) {
                txDropped++;
                return false;
            }
            if (Errno.EINVAL.matches(errno)) {
                throw new TunException("write", errno, name + " rejected a " + length
                        + "-byte packet: not a well-formed IPv4 or IPv6 packet");
            }
            throw TunException.of("write", name + " queue " + index, errno);
        }
    }

    /**
     * Writes one packet with a vnet header that leaves its transport checksum to the kernel
     * ({@code NEEDS_CSUM}) and, with {@code gsoSize > 0}, marks it as a TCP super-packet of the
     * packet's IP version ({@code GSO_TCPV4}/{@code GSO_TCPV6}); {@code hdr_len} is the IP and TCP
     * header length read from the packet (the kernel's hint for the linear part).
     */
    @Override
    public boolean sendOffloaded(ByteBuffer packet, int checksumStart, int checksumOffset, int gsoSize)
            throws IOException {
        if (!vnetHdr) {
            throw new UnsupportedOperationException(name + " has no vnet header");
        }
        ensureOpen();
        int at = packet.position();
        int gsoType = VnetHeader.GSO_NONE;
        int hdrLen = 0;
        if (gsoSize > 0) {
            gsoType = (packet.get(at) & 0xf0) == 0x60 ? VnetHeader.GSO_TCPV6 : VnetHeader.GSO_TCPV4;
            hdrLen = checksumStart + ((packet.get(at + checksumStart + 12) & 0xf0) >>> 2);
        }
        int length = packet.remaining();
        long address = packet.isDirect() ? Native.address(packet) : copyToDirect(packet);
        txHeader.put(VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM)
                .put(VnetHeader.GSO_TYPE, (byte) gsoType)
                .putShort(VnetHeader.HDR_LEN, (short) hdrLen)
                .putShort(VnetHeader.GSO_SIZE, (short) gsoSize)
                .putShort(VnetHeader.CSUM_START, (short) checksumStart)
                .putShort(VnetHeader.CSUM_OFFSET, (short) checksumOffset);
        txHeaderSet = true;
        txIov.putLong(IOVEC_SIZE, address).putLong(IOVEC_SIZE + 8, length);
        while (true) {
            long result = LIBC.writev(fd, txIovAddress, 2);
            if (result >= 0) {
                txPackets++;
                txBytes += length;
                if (gsoSize > 0) {
                    txSuperPackets++;
                }
                return true;
            }
            int errno = Native.errno();
            if (Errno.EINTR.matches(errno)) {
                continue;
            }
            if (Errno.EAGAIN.matches(errno) || Errno.EIO.matches(errno)) {
                txDropped++;
                return false;
            }
            if (Errno.EINVAL.matches(errno)) {
                throw new TunException("write", errno, name + " rejected a " + length + "-byte packet (gso_size "
                        + gsoSize + ", csum_start " + checksumStart + "): not a well-formed offloaded packet");
            }
            throw TunException.of("write", name + " queue " + index, errno);
        }
    }

    private long copyToDirect(ByteBuffer packet) {
        if (heapCopy == null) {
            heapCopy = ByteBuffer.allocateDirect(MAX_GSO_PACKET);
        }
        heapCopy.clear().put(0, packet, packet.position(), packet.remaining());
        return Native.baseAddress(heapCopy);
    }

    /** Polls the TUN descriptor and the wakeup eventfd. */
    @Override
    public void await(long timeoutNanos) throws IOException {
        ensureOpen();
        int millis = timeoutNanos < 0 ? -1
                : (int) Math.min(Integer.MAX_VALUE, timeoutNanos / 1_000_000 + (timeoutNanos % 1_000_000 == 0 ? 0 : 1));
        pollFds.putShort(POLLFD_REVENTS, (short) 0).putShort(POLLFD_SIZE + POLLFD_REVENTS, (short) 0);
        if (LIBC.poll(pollFdsAddress, 2, millis) < 0) {
            int errno = Native.errno();
            if (Errno.EINTR.matches(errno)) {
                return;
            }
            throw TunException.of("poll", name + " queue " + index, errno);
        }
        if ((pollFds.getShort(POLLFD_SIZE + POLLFD_REVENTS) & LibC.POLLIN) != 0) {
            LIBC.read(eventFd, drainAddress, 8);
        }
    }

    /** Writes the eventfd; does nothing once the queue is closed. */
    @Override
    public void wakeup() {
        synchronized (wakeLock) {
            if (!closed) {
                LIBC.write(eventFd, wakeValueAddress, 8);
            }
        }
    }

    /**
     * Closes this queue's descriptors; idempotent. Call it from the driving thread, or after that
     * thread stopped. Closing a device's last queue makes a non-persistent device disappear;
     * {@link TunDevice#close()} closes every queue.
     */
    @Override
    public void close() {
        synchronized (wakeLock) {
            if (closed) {
                return;
            }
            closed = true;
            LIBC.close(eventFd);
        }
        LIBC.close(fd);
    }

    boolean isOpen() {
        return !closed;
    }

    int fd() {
        return fd;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    public long rxPackets() {
        return rxPackets;
    }

    public long rxBytes() {
        return rxBytes;
    }

    public long txPackets() {
        return txPackets;
    }

    public long txBytes() {
        return txBytes;
    }

    /** Packets {@link #send} reported as dropped. */
    public long txDropped() {
        return txDropped;
    }

    /** TCP super-packets (a GSO type in the vnet header) received. */
    public long rxSuperPackets() {
        return rxSuperPackets;
    }

    /** TCP super-packets written with {@link #sendOffloaded}. */
    public long txSuperPackets() {
        return txSuperPackets;
    }

    /** Received packets whose partial checksum (vnet header NEEDS_CSUM) was completed here. */
    public long rxChecksumsCompleted() {
        return rxChecksumsCompleted;
    }
}
