package dev.tuncrypt.tcpstack.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An ICMPv4 (RFC 792) or ICMPv6 (RFC 4443) message as a value: type, code, the four bytes after
 * the checksum, and the body. The checksum is derived; the V4 methods use no pseudo-header, the
 * V6 ones the IPv6 pseudo-header (RFC 4443 §2.3).
 *
 * @param restOfHeader bytes 4..7 (identifier and sequence of an echo, MTU of Packet Too Big, ...)
 */
public record IcmpMessage(int type, int code, int restOfHeader, byte[] body) {

    public IcmpMessage {
        if (type < 0 || type > 0xFF || code < 0 || code > 0xFF) {
            throw new IllegalArgumentException("type/code out of range");
        }
        body = body == null ? new byte[0] : body.clone();
    }

    /** An echo request or reply: identifier and sequence in the rest of the header. */
    public static IcmpMessage echo(int type, int identifier, int sequence, byte[] data) {
        return new IcmpMessage(type, 0, (identifier & 0xFFFF) << 16 | (sequence & 0xFFFF), data);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public int identifier() {
        return restOfHeader >>> 16;
    }

    public int sequence() {
        return restOfHeader & 0xFFFF;
    }

    public int length() {
        return IcmpV4View.HEADER_LENGTH + body.length;
    }

    /** Parses and checks an ICMPv4 message in {@code buf}'s {@code [position, limit)}. */
    public static Parsed<IcmpMessage> parseV4(ByteBuffer buf) {
        IcmpV4View v = new IcmpV4View();
        WireError e = v.wrap(buf, buf.position(), buf.remaining());
        if (e != null) {
            return Parsed.malformed(e);
        }
        return Parsed.ok(new IcmpMessage(v.type(), v.code(), v.restOfHeader(), bytes(buf, v.payloadOffset(), v.payloadLength())));
    }

    /** Parses and checks an ICMPv6 message in {@code buf}'s {@code [position, limit)}. */
    public static Parsed<IcmpMessage> parseV6(ByteBuffer buf, PseudoHeader.V6 pseudoHeader) {
        IcmpV6View v = new IcmpV6View();
        WireError e = v.wrap(buf, buf.position(), buf.remaining());
        if (e == null) {
            e = v.verifyChecksum(pseudoHeader.sum(IpProtocol.ICMPV6, v.length()));
        }
        if (e != null) {
            return Parsed.malformed(e);
        }
        return Parsed.ok(new IcmpMessage(v.type(), v.code(), v.restOfHeader(), bytes(buf, v.payloadOffset(), v.payloadLength())));
    }

    /** Writes it as ICMPv4 at {@code buf}'s position and advances it. */
    public void emitV4(ByteBuffer buf) {
        int off = buf.position();
        buf.put(IcmpV4View.writeHeader(buf, off, type, code, restOfHeader), body);
        IcmpV4View.fillChecksum(buf, off, length());
        buf.position(off + length());
    }

    /** Writes it as ICMPv6 at {@code buf}'s position and advances it. */
    public void emitV6(ByteBuffer buf, PseudoHeader.V6 pseudoHeader) {
        int off = buf.position();
        buf.put(IcmpV6View.writeHeader(buf, off, type, code, restOfHeader), body);
        IcmpV6View.fillChecksum(buf, off, length(), pseudoHeader.sum(IpProtocol.ICMPV6, length()));
        buf.position(off + length());
    }

    public byte[] toBytesV4() {
        ByteBuffer b = ByteBuffer.allocate(length());
        emitV4(b);
        return b.array();
    }

    public byte[] toBytesV6(PseudoHeader.V6 pseudoHeader) {
        ByteBuffer b = ByteBuffer.allocate(length());
        emitV6(b, pseudoHeader);
        return b.array();
    }

    private static byte[] bytes(ByteBuffer buf, int at, int n) {
        byte[] b = new byte[n];
        buf.get(at, b);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IcmpMessage m && type == m.type && code == m.code && restOfHeader == m.restOfHeader
                && Arrays.equals(body, m.body);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + code) * 31 + restOfHeader) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "IcmpMessage[type " + type + ", code " + code + ", rest 0x" + Integer.toHexString(restOfHeader) + ", "
                + (body.length <= 32 ? HexFormat.of().formatHex(body) : body.length + " bytes") + "]";
    }
}
