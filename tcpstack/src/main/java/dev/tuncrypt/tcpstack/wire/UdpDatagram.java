package dev.tuncrypt.tcpstack.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A UDP datagram as a value (RFC 768), for tests and code off the hot path. Length and checksum
 * are derived; the {@link PseudoHeader}'s family picks the zero-checksum rule (allowed over IPv4,
 * an error over IPv6, RFC 8200 §8.1).
 */
public record UdpDatagram(int sourcePort, int destinationPort, byte[] payload) {

    public UdpDatagram {
        if (sourcePort < 0 || sourcePort > 0xFFFF || destinationPort < 0 || destinationPort > 0xFFFF) {
            throw new IllegalArgumentException("port out of range");
        }
        payload = payload == null ? new byte[0] : payload.clone();
        if (payload.length > 0xFFFF - UdpView.HEADER_LENGTH) {
            throw new IllegalArgumentException("payload length " + payload.length);
        }
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    public int length() {
        return UdpView.HEADER_LENGTH + payload.length;
    }

    /** Parses {@code buf}'s {@code [position, limit)} without checking the checksum. */
    public static Parsed<UdpDatagram> parse(ByteBuffer buf) {
        UdpView v = new UdpView();
        WireError e = v.wrap(buf, buf.position(), buf.remaining());
        return e != null ? Parsed.malformed(e) : Parsed.ok(build(v));
    }

    /** As {@link #parse(ByteBuffer)}, and verifies the checksum over {@code pseudoHeader}. */
    public static Parsed<UdpDatagram> parse(ByteBuffer buf, PseudoHeader pseudoHeader) {
        UdpView v = new UdpView();
        WireError e = v.wrap(buf, buf.position(), buf.remaining());
        if (e == null) {
            int sum = pseudoHeader.sum(IpProtocol.UDP, v.length());
            e = switch (pseudoHeader) {
                case PseudoHeader.V4 ignored -> v.verifyChecksumIpv4(sum);
                case PseudoHeader.V6 ignored -> v.verifyChecksumIpv6(sum);
            };
        }
        return e != null ? Parsed.malformed(e) : Parsed.ok(build(v));
    }

    private static UdpDatagram build(UdpView v) {
        byte[] data = new byte[v.payloadLength()];
        v.buffer().get(v.payloadOffset(), data);
        return new UdpDatagram(v.sourcePort(), v.destinationPort(), data);
    }

    /** Writes the datagram with its checksum at {@code buf}'s position and advances it by {@link #length()}. */
    public void emit(ByteBuffer buf, PseudoHeader pseudoHeader) {
        int off = buf.position();
        int len = length();
        int data = UdpView.writeHeader(buf, off, sourcePort, destinationPort, len);
        buf.put(data, payload);
        UdpView.fillChecksum(buf, off, len, pseudoHeader.sum(IpProtocol.UDP, len));
        buf.position(off + len);
    }

    public byte[] toBytes(PseudoHeader pseudoHeader) {
        ByteBuffer b = ByteBuffer.allocate(length());
        emit(b, pseudoHeader);
        return b.array();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UdpDatagram u && sourcePort == u.sourcePort && destinationPort == u.destinationPort
                && Arrays.equals(payload, u.payload);
    }

    @Override
    public int hashCode() {
        return (sourcePort * 31 + destinationPort) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "UdpDatagram[" + sourcePort + " > " + destinationPort + ", "
                + (payload.length <= 32 ? HexFormat.of().formatHex(payload) : payload.length + " bytes") + "]";
    }
}
