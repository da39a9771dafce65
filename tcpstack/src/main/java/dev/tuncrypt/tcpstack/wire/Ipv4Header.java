package dev.tuncrypt.tcpstack.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An IPv4 header as a value (RFC 791 §3.1), for tests and code off the hot path. The header
 * checksum is derived: computed by {@link #emit}, verified by {@link #parse}. {@code options} are
 * the raw IP option bytes (a multiple of 4, at most 40). The payload is not part of the value,
 * only its length: {@link #emit} writes the header alone, and {@link #parse} needs the whole
 * packet (Total Length must fit in the buffer).
 *
 * @param fragmentOffset in bytes, a multiple of 8
 */
public record Ipv4Header(int dscpEcn, int identification, boolean dontFragment, boolean moreFragments,
                         int fragmentOffset, int ttl, int protocol, int source, int destination,
                         byte[] options, int payloadLength) {

    public Ipv4Header {
        checkRange("dscpEcn", dscpEcn, 0xFF);
        checkRange("identification", identification, 0xFFFF);
        checkRange("ttl", ttl, 0xFF);
        checkRange("protocol", protocol, 0xFF);
        if (fragmentOffset < 0 || fragmentOffset > 0x1FFF * 8 || (fragmentOffset & 7) != 0) {
            throw new IllegalArgumentException("fragmentOffset " + fragmentOffset);
        }
        options = options == null ? new byte[0] : options.clone();
        if ((options.length & 3) != 0 || options.length > Ipv4View.MAX_HEADER_LENGTH - Ipv4View.MIN_HEADER_LENGTH) {
            throw new IllegalArgumentException("IPv4 options length " + options.length);
        }
        if (payloadLength < 0 || Ipv4View.MIN_HEADER_LENGTH + options.length + payloadLength > Ipv4View.MAX_TOTAL_LENGTH) {
            throw new IllegalArgumentException("payloadLength " + payloadLength);
        }
    }

    /** A plain header: no options, DF set, TTL 64, not a fragment. */
    public static Ipv4Header of(int protocol, int source, int destination, int identification, int payloadLength) {
        return new Ipv4Header(0, identification, true, false, 0, 64, protocol, source, destination, null, payloadLength);
    }

    @Override
    public byte[] options() {
        return options.clone();
    }

    public int headerLength() {
        return Ipv4View.MIN_HEADER_LENGTH + options.length;
    }

    public int totalLength() {
        return headerLength() + payloadLength;
    }

    public PseudoHeader.V4 pseudoHeader() {
        return new PseudoHeader.V4(source, destination);
    }

    /**
     * Parses and validates the packet in {@code buf}'s {@code [position, limit)}; the position
     * does not move.
     */
    public static Parsed<Ipv4Header> parse(ByteBuffer buf) {
        Ipv4View v = new Ipv4View();
        WireError e = v.wrap(buf, buf.position(), buf.remaining());
        if (e != null) {
            return Parsed.malformed(e);
        }
        byte[] opts = new byte[v.optionsLength()];
        buf.get(v.optionsOffset(), opts);
        return Parsed.ok(new Ipv4Header(v.dscpEcn(), v.identification(), v.dontFragment(), v.moreFragments(),
                v.fragmentOffset(), v.ttl(), v.protocol(), v.source(), v.destination(), opts, v.payloadLength()));
    }

    /** Writes the header (with its checksum) at {@code buf}'s position and advances it by {@link #headerLength()}. */
    public void emit(ByteBuffer buf) {
        int off = buf.position();
        int hl = headerLength();
        buf.put(off, (byte) (0x40 | hl / 4));
        buf.put(off + 1, (byte) dscpEcn);
        BigEndian.put16(buf, off + 2, totalLength());
        BigEndian.put16(buf, off + 4, identification);
        BigEndian.put16(buf, off + 6, (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | fragmentOffset / 8);
        buf.put(off + 8, (byte) ttl);
        buf.put(off + 9, (byte) protocol);
        BigEndian.put16(buf, off + 10, 0);
        BigEndian.put32(buf, off + 12, source);
        BigEndian.put32(buf, off + 16, destination);
        buf.put(off + 20, options);
        BigEndian.put16(buf, off + 10, Checksum.compute(buf, off, hl));
        buf.position(off + hl);
    }

    /** The header bytes alone. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(headerLength());
        emit(b);
        return b.array();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ipv4Header h
                && dscpEcn == h.dscpEcn && identification == h.identification
                && dontFragment == h.dontFragment && moreFragments == h.moreFragments
                && fragmentOffset == h.fragmentOffset && ttl == h.ttl && protocol == h.protocol
                && source == h.source && destination == h.destination
                && Arrays.equals(options, h.options) && payloadLength == h.payloadLength;
    }

    @Override
    public int hashCode() {
        int h = Integer.hashCode(dscpEcn);
        h = 31 * h + identification;
        h = 31 * h + Boolean.hashCode(dontFragment);
        h = 31 * h + Boolean.hashCode(moreFragments);
        h = 31 * h + fragmentOffset;
        h = 31 * h + ttl;
        h = 31 * h + protocol;
        h = 31 * h + source;
        h = 31 * h + destination;
        h = 31 * h + Arrays.hashCode(options);
        return 31 * h + payloadLength;
    }

    @Override
    public String toString() {
        return "Ipv4Header[" + dotted(source) + " > " + dotted(destination) + ", proto " + protocol
                + ", ttl " + ttl + ", id " + identification + (dontFragment ? ", DF" : "")
                + (moreFragments ? ", MF" : "") + (fragmentOffset != 0 ? ", frag@" + fragmentOffset : "")
                + ", dscpEcn " + dscpEcn
                + (options.length > 0 ? ", options " + HexFormat.of().formatHex(options) : "")
                + ", payload " + payloadLength + "]";
    }

    static String dotted(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }

    private static void checkRange(String name, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " " + value);
        }
    }
}
