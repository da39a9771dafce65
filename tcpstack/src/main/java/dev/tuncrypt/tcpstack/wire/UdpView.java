package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.BigEndian.put16;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u16;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A reusable view of a UDP datagram (RFC 768) in place in a buffer. The datagram is the UDP
 * Length field's worth of bytes; anything after it in the IP payload is ignored. The checksum,
 * which needs the IP pseudo-header, is checked by {@link #verifyChecksumIpv4}/{@link #verifyChecksumIpv6}.
 */
public final class UdpView {
    public static final int HEADER_LENGTH = 8;

    private ByteBuffer buf;
    private int offset;
    private int length;

    /**
     * Points this view at {@code [offset, offset+available)} (the IP payload) and validates the
     * Length field.
     *
     * @return {@code null} if valid, otherwise why not
     */
    public WireError wrap(ByteBuffer buf, int offset, int available) {
        Objects.checkFromIndexSize(offset, available, buf.limit());
        this.buf = buf;
        this.offset = offset;
        this.length = 0;
        if (available < HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        int len = u16(buf, offset + 4);
        if (len < HEADER_LENGTH || len > available) {
            // RFC 768 Length: header and data in octets, so at least 8. (0 for an IPv6
            // jumbogram, RFC 2675 §4, is not supported.)
            return WireError.BAD_UDP_LENGTH;
        }
        this.length = len;
        return null;
    }

    /**
     * IPv4: a zero checksum means the sender computed none (RFC 768), which is accepted.
     *
     * @param pseudoHeaderSum {@link Checksum#pseudoHeaderIpv4} with protocol 17 and {@link #length()}
     */
    public WireError verifyChecksumIpv4(int pseudoHeaderSum) {
        if (checksum() == 0) {
            return null; // RFC 768: "all zero transmitted checksum value means that the transmitter generated no checksum"
        }
        return Checksum.verify(buf, offset, length, pseudoHeaderSum) ? null : WireError.BAD_CHECKSUM;
    }

    /**
     * IPv6: the checksum is mandatory and a zero one is an error (RFC 8200 §8.1).
     *
     * @param pseudoHeaderSum {@link Checksum#pseudoHeaderIpv6} with next header 17 and {@link #length()}
     */
    public WireError verifyChecksumIpv6(int pseudoHeaderSum) {
        if (checksum() == 0) {
            return WireError.BAD_CHECKSUM; // RFC 8200 §8.1: "IPv6 receivers must discard UDP packets containing a zero checksum"
        }
        return Checksum.verify(buf, offset, length, pseudoHeaderSum) ? null : WireError.BAD_CHECKSUM;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    /** The Length field: header plus data. */
    public int length() {
        return length;
    }

    public int sourcePort() {
        return u16(buf, offset);
    }

    public int destinationPort() {
        return u16(buf, offset + 2);
    }

    public int checksum() {
        return u16(buf, offset + 6);
    }

    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /**
     * Writes the 8-byte header with checksum 0; then {@link #fillChecksum}.
     *
     * @param length header plus data
     * @return the index of the data
     */
    public static int writeHeader(ByteBuffer buf, int off, int srcPort, int dstPort, int length) {
        put16(buf, off, srcPort);
        put16(buf, off + 2, dstPort);
        put16(buf, off + 4, length);
        put16(buf, off + 6, 0);
        return off + HEADER_LENGTH;
    }

    /**
     * Computes and stores the checksum of {@code [off, off+length)}; a computed zero is sent as
     * 0xFFFF (RFC 768: "If the computed checksum is zero, it is transmitted as all ones").
     *
     * @return the checksum written
     */
    public static int fillChecksum(ByteBuffer buf, int off, int length, int pseudoHeaderSum) {
        put16(buf, off + 6, 0);
        int c = Checksum.compute(buf, off, length, pseudoHeaderSum);
        if (c == 0) {
            c = 0xFFFF;
        }
        put16(buf, off + 6, c);
        return c;
    }
}
