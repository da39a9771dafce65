package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.BigEndian.i32;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put16;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put32;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put8;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u16;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u32;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u8;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A reusable view of an ICMPv6 message (RFC 4443) in place in a buffer. The checksum includes
 * the IPv6 pseudo-header (RFC 4443 §2.3), so it is checked by {@link #verifyChecksum(int)}.
 * Error messages (types 0..127, RFC 4443 §2.1) quote as much of the invoking packet as fits.
 */
public final class IcmpV6View {
    public static final int HEADER_LENGTH = 8;

    public static final int DESTINATION_UNREACHABLE = 1;
    public static final int PACKET_TOO_BIG = 2;
    public static final int TIME_EXCEEDED = 3;
    public static final int PARAMETER_PROBLEM = 4;
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;

    /** Destination Unreachable codes (RFC 4443 §3.1). */
    public static final int CODE_NO_ROUTE = 0;
    public static final int CODE_ADMIN_PROHIBITED = 1;
    public static final int CODE_ADDRESS_UNREACHABLE = 3;
    public static final int CODE_PORT_UNREACHABLE = 4;
    /** Parameter Problem codes (RFC 4443 §3.4). */
    public static final int CODE_ERRONEOUS_HEADER_FIELD = 0;
    public static final int CODE_UNRECOGNIZED_NEXT_HEADER = 1;
    public static final int CODE_UNRECOGNIZED_OPTION = 2;

    private ByteBuffer buf;
    private int offset;
    private int length;

    /**
     * Points this view at the message in {@code [offset, offset+length)} (the upper-layer
     * payload of the IPv6 packet).
     *
     * @return {@code null} if valid, otherwise why not
     */
    public WireError wrap(ByteBuffer buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.limit());
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        if (length < HEADER_LENGTH) {
            return WireError.TRUNCATED; // RFC 4443 §2.1: type, code, checksum, then the message body (4+ octets in every type we parse)
        }
        return null;
    }

    /**
     * @param pseudoHeaderSum {@link Ipv6View#pseudoHeaderSum()}, or {@link Checksum#pseudoHeaderIpv6}
     *     with next header 58 and {@link #length()}
     */
    public WireError verifyChecksum(int pseudoHeaderSum) {
        // RFC 4443 §2.3: the checksum covers the message prepended with the IPv6 pseudo-header (RFC 8200 §8.1).
        return Checksum.verify(buf, offset, length, pseudoHeaderSum) ? null : WireError.BAD_CHECKSUM;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public int type() {
        return u8(buf, offset);
    }

    public int code() {
        return u8(buf, offset + 1);
    }

    public int checksum() {
        return u16(buf, offset + 2);
    }

    /** Bytes 4..7, whose meaning depends on the type. */
    public int restOfHeader() {
        return i32(buf, offset + 4);
    }

    /** Echo identifier (RFC 4443 §4.1). */
    public int identifier() {
        return u16(buf, offset + 4);
    }

    /** Echo sequence number (RFC 4443 §4.1). */
    public int sequence() {
        return u16(buf, offset + 6);
    }

    /** MTU of a Packet Too Big message (RFC 4443 §3.2), unsigned 32-bit. */
    public long mtu() {
        return u32(buf, offset + 4);
    }

    /** Pointer of a Parameter Problem message (RFC 4443 §3.4), unsigned 32-bit. */
    public long pointer() {
        return u32(buf, offset + 4);
    }

    /** RFC 4443 §2.1: error messages have a type below 128. */
    public boolean isError() {
        return type() < 128;
    }

    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** For an error: absolute index of the quoted IPv6 header (the same as {@link #payloadOffset()}). */
    public int quotedOffset() {
        return offset + HEADER_LENGTH;
    }

    public int quotedLength() {
        return length - HEADER_LENGTH;
    }

    /** Writes the 8-byte header with checksum 0; returns the index of the body. */
    public static int writeHeader(ByteBuffer buf, int off, int type, int code, int restOfHeader) {
        put8(buf, off, type);
        put8(buf, off + 1, code);
        put16(buf, off + 2, 0);
        put32(buf, off + 4, restOfHeader);
        return off + HEADER_LENGTH;
    }

    /** Computes and stores the checksum of {@code [off, off+length)} on top of the pseudo-header sum; returns it. */
    public static int fillChecksum(ByteBuffer buf, int off, int length, int pseudoHeaderSum) {
        put16(buf, off + 2, 0);
        int c = Checksum.compute(buf, off, length, pseudoHeaderSum);
        put16(buf, off + 2, c);
        return c;
    }
}
