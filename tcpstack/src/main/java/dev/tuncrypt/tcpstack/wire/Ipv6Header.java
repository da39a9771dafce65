package dev.tuncrypt.tcpstack.wire;

import java.nio.ByteBuffer;

/**
 * The fixed IPv6 header as a value (RFC 8200 §3), for tests and code off the hot path.
 * {@code nextHeader} and {@code payloadLength} are the fixed header's fields: extension headers,
 * if any, are part of the payload. {@link #parse} validates the whole packet as
 * {@link Ipv6View#wrap} does (extension headers included); {@link #emit} writes the 40 bytes.
 */
public record Ipv6Header(int trafficClass, int flowLabel, int nextHeader, int hopLimit,
                         long sourceHi, long sourceLo, long destinationHi, long destinationLo,
                         int payloadLength) {

    public Ipv6Header {
        if (trafficClass < 0 || trafficClass > 0xFF) {
            throw new IllegalArgumentException("trafficClass " + trafficClass);
        }
        if (flowLabel < 0 || flowLabel > 0xFFFFF) {
            throw new IllegalArgumentException("flowLabel " + flowLabel);
        }
        if (nextHeader < 0 || nextHeader > 0xFF) {
            throw new IllegalArgumentException("nextHeader " + nextHeader);
        }
        if (hopLimit < 0 || hopLimit > 0xFF) {
            throw new IllegalArgumentException("hopLimit " + hopLimit);
        }
        if (payloadLength < 0 || payloadLength > Ipv6View.MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("payloadLength " + payloadLength);
        }
    }

    public PseudoHeader.V6 pseudoHeader() {
        return new PseudoHeader.V6(sourceHi, sourceLo, destinationHi, destinationLo);
    }

    /** Parses and validates the packet in {@code buf}'s {@code [position, limit)}; the position does not move. */
    public static Parsed<Ipv6Header> parse(ByteBuffer buf) {
        Ipv6View v = new Ipv6View();
        WireError e = v.wrap(buf, buf.position(), buf.remaining());
        if (e != null) {
            return Parsed.malformed(e);
        }
        return Parsed.ok(new Ipv6Header(v.trafficClass(), v.flowLabel(), v.firstNextHeader(), v.hopLimit(),
                v.sourceHi(), v.sourceLo(), v.destinationHi(), v.destinationLo(), v.payloadLengthField()));
    }

    /** Writes the 40-byte header at {@code buf}'s position and advances it. */
    public void emit(ByteBuffer buf) {
        int off = buf.position();
        int end = Ipv6View.writeHeader(buf, off, payloadLength, nextHeader, hopLimit,
                sourceHi, sourceLo, destinationHi, destinationLo, trafficClass, flowLabel);
        buf.position(end);
    }

    /** The 40 header bytes. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(Ipv6View.HEADER_LENGTH);
        emit(b);
        return b.array();
    }
}
