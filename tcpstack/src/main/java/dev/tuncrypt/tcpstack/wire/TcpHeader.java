package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.BigEndian.u16;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u32;
import static dev.tuncrypt.tcpstack.wire.BigEndian.u8;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A TCP segment as a value (RFC 9293 §3.1): header fields, options and payload, for tests and
 * code off the hot path. The data offset and the checksum are derived: {@link #emit} lays the
 * options out in list order, pads them with EOL to a 32-bit boundary and computes the checksum
 * over the {@link PseudoHeader} it is given; {@link #parse} skips NOP/EOL, so
 * {@code parse(emit(x)) == x}.
 *
 * @param flags the eight control bits, {@link TcpView#FIN} ... {@link TcpView#CWR}
 */
public record TcpHeader(int sourcePort, int destinationPort, long sequenceNumber, long acknowledgmentNumber,
                        int flags, int window, int urgentPointer, List<TcpOption> options, byte[] payload) {

    public TcpHeader {
        check(sourcePort >= 0 && sourcePort <= 0xFFFF, "sourcePort", sourcePort);
        check(destinationPort >= 0 && destinationPort <= 0xFFFF, "destinationPort", destinationPort);
        check(sequenceNumber >= 0 && sequenceNumber <= 0xFFFF_FFFFL, "sequenceNumber", sequenceNumber);
        check(acknowledgmentNumber >= 0 && acknowledgmentNumber <= 0xFFFF_FFFFL, "acknowledgmentNumber", acknowledgmentNumber);
        check(flags >= 0 && flags <= 0xFF, "flags", flags);
        check(window >= 0 && window <= 0xFFFF, "window", window);
        check(urgentPointer >= 0 && urgentPointer <= 0xFFFF, "urgentPointer", urgentPointer);
        options = List.copyOf(options);
        payload = payload == null ? new byte[0] : payload.clone();
        int optionBytes = 0;
        for (TcpOption o : options) {
            optionBytes += o.encodedLength();
        }
        check(optionBytes <= TcpOptions.MAX_LENGTH, "options length", optionBytes);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** 20 plus the options padded to a multiple of 4. */
    public int headerLength() {
        int n = 0;
        for (TcpOption o : options) {
            n += o.encodedLength();
        }
        return TcpView.MIN_HEADER_LENGTH + ((n + 3) & ~3);
    }

    /** Header plus payload. */
    public int segmentLength() {
        return headerLength() + payload.length;
    }

    /**
     * Parses the segment in {@code buf}'s {@code [position, limit)} without checking the
     * checksum; the position does not move.
     */
    public static Parsed<TcpHeader> parse(ByteBuffer buf) {
        TcpView v = new TcpView();
        WireError e = v.wrap(buf, buf.position(), buf.remaining());
        return e != null ? Parsed.malformed(e) : build(v);
    }

    /** As {@link #parse(ByteBuffer)}, and verifies the checksum over {@code pseudoHeader}. */
    public static Parsed<TcpHeader> parse(ByteBuffer buf, PseudoHeader pseudoHeader) {
        TcpView v = new TcpView();
        WireError e = v.wrap(buf, buf.position(), buf.remaining());
        if (e == null) {
            e = v.verifyChecksum(pseudoHeader.sum(IpProtocol.TCP, v.length()));
        }
        return e != null ? Parsed.malformed(e) : build(v);
    }

    private static Parsed<TcpHeader> build(TcpView v) {
        ByteBuffer buf = v.buffer();
        List<TcpOption> opts = new ArrayList<>();
        int i = v.optionsOffset();
        int end = v.payloadOffset();
        // The same walk and length rules as TcpOptions.parse, building values instead.
        while (i < end) {
            int kind = u8(buf, i);
            if (kind == TcpOptions.KIND_EOL) {
                break;
            }
            if (kind == TcpOptions.KIND_NOP) {
                i++;
                continue;
            }
            if (end - i < 2) {
                return Parsed.malformed(WireError.OPTION_OVERRUN);
            }
            int len = u8(buf, i + 1);
            WireError e = TcpOptions.checkLength(kind, len);
            if (e != null) {
                return Parsed.malformed(e);
            }
            if (len > end - i) {
                return Parsed.malformed(WireError.OPTION_OVERRUN);
            }
            opts.add(option(buf, kind, i + 2, len - 2));
            i += len;
        }
        byte[] data = new byte[v.payloadLength()];
        buf.get(v.payloadOffset(), data);
        return Parsed.ok(new TcpHeader(v.sourcePort(), v.destinationPort(), v.sequenceNumber(),
                v.acknowledgmentNumber(), v.flags(), v.window(), v.urgentPointer(), opts, data));
    }

    private static TcpOption option(ByteBuffer buf, int kind, int at, int n) {
        return switch (kind) {
            case TcpOptions.KIND_MSS -> new TcpOption.Mss(u16(buf, at));
            case TcpOptions.KIND_WINDOW_SCALE -> new TcpOption.WindowScale(u8(buf, at));
            case TcpOptions.KIND_SACK_PERMITTED -> new TcpOption.SackPermitted();
            case TcpOptions.KIND_SACK -> {
                List<TcpOption.SackBlock> blocks = new ArrayList<>();
                for (int p = at; p < at + n; p += 8) {
                    blocks.add(new TcpOption.SackBlock(u32(buf, p), u32(buf, p + 4)));
                }
                yield new TcpOption.Sack(blocks);
            }
            case TcpOptions.KIND_TIMESTAMPS -> new TcpOption.Timestamps(u32(buf, at), u32(buf, at + 4));
            case TcpOptions.KIND_ENO -> new TcpOption.Eno(bytes(buf, at, n));
            case TcpOptions.KIND_EXPERIMENT_1, TcpOptions.KIND_EXPERIMENT_2 -> n >= 2
                    ? new TcpOption.Experimental(kind, u16(buf, at), bytes(buf, at + 2, n - 2))
                    : new TcpOption.Unknown(kind, bytes(buf, at, n));
            default -> new TcpOption.Unknown(kind, bytes(buf, at, n));
        };
    }

    private static byte[] bytes(ByteBuffer buf, int at, int n) {
        byte[] b = new byte[n];
        buf.get(at, b);
        return b;
    }

    /**
     * Writes the segment at {@code buf}'s position, with its checksum over {@code pseudoHeader},
     * and advances the position by {@link #segmentLength()}.
     */
    public void emit(ByteBuffer buf, PseudoHeader pseudoHeader) {
        int off = buf.position();
        int hl = headerLength();
        int start = TcpView.writeHeader(buf, off, sourcePort, destinationPort, sequenceNumber,
                acknowledgmentNumber, hl, flags, window, urgentPointer);
        int p = start;
        for (TcpOption o : options) {
            p = o.writeTo(buf, p);
        }
        p = TcpOptionsWriter.pad(buf, start, p);
        buf.put(p, payload);
        int len = hl + payload.length;
        TcpView.fillChecksum(buf, off, len, pseudoHeader.sum(IpProtocol.TCP, len));
        buf.position(off + len);
    }

    /** The segment's bytes, checksum computed over {@code pseudoHeader}. */
    public byte[] toBytes(PseudoHeader pseudoHeader) {
        ByteBuffer b = ByteBuffer.allocate(segmentLength());
        emit(b, pseudoHeader);
        return b.array();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpHeader t
                && sourcePort == t.sourcePort && destinationPort == t.destinationPort
                && sequenceNumber == t.sequenceNumber && acknowledgmentNumber == t.acknowledgmentNumber
                && flags == t.flags && window == t.window && urgentPointer == t.urgentPointer
                && options.equals(t.options) && Arrays.equals(payload, t.payload);
    }

    @Override
    public int hashCode() {
        int h = sourcePort;
        h = 31 * h + destinationPort;
        h = 31 * h + Long.hashCode(sequenceNumber);
        h = 31 * h + Long.hashCode(acknowledgmentNumber);
        h = 31 * h + flags;
        h = 31 * h + window;
        h = 31 * h + urgentPointer;
        h = 31 * h + options.hashCode();
        return 31 * h + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "TcpHeader[" + sourcePort + " > " + destinationPort + " " + flagNames(flags)
                + " seq " + sequenceNumber + " ack " + acknowledgmentNumber + " win " + window
                + (urgentPointer != 0 ? " urg " + urgentPointer : "") + " options " + options
                + " payload " + (payload.length <= 32 ? HexFormat.of().formatHex(payload) : payload.length + " bytes") + "]";
    }

    /** "SYN|ACK"-style names of the control bits, for logs. */
    public static String flagNames(int flags) {
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                sb.append(sb.isEmpty() ? "" : "|").append(names[i]);
            }
        }
        return sb.isEmpty() ? "-" : sb.toString();
    }

    private static void check(boolean ok, String what, long value) {
        if (!ok) {
            throw new IllegalArgumentException(what + " " + value);
        }
    }
}
