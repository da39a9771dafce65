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
 * A reusable view of an ICMPv4 message (RFC 792) in place in a buffer: type, code, checksum, the
 * 4-byte rest of header and the body. The ICMPv4 checksum covers the message only, so
 * {@link #wrap} verifies it. For error messages the body is the quoted datagram (its IP header
 * and at least 8 bytes of its payload).
 */
public final class IcmpV4View {
    public static final int HEADER_LENGTH = 8;

    public static final int ECHO_REPLY = 0;
    public static final int DESTINATION_UNREACHABLE = 3;
    public static final int SOURCE_QUENCH = 4;
    public static final int REDIRECT = 5;
    public static final int ECHO_REQUEST = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROBLEM = 12;
    public static final int TIMESTAMP = 13;
    public static final int TIMESTAMP_REPLY = 14;

    /** Destination Unreachable codes (RFC 792, RFC 1191, RFC 1812 §5.2.7.1). */
    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    public static final int CODE_ADMIN_PROHIBITED = 13;

    private ByteBuffer buf;
    private int offset;
    private int length;

    /**
     * Points this view at the message in {@code [offset, offset+length)} (the IP payload) and
     * verifies its checksum.
     *
     * @return {@code null} if valid, otherwise why not
     */
    public WireError wrap(ByteBuffer buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.limit());
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        if (length < HEADER_LENGTH) {
            return WireError.TRUNCATED; // RFC 792: type, code, checksum and 4 more octets in every message
        }
        if (!Checksum.verify(buf, offset, length)) {
            return WireError.BAD_CHECKSUM; // RFC 792 Checksum: over the ICMP message starting with the type
        }
        return null;
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

    /** Echo / timestamp identifier (RFC 792). */
    public int identifier() {
        return u16(buf, offset + 4);
    }

    /** Echo / timestamp sequence number (RFC 792). */
    public int sequence() {
        return u16(buf, offset + 6);
    }

    /** Next-Hop MTU of a Fragmentation Needed message (RFC 1191 §4); 0 from old routers. */
    public int nextHopMtu() {
        return u16(buf, offset + 6);
    }

    /** Octet index of the problem in a Parameter Problem message (RFC 792). */
    public int pointer() {
        return u8(buf, offset + 4);
    }

    /** Whether this is an error message, whose body quotes the offending datagram. */
    public boolean isError() {
        return switch (type()) {
            case DESTINATION_UNREACHABLE, SOURCE_QUENCH, REDIRECT, TIME_EXCEEDED, PARAMETER_PROBLEM -> true;
            default -> false;
        };
    }

    /** Absolute index of the body (echo data, or the quoted datagram of an error). */
    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** For an error: absolute index of the quoted IP header (the same as {@link #payloadOffset()}). */
    public int quotedOffset() {
        return offset + HEADER_LENGTH;
    }

    public int quotedLength() {
        return length - HEADER_LENGTH;
    }

    /**
     * Writes the 8-byte header with checksum 0; then {@link #fillChecksum}.
     *
     * @return the index of the body
     */
    public static int writeHeader(ByteBuffer buf, int off, int type, int code, int restOfHeader) {
        put8(buf, off, type);
        put8(buf, off + 1, code);
        put16(buf, off + 2, 0);
        put32(buf, off + 4, restOfHeader);
        return off + HEADER_LENGTH;
    }

    /** Computes and stores the checksum of the message {@code [off, off+length)}; returns it. */
    public static int fillChecksum(ByteBuffer buf, int off, int length) {
        put16(buf, off + 2, 0);
        int c = Checksum.compute(buf, off, length);
        put16(buf, off + 2, c);
        return c;
    }
}
