package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.BigEndian.put16;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put32;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put8;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u16;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u32;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u8;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A reusable view of a TCP segment (RFC 9293 §3.1) in place in a buffer. {@link #wrap} checks the
 * data offset; the checksum needs the IP pseudo-header and is checked by
 * {@link #verifyChecksum(int)} (separately, because checksum offload may have done it already);
 * options are parsed on demand by {@link #parseOptions(TcpOptions)}. Absolute-index getters, no
 * position changes, no allocation.
 *
 * <pre>
 * |          Source Port          |       Destination Port        |
 * |                        Sequence Number                        |
 * |                    Acknowledgment Number                      |
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |           Checksum            |         Urgent Pointer        |
 * |                      Options (data offset > 5)                |
 * </pre>
 */
public final class TcpView {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    /** ECN-Echo (RFC 3168 §6.1). */
    public static final int ECE = 0x40;
    /** Congestion Window Reduced (RFC 3168 §6.1). */
    public static final int CWR = 0x80;

    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;

    private ByteBuffer buf;
    private int offset;
    private int length;
    private int headerLength;

    /**
     * Points this view at the segment in {@code [offset, offset+length)} (the IP payload) and
     * validates its data offset.
     *
     * @return {@code null} if valid, otherwise why not
     * @throws IndexOutOfBoundsException if the range is not inside the buffer's limit (a caller bug)
     */
    public WireError wrap(ByteBuffer buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.limit());
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        this.headerLength = 0;
        if (length < MIN_HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        // RFC 9293 §3.1 Data Offset: the header length in 32-bit words; the fixed part is 5.
        int hl = (u8(buf, offset + 12) >>> 4) * 4;
        if (hl < MIN_HEADER_LENGTH || hl > length) {
            return WireError.BAD_DATA_OFFSET;
        }
        this.headerLength = hl;
        return null;
    }

    /**
     * Checks the checksum over the whole segment on top of the IP pseudo-header sum
     * ({@link Ipv4View#pseudoHeaderSum()}, {@link Ipv6View#pseudoHeaderSum()}).
     *
     * @return {@code null} if it verifies, otherwise {@link WireError#BAD_CHECKSUM}
     */
    public WireError verifyChecksum(int pseudoHeaderSum) {
        // RFC 9293 §3.1 Checksum: the ones'-complement sum over the pseudo-header, the header
        // (checksum included) and the data must come out all ones.
        return Checksum.verify(buf, offset, length, pseudoHeaderSum) ? null : WireError.BAD_CHECKSUM;
    }

    /**
     * Resets {@code into} and parses this segment's options into it.
     *
     * @return {@code null} if every option is well-formed, otherwise why not
     */
    public WireError parseOptions(TcpOptions into) {
        return into.parse(buf, offset + MIN_HEADER_LENGTH, offset + headerLength);
    }

    public ByteBuffer buffer() {
        return buf;
    }

    /** Index of the TCP header in {@link #buffer()}. */
    public int offset() {
        return offset;
    }

    /** Segment length: header, options and data. */
    public int length() {
        return length;
    }

    public int sourcePort() {
        return u16(buf, offset);
    }

    public int destinationPort() {
        return u16(buf, offset + 2);
    }

    /** SEG.SEQ, unsigned 32-bit. */
    public long sequenceNumber() {
        return u32(buf, offset + 4);
    }

    /** SEG.ACK, unsigned 32-bit (meaningful when ACK is set). */
    public long acknowledgmentNumber() {
        return u32(buf, offset + 8);
    }

    /** Data offset * 4, 20..60. */
    public int headerLength() {
        return headerLength;
    }

    /** The eight control bits CWR..FIN of byte 13 ({@link #FIN} ... {@link #CWR}). */
    public int flags() {
        return u8(buf, offset + 13);
    }

    /** Whether every bit of {@code mask} is set. */
    public boolean hasFlags(int mask) {
        return (flags() & mask) == mask;
    }

    /** The four bits between data offset and CWR (reserved in RFC 9293; AccECN's AE is the lowest). */
    public int reservedBits() {
        return u8(buf, offset + 12) & 0x0F;
    }

    /** SEG.WND as sent, unscaled. */
    public int window() {
        return u16(buf, offset + 14);
    }

    public int checksum() {
        return u16(buf, offset + 16);
    }

    public int urgentPointer() {
        return u16(buf, offset + 18);
    }

    /** Absolute index of the options. */
    public int optionsOffset() {
        return offset + MIN_HEADER_LENGTH;
    }

    public int optionsLength() {
        return headerLength - MIN_HEADER_LENGTH;
    }

    /** Absolute index of the data. */
    public int payloadOffset() {
        return offset + headerLength;
    }

    /** SEG.LEN without SYN and FIN: bytes of data. */
    public int payloadLength() {
        return length - headerLength;
    }

    /**
     * Writes the fixed 20-byte header at {@code off} with checksum 0. Options go at the returned
     * index (see {@link TcpOptionsWriter}); then {@link #fillChecksum}.
     *
     * @param headerLength 20..60, a multiple of 4: header plus padded options (or fix it later
     *     with {@link #setHeaderLength})
     * @param flags control bits, {@link #FIN} ... {@link #CWR}
     * @return the index just past the fixed header (where options start)
     */
    public static int writeHeader(ByteBuffer buf, int off, int srcPort, int dstPort, long seq, long ack,
                                  int headerLength, int flags, int window, int urgent) {
        put16(buf, off, srcPort);
        put16(buf, off + 2, dstPort);
        put32(buf, off + 4, seq);
        put32(buf, off + 8, ack);
        setHeaderLength(buf, off, headerLength);
        put8(buf, off + 13, flags);
        put16(buf, off + 14, window);
        put16(buf, off + 16, 0);
        put16(buf, off + 18, urgent);
        return off + MIN_HEADER_LENGTH;
    }

    /** Sets the data offset of the header at {@code off} (clears the reserved bits). */
    public static void setHeaderLength(ByteBuffer buf, int off, int headerLength) {
        if (headerLength < MIN_HEADER_LENGTH || headerLength > MAX_HEADER_LENGTH || (headerLength & 3) != 0) {
            throw new IllegalArgumentException("TCP header length " + headerLength);
        }
        put8(buf, off + 12, (headerLength / 4) << 4); // RFC 9293 §3.1 Data Offset, in 32-bit words
    }

    /**
     * Computes and stores the checksum of the segment {@code [off, off+segmentLength)}.
     *
     * @param pseudoHeaderSum from {@link Checksum#pseudoHeaderIpv4} / {@link Checksum#pseudoHeaderIpv6}
     *     with protocol 6 and this {@code segmentLength}
     * @return the checksum written
     */
    public static int fillChecksum(ByteBuffer buf, int off, int segmentLength, int pseudoHeaderSum) {
        put16(buf, off + 16, 0); // RFC 9293 §3.1: "the checksum field itself is replaced with zeros"
        int c = Checksum.compute(buf, off, segmentLength, pseudoHeaderSum);
        put16(buf, off + 16, c);
        return c;
    }
}
