package dev.tuncrypt.tun;

import java.util.Objects;

/**
 * How to open a TUN device. Start from {@link #of(String)} and adjust with the withers:
 *
 * <pre>{@code
 * TunConfig cfg = TunConfig.of("tun0").withQueues(2).withMtu(1400);
 * }</pre>
 *
 * @param name interface name, 1-15 characters without '/' or whitespace; a {@code %d} in it lets
 *     the kernel pick a free number (checked by {@link TunDevice#open}, which reports a bad name as
 *     a {@link TunException})
 * @param queues number of queues, one file descriptor each (1-256)
 * @param multiQueue whether to ask for {@code IFF_MULTI_QUEUE}; forced on when {@code queues > 1}
 * @param vnetHdr whether every packet carries a 10-byte {@code virtio_net_hdr}
 *     ({@code IFF_VNET_HDR}); {@link TunQueue} adds and strips it, callers see plain IP packets
 * @param offloads {@code TUN_F_*} offload bits for {@code TUNSETOFFLOAD}; only with {@code vnetHdr},
 *     and TSO needs {@link #TUN_F_CSUM}
 * @param mtu interface MTU, 68-65535
 */
public record TunConfig(String name, int queues, boolean multiQueue, boolean vnetHdr, int offloads, int mtu) {
    /** The kernel may hand us packets whose transport checksum is only partial. */
    public static final int TUN_F_CSUM = 0x01;
    /** The kernel may hand us TCP/IPv4 super-segments (needs {@link #TUN_F_CSUM}). */
    public static final int TUN_F_TSO4 = 0x02;
    /** The kernel may hand us TCP/IPv6 super-segments (needs {@link #TUN_F_CSUM}). */
    public static final int TUN_F_TSO6 = 0x04;
    /** Checksum offload and TCP segmentation offload both ways: what a userspace TCP stack wants. */
    public static final int TCP_OFFLOADS = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
    /** Largest number of queues the kernel allows. */
    public static final int MAX_QUEUES = 256;

    private static final int KNOWN_OFFLOADS = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

    public TunConfig {
        Objects.requireNonNull(name, "name");
        if (queues < 1 || queues > MAX_QUEUES) {
            throw new IllegalArgumentException("queues must be 1.." + MAX_QUEUES + ": " + queues);
        }
        multiQueue = multiQueue || queues > 1;
        if ((offloads & ~KNOWN_OFFLOADS) != 0) {
            throw new IllegalArgumentException("unknown offload bits: 0x" + Integer.toHexString(offloads));
        }
        if (offloads != 0 && !vnetHdr) {
            throw new IllegalArgumentException("offloads need vnetHdr");
        }
        if ((offloads & (TUN_F_TSO4 | TUN_F_TSO6)) != 0 && (offloads & TUN_F_CSUM) == 0) {
            throw new IllegalArgumentException("TSO offloads need TUN_F_CSUM");
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("mtu must be 68..65535: " + mtu);
        }
    }

    /** One queue, no vnet header, no offloads, MTU 1500. */
    public static TunConfig of(String name) {
        return new TunConfig(name, 1, false, false, 0, 1500);
    }

    public TunConfig withName(String name) {
        return new TunConfig(name, queues, multiQueue, vnetHdr, offloads, mtu);
    }

    /** Sets the number of queues; more than one implies {@code multiQueue}. */
    public TunConfig withQueues(int queues) {
        return new TunConfig(name, queues, multiQueue, vnetHdr, offloads, mtu);
    }

    /** Asks for a multi-queue device even with one queue (to match an existing device). */
    public TunConfig withMultiQueue(boolean multiQueue) {
        return new TunConfig(name, queues, multiQueue, vnetHdr, offloads, mtu);
    }

    public TunConfig withVnetHdr(boolean vnetHdr) {
        return new TunConfig(name, queues, multiQueue, vnetHdr, offloads, mtu);
    }

    /** Sets the {@code TUN_F_*} offload bits (needs {@link #withVnetHdr vnetHdr}). */
    public TunConfig withOffloads(int offloads) {
        return new TunConfig(name, queues, multiQueue, vnetHdr, offloads, mtu);
    }

    /**
     * With {@code on}: the vnet header and {@link #TCP_OFFLOADS}, so TCP crosses the device in
     * super-packets of up to 64 KiB each way with checksums left to the kernel; without: neither.
     */
    public TunConfig withTcpOffloads(boolean on) {
        return new TunConfig(name, queues, multiQueue, on, on ? TCP_OFFLOADS : 0, mtu);
    }

    public TunConfig withMtu(int mtu) {
        return new TunConfig(name, queues, multiQueue, vnetHdr, offloads, mtu);
    }

    /** Whether the kernel may send TCP super-segments up to 64 KiB (TSO4 or TSO6 offload). */
    public boolean segmentationOffload() {
        return (offloads & (TUN_F_TSO4 | TUN_F_TSO6)) != 0;
    }
}
