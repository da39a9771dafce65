package dev.tuncrypt.tcpstack.ip;

import dev.tuncrypt.tcpstack.DropReason;
import dev.tuncrypt.tcpstack.StackCounters;
import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tcpstack.wire.Ipv4View;
import dev.tuncrypt.tcpstack.wire.Ipv6View;
import dev.tuncrypt.tun.PacketLink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The IP output path of one loop. A transport writes its header and payload into
 * {@link #buffer()} at {@link #V4_PAYLOAD} or {@link #V6_PAYLOAD}, then calls
 * {@link #sendV4}/{@link #sendV6}, which prepend the IP header and hand the packet to the link.
 * One reusable direct buffer: nothing is allocated per packet.
 */
public final class IpOutput {
    /** Where the transport header starts for an IPv4 packet (no IP options are sent). */
    public static final int V4_PAYLOAD = 20;
    /** Where the transport header starts for an IPv6 packet (no extension headers are sent). */
    public static final int V6_PAYLOAD = 40;
    /** Default TTL / hop limit, as Linux (net.ipv4.ip_default_ttl). */
    public static final int DEFAULT_TTL = 64;

    private final PacketLink link;
    private final StackCounters counters;
    private final ByteBuffer tx;
    private final ByteBuffer fragment;
    private int nextId;
    /** Called after every {@link #sendsPerHook} packets sent, or null. */
    private Runnable sendHook;
    private int sendsPerHook;
    private int sendsToHook;

    public IpOutput(PacketLink link, StackCounters counters, int initialId) {
        this.link = link;
        this.counters = counters;
        this.tx = ByteBuffer.allocateDirect(65535 + V6_PAYLOAD);
        this.fragment = ByteBuffer.allocateDirect(Math.max(link.mtu(), 576));
        this.nextId = initialId & 0xffff;
    }

    /** The shared transmit buffer; write transport bytes at the payload offset for the family. */
    public ByteBuffer buffer() {
        return tx;
    }

    /** Whether the link completes partial transport checksums ({@link #sendTcpV4} with {@code partialChecksum}). */
    public boolean checksumOffload() {
        return link.checksumOffload();
    }

    /** Whether the link takes TCP super-packets ({@link #sendTcpV4} with a {@code gsoSize}). */
    public boolean segmentationOffload() {
        return link.segmentationOffload();
    }

    /**
     * Runs {@code hook} after every {@code sends} packets handed to the link (the loop reads its
     * link in between, {@link dev.tuncrypt.tcpstack.StackLoop}); null for none.
     */
    public void afterSends(int sends, Runnable hook) {
        this.sendHook = hook;
        this.sendsPerHook = sends;
        this.sendsToHook = sends;
    }

    private void sent(int length) {
        counters.countTx(length);
        if (sendHook != null && --sendsToHook <= 0) {
            sendsToHook = sendsPerHook;
            sendHook.run();
        }
    }

    /** Largest transport segment (header + payload) this path can carry in one packet. */
    public int maxTransportLength(boolean v6) {
        return link.mtu() - (v6 ? V6_PAYLOAD : V4_PAYLOAD);
    }

    /**
     * Prepends an IPv4 header to {@code transportLength} bytes at V4_PAYLOAD and sends. Packets
     * that fit the MTU carry DF (path MTU discovery, RFC 1191); larger ones (an echo reply to a
     * reassembled request) are fragmented (RFC 791 §3.2).
     */
    public boolean sendV4(int source, int destination, int protocol, int transportLength) {
        int total = V4_PAYLOAD + transportLength;
        int id = nextId;
        nextId = (nextId + 1) & 0xffff;
        if (total <= link.mtu()) {
            Ipv4View.writeHeader(tx, 0, total, id, DEFAULT_TTL, protocol, source, destination, true);
            return transmit(tx, 0, total);
        }
        return fragmentV4(source, destination, protocol, transportLength, id);
    }

    private boolean fragmentV4(int source, int destination, int protocol, int transportLength, int id) {
        int chunk = (link.mtu() - V4_PAYLOAD) & ~7; // RFC 791: fragment data in 8-octet units
        boolean all = true;
        for (int off = 0; off < transportLength; off += chunk) {
            int len = Math.min(chunk, transportLength - off);
            boolean more = off + len < transportLength;
            Ipv4View.writeHeader(fragment, 0, V4_PAYLOAD + len, id, DEFAULT_TTL, protocol, source, destination, false);
            fragment.putShort(6, (short) ((more ? 0x2000 : 0) | (off >>> 3)));
            fragment.putShort(10, (short) 0);
            fragment.putShort(10, (short) Checksum.compute(fragment, 0, V4_PAYLOAD));
            fragment.put(V4_PAYLOAD, tx, V4_PAYLOAD + off, len);
            all &= transmit(fragment, 0, V4_PAYLOAD + len);
        }
        return all;
    }

    /** Prepends an IPv6 header to {@code transportLength} bytes at V6_PAYLOAD and sends. */
    public boolean sendV6(long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int transportLength) {
        Ipv6View.writeHeader(tx, 0, transportLength, nextHeader, DEFAULT_TTL, srcHi, srcLo, dstHi, dstLo);
        return transmit(tx, 0, V6_PAYLOAD + transportLength);
    }

    /**
     * Prepends an IPv4 header (DF, the flow's own IP ID {@code id}) to the TCP segment or
     * super-packet at V4_PAYLOAD and sends it. With {@code partialChecksum} the TCP checksum
     * field holds the un-inverted pseudo-header sum over the whole TCP length and the link
     * completes it; with {@code gsoSize > 0} (which needs it) the link cuts the packet into
     * segments of {@code gsoSize} payload bytes, numbering their IP IDs from {@code id} on.
     */
    public boolean sendTcpV4(int source, int destination, int transportLength, int id, boolean partialChecksum,
            int gsoSize) {
        int total = V4_PAYLOAD + transportLength;
        Ipv4View.writeHeader(tx, 0, total, id & 0xffff, DEFAULT_TTL, dev.tuncrypt.tcpstack.wire.IpProtocol.TCP,
                source, destination, true);
        return partialChecksum ? transmitOffloaded(V4_PAYLOAD, total, gsoSize) : transmit(tx, 0, total);
    }

    /** As {@link #sendTcpV4} for IPv6 (no IP ID). */
    public boolean sendTcpV6(long srcHi, long srcLo, long dstHi, long dstLo, int transportLength,
            boolean partialChecksum, int gsoSize) {
        Ipv6View.writeHeader(tx, 0, transportLength, dev.tuncrypt.tcpstack.wire.IpProtocol.TCP, DEFAULT_TTL, srcHi,
                srcLo, dstHi, dstLo);
        int total = V6_PAYLOAD + transportLength;
        return partialChecksum ? transmitOffloaded(V6_PAYLOAD, total, gsoSize) : transmit(tx, 0, total);
    }

    private boolean transmitOffloaded(int transportOffset, int length, int gsoSize) {
        int pos = tx.position();
        int lim = tx.limit();
        tx.limit(length).position(0);
        try {
            boolean sent = link.sendOffloaded(tx, transportOffset, 16, gsoSize);
            if (sent) {
                sent(length);
            } else {
                counters.drop(DropReason.LINK_TX_FULL);
            }
            return sent;
        } catch (IOException e) {
            throw new UncheckedIOException("link write failed", e);
        } finally {
            tx.limit(lim).position(pos);
        }
    }

    /** Sends a complete IP packet that lies at [offset, offset+length) of {@code packet}. */
    public boolean transmit(ByteBuffer packet, int offset, int length) {
        int pos = packet.position();
        int lim = packet.limit();
        packet.limit(offset + length).position(offset);
        try {
            boolean sent = link.send(packet);
            if (sent) {
                sent(length);
            } else {
                counters.drop(DropReason.LINK_TX_FULL);
            }
            return sent;
        } catch (IOException e) {
            throw new UncheckedIOException("link write failed", e);
        } finally {
            packet.limit(lim).position(pos);
        }
    }
}
