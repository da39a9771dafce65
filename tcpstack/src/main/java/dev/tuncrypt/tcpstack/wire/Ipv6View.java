package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.BigEndian.i32;
import static dev.tuncrypt.tcpstack.wire.BigEndian.i64;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put16;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put32;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put64;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put8;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u16;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u32;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u8;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A reusable view of an IPv6 packet (RFC 8200) in place in a buffer: the fixed header, and the
 * walk over the extension headers Hop-by-Hop (0), Routing (43), Destination Options (60) and
 * Fragment (44) to the upper-layer header. Absolute-index getters, no position changes, no
 * allocation; getters are only meaningful after a {@code wrap} that returned {@code null}.
 *
 * <p>A Fragment header ends the walk when the packet is a real fragment: {@link #nextHeader()}
 * is then the Fragment header's Next Header and {@link #payloadOffset()} the start of the
 * fragment data (for reassembly). An atomic fragment (offset 0, M clear) is walked through and
 * processed as a whole packet (RFC 8200 §4.5, RFC 6946). Other headers (ESP, AH, No Next Header,
 * anything unknown) end the walk and are reported as the upper layer.
 *
 * <pre>
 * |Version| Traffic Class |              Flow Label               |
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * |                  Source Address (128 bits)                    |
 * |               Destination Address (128 bits)                  |
 * </pre>
 */
public final class Ipv6View {
    public static final int HEADER_LENGTH = 40;
    /** Largest payload a (non-jumbo) IPv6 packet, reassembled or not, can carry. */
    public static final int MAX_PAYLOAD_LENGTH = 65535;

    private ByteBuffer buf;
    private int offset;
    private int length;
    private int payloadLengthField;
    private int nextHeader;
    private int upperOffset;
    private int upperLength;
    private boolean fragment;
    private int fragmentOffset;
    private boolean moreFragments;
    private long fragmentId;

    /**
     * Points this view at the packet received in {@code [offset, offset+length)}, validates the
     * fixed header and walks the extension headers. Bytes past the Payload Length are ignored.
     *
     * @return {@code null} if valid, otherwise why not
     * @throws IndexOutOfBoundsException if the range is not inside the buffer's limit (a caller bug)
     */
    public WireError wrap(ByteBuffer buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.limit());
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        this.payloadLengthField = 0;
        this.nextHeader = -1;
        this.upperOffset = offset + HEADER_LENGTH;
        this.upperLength = 0;
        this.fragment = false;
        this.fragmentOffset = 0;
        this.moreFragments = false;
        this.fragmentId = 0;
        if (length < HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        if (u8(buf, offset) >>> 4 != 6) {
            return WireError.BAD_VERSION; // RFC 8200 §3 Version: 6
        }
        int pl = u16(buf, offset + 4);
        if (pl > length - HEADER_LENGTH) {
            // RFC 8200 §3 Payload Length: octets following the fixed header. (0 with a Jumbo
            // Payload option, RFC 2675, is not supported: the Hop-by-Hop header then overruns.)
            return WireError.BAD_PAYLOAD_LENGTH;
        }
        this.payloadLengthField = pl;
        int first = offset + HEADER_LENGTH;
        int end = first + pl;
        int pos = first;
        int nh = u8(buf, offset + 6);
        walk:
        while (true) {
            switch (nh) {
                case IpProtocol.HOP_BY_HOP, IpProtocol.DESTINATION_OPTIONS, IpProtocol.ROUTING -> {
                    if (nh == IpProtocol.HOP_BY_HOP && pos != first) {
                        // RFC 8200 §4.1: Hop-by-Hop "is restricted to appear immediately after an IPv6 header only".
                        return WireError.BAD_EXTENSION_HEADER;
                    }
                    if (end - pos < 8) {
                        return WireError.BAD_EXTENSION_HEADER;
                    }
                    // RFC 8200 §4.3/§4.4/§4.6 Hdr Ext Len: 8-octet units, not including the first 8.
                    int extLen = (u8(buf, pos + 1) + 1) * 8;
                    if (extLen > end - pos) {
                        return WireError.BAD_EXTENSION_HEADER;
                    }
                    if (nh == IpProtocol.ROUTING) {
                        // RFC 8200 §4.4: Segments Left 0 -> ignore the header; otherwise the
                        // routing type must be understood, and this host implements none.
                        if (u8(buf, pos + 3) != 0) {
                            return WireError.UNSUPPORTED_ROUTING_HEADER;
                        }
                    } else {
                        WireError e = checkOptions(buf, pos + 2, pos + extLen);
                        if (e != null) {
                            return e;
                        }
                    }
                    nh = u8(buf, pos);
                    pos += extLen;
                }
                case IpProtocol.FRAGMENT -> {
                    if (end - pos < 8) {
                        return WireError.BAD_EXTENSION_HEADER; // RFC 8200 §4.5: the Fragment header is 8 octets
                    }
                    int next = u8(buf, pos);
                    int word = u16(buf, pos + 2);
                    int fo = word & 0xFFF8; // 13-bit offset in 8-octet units, already scaled by its position
                    boolean m = (word & 1) != 0;
                    int unfragmentable = pos - first;
                    long id = u32(buf, pos + 4);
                    pos += 8;
                    nh = next;
                    if (fo == 0 && !m) {
                        // RFC 8200 §4.5 / RFC 6946: an atomic fragment is processed as a whole packet.
                        continue;
                    }
                    int fragLen = end - pos;
                    if (m && (fragLen & 7) != 0) {
                        // RFC 8200 §4.5: a fragment with M = 1 whose length is not a multiple of 8 "must be discarded".
                        return WireError.BAD_FRAGMENT;
                    }
                    if (unfragmentable + fo + fragLen > MAX_PAYLOAD_LENGTH) {
                        // RFC 8200 §4.5: reassembled Payload Length would exceed 65,535 -> discard.
                        return WireError.BAD_FRAGMENT;
                    }
                    this.fragment = true;
                    this.fragmentOffset = fo;
                    this.moreFragments = m;
                    this.fragmentId = id;
                    break walk;
                }
                default -> {
                    break walk;
                }
            }
        }
        this.nextHeader = nh;
        this.upperOffset = pos;
        this.upperLength = end - pos;
        return null;
    }

    /** Walks the TLV options of a Hop-by-Hop or Destination Options header (RFC 8200 §4.2). */
    private static WireError checkOptions(ByteBuffer buf, int from, int to) {
        int i = from;
        while (i < to) {
            int type = u8(buf, i);
            if (type == 0) { // Pad1: a single octet, no length or data
                i++;
                continue;
            }
            if (to - i < 2) {
                return WireError.BAD_EXTENSION_HEADER;
            }
            int len = 2 + u8(buf, i + 1);
            if (len > to - i) {
                return WireError.BAD_EXTENSION_HEADER;
            }
            // RFC 8200 §4.2: the two high-order bits of an unrecognized option's type say what to
            // do; 00 = skip it, anything else = discard the packet. This host implements no
            // option beyond padding, so only 00-type options (PadN, Router Alert, ...) pass.
            if (type >>> 6 != 0) {
                return WireError.UNRECOGNIZED_IPV6_OPTION;
            }
            i += len;
        }
        return null;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    /** Index of the fixed header in {@link #buffer()}. */
    public int offset() {
        return offset;
    }

    /** Bytes received (as passed to {@link #wrap}). */
    public int length() {
        return length;
    }

    /** 40 + the Payload Length field. */
    public int totalLength() {
        return HEADER_LENGTH + payloadLengthField;
    }

    /** The Payload Length field: everything after the fixed header, extension headers included. */
    public int payloadLengthField() {
        return payloadLengthField;
    }

    public int trafficClass() {
        return (i32(buf, offset) >>> 20) & 0xFF;
    }

    public int flowLabel() {
        return i32(buf, offset) & 0xFFFFF;
    }

    /** The fixed header's Next Header field (the first extension header, if any). */
    public int firstNextHeader() {
        return u8(buf, offset + 6);
    }

    public int hopLimit() {
        return u8(buf, offset + 7);
    }

    public long sourceHi() {
        return i64(buf, offset + 8);
    }

    public long sourceLo() {
        return i64(buf, offset + 16);
    }

    public long destinationHi() {
        return i64(buf, offset + 24);
    }

    public long destinationLo() {
        return i64(buf, offset + 32);
    }

    /** The upper-layer protocol after the extension headers (or the fragment's, see class doc). */
    public int nextHeader() {
        return nextHeader;
    }

    /** Absolute index of the upper-layer header (or of the fragment data). */
    public int payloadOffset() {
        return upperOffset;
    }

    /** Length of the upper-layer packet (or of the fragment data). */
    public int payloadLength() {
        return upperLength;
    }

    /** Octets of extension headers between the fixed header and {@link #payloadOffset()}. */
    public int extensionHeadersLength() {
        return upperOffset - offset - HEADER_LENGTH;
    }

    /** Whether a non-atomic Fragment header was found (offset non-zero or M set). */
    public boolean isFragment() {
        return fragment;
    }

    /** Fragment offset in bytes; 0 unless {@link #isFragment()}. */
    public int fragmentOffset() {
        return fragmentOffset;
    }

    public boolean moreFragments() {
        return moreFragments;
    }

    /** The 32-bit fragment Identification; 0 unless {@link #isFragment()}. */
    public long fragmentId() {
        return fragmentId;
    }

    /** Pseudo-header sum for the upper-layer packet (RFC 8200 §8.1). */
    public int pseudoHeaderSum() {
        return Checksum.pseudoHeaderIpv6(sourceHi(), sourceLo(), destinationHi(), destinationLo(),
                nextHeader, upperLength);
    }

    /**
     * Writes a 40-byte IPv6 header with traffic class and flow label 0.
     *
     * @param payloadLength bytes after this header (RFC 8200 §3 Payload Length)
     * @return the index just past the header
     */
    public static int writeHeader(ByteBuffer buf, int off, int payloadLength, int nextHeader, int hopLimit,
                                  long srcHi, long srcLo, long dstHi, long dstLo) {
        return writeHeader(buf, off, payloadLength, nextHeader, hopLimit, srcHi, srcLo, dstHi, dstLo, 0, 0);
    }

    /** As the shorter overload, with a traffic class and a 20-bit flow label (RFC 6437). */
    public static int writeHeader(ByteBuffer buf, int off, int payloadLength, int nextHeader, int hopLimit,
                                  long srcHi, long srcLo, long dstHi, long dstLo, int trafficClass, int flowLabel) {
        put32(buf, off, (6 << 28) | ((trafficClass & 0xFF) << 20) | (flowLabel & 0xFFFFF));
        put16(buf, off + 4, payloadLength);
        put8(buf, off + 6, nextHeader);
        put8(buf, off + 7, hopLimit);
        put64(buf, off + 8, srcHi);
        put64(buf, off + 16, srcLo);
        put64(buf, off + 24, dstHi);
        put64(buf, off + 32, dstLo);
        return off + HEADER_LENGTH;
    }
}
