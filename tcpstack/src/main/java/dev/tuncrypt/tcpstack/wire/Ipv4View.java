package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.BigEndian.i32;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put16;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put32;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put8;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u16;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u8;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A reusable view of an IPv4 header (RFC 791 §3.1) in place in a buffer. {@link #wrap} validates;
 * the getters read the buffer at absolute indices and never move its position. Getters are only
 * meaningful after a {@code wrap} that returned {@code null}. Not thread-safe; allocates nothing.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |Version|  IHL  |   DSCP/ECN    |          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                    Options (IHL > 5)                          |
 * </pre>
 */
public final class Ipv4View {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;
    /** Largest IPv4 datagram, reassembled or not (16-bit Total Length). */
    public static final int MAX_TOTAL_LENGTH = 65535;

    private static final int FLAG_DF = 0x4000;
    private static final int FLAG_MF = 0x2000;
    private static final int OFFSET_MASK = 0x1FFF;

    private ByteBuffer buf;
    private int offset;
    private int length;
    private int headerLength;
    private int totalLength;

    /**
     * Points this view at the packet received in {@code [offset, offset+length)} and validates it.
     * Bytes past Total Length (link padding) are allowed and ignored.
     *
     * @return {@code null} if the header is valid, otherwise why it is not
     * @throws IndexOutOfBoundsException if the range is not inside the buffer's limit (a caller bug)
     */
    public WireError wrap(ByteBuffer buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.limit());
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        this.headerLength = 0;
        this.totalLength = 0;
        if (length < MIN_HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        int versionIhl = u8(buf, offset);
        if (versionIhl >>> 4 != 4) {
            return WireError.BAD_VERSION; // RFC 791 §3.1 Version: 4
        }
        int hl = (versionIhl & 0x0F) * 4;
        if (hl < MIN_HEADER_LENGTH) {
            return WireError.BAD_HEADER_LENGTH; // RFC 791 §3.1 IHL: "the minimum value for a correct header is 5"
        }
        if (hl > length) {
            return WireError.TRUNCATED;
        }
        int tl = u16(buf, offset + 2);
        if (tl < hl || tl > length) {
            return WireError.BAD_TOTAL_LENGTH; // RFC 791 §3.1 Total Length: header and data, in octets
        }
        this.headerLength = hl;
        this.totalLength = tl;
        if (!Checksum.verify(buf, offset, hl)) {
            // RFC 791 §3.1 Header Checksum; RFC 1122 §3.2.1.2: a host MUST verify it and
            // silently discard a datagram whose checksum is bad.
            return WireError.BAD_CHECKSUM;
        }
        // RFC 791 §3.2 (fragmentation): a fragment's offset plus its data places it in a datagram
        // of at most 65535 octets; one that lands beyond is the "ping of death".
        if (fragmentOffset() + tl > MAX_TOTAL_LENGTH) {
            return WireError.BAD_FRAGMENT;
        }
        return null;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    /** Index of the header in {@link #buffer()}. */
    public int offset() {
        return offset;
    }

    /** Bytes received (as passed to {@link #wrap}; may exceed {@link #totalLength()}). */
    public int length() {
        return length;
    }

    /** IHL * 4, 20..60. */
    public int headerLength() {
        return headerLength;
    }

    public int totalLength() {
        return totalLength;
    }

    /** The second byte: DSCP (6 bits) and ECN (2 bits), RFC 2474 / RFC 3168. */
    public int dscpEcn() {
        return u8(buf, offset + 1);
    }

    public int ecn() {
        return dscpEcn() & 0x03;
    }

    public int identification() {
        return u16(buf, offset + 4);
    }

    public boolean dontFragment() {
        return (u16(buf, offset + 6) & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (u16(buf, offset + 6) & FLAG_MF) != 0;
    }

    /** Fragment offset in bytes (the field counts 8-octet units, RFC 791 §3.1). */
    public int fragmentOffset() {
        return (u16(buf, offset + 6) & OFFSET_MASK) * 8;
    }

    /** Whether this datagram is a fragment: MF set or a non-zero offset (RFC 791 §3.2). */
    public boolean isFragment() {
        return (u16(buf, offset + 6) & (FLAG_MF | OFFSET_MASK)) != 0;
    }

    public int ttl() {
        return u8(buf, offset + 8);
    }

    public int protocol() {
        return u8(buf, offset + 9);
    }

    public int headerChecksum() {
        return u16(buf, offset + 10);
    }

    public int source() {
        return i32(buf, offset + 12);
    }

    public int destination() {
        return i32(buf, offset + 16);
    }

    /** Absolute index of the IP options (empty when IHL is 5). */
    public int optionsOffset() {
        return offset + MIN_HEADER_LENGTH;
    }

    public int optionsLength() {
        return headerLength - MIN_HEADER_LENGTH;
    }

    /** Absolute index of the payload in {@link #buffer()}. */
    public int payloadOffset() {
        return offset + headerLength;
    }

    /** Total Length minus the header length. */
    public int payloadLength() {
        return totalLength - headerLength;
    }

    /** Pseudo-header sum for this packet's payload (RFC 9293 §3.1), for {@code TcpView.verifyChecksum} and friends. */
    public int pseudoHeaderSum() {
        return Checksum.pseudoHeaderIpv4(source(), destination(), protocol(), payloadLength());
    }

    /**
     * Writes a 20-byte IPv4 header (no options, DSCP/ECN 0, not a fragment) at {@code off},
     * with its header checksum.
     *
     * @return the index just past the header (where the payload goes)
     */
    public static int writeHeader(ByteBuffer buf, int off, int totalLength, int id, int ttl, int protocol,
                                  int src, int dst, boolean df) {
        return writeHeader(buf, off, totalLength, id, ttl, protocol, src, dst, df, 0);
    }

    /** As {@link #writeHeader(ByteBuffer, int, int, int, int, int, int, int, boolean)} with a DSCP/ECN byte. */
    public static int writeHeader(ByteBuffer buf, int off, int totalLength, int id, int ttl, int protocol,
                                  int src, int dst, boolean df, int dscpEcn) {
        put8(buf, off, 0x45); // version 4, IHL 5
        put8(buf, off + 1, dscpEcn);
        put16(buf, off + 2, totalLength);
        put16(buf, off + 4, id);
        put16(buf, off + 6, df ? FLAG_DF : 0); // RFC 791 §3.1 Flags: bit 1 DF; offset 0
        put8(buf, off + 8, ttl);
        put8(buf, off + 9, protocol);
        put16(buf, off + 10, 0); // RFC 791 §3.1: "the checksum field is the value zero" while computing
        put32(buf, off + 12, src);
        put32(buf, off + 16, dst);
        put16(buf, off + 10, Checksum.compute(buf, off, MIN_HEADER_LENGTH));
        return off + MIN_HEADER_LENGTH;
    }
}
