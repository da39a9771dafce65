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

    /** Sends a complete IP packet that lies at [offset, offset+length) of {@code packet}. */
    public boolean transmit(ByteBuffer packet, int offset, int length) {
        int pos = packet.position();
        int lim = packet.limit();
        packet.limit(offset + length).position(offset);
        try {
            boolean sent = link.send(packet);
            if (sent) {
                counters.countTx(length);
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
