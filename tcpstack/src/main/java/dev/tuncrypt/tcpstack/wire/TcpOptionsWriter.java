package dev.tuncrypt.tcpstack.wire;

import static dev.tuncrypt.tcpstack.wire.BigEndian.put16;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put32;
import static dev.tuncrypt.tcpstack.wire.BigEndian.put8;

import java.nio.ByteBuffer;

/**
 * Writes TCP options at an absolute index of a buffer and returns the index after them. Static,
 * allocation-free; no position changes. The caller keeps the total within
 * {@link TcpOptions#MAX_LENGTH} and finishes with {@link #pad} so the header ends on a 32-bit
 * boundary, then sets the data offset ({@link TcpView#setHeaderLength}).
 *
 * <p>A typical SYN, as Linux lays it out:
 * <pre>{@code
 * int start = TcpView.writeHeader(buf, off, sport, dport, iss, 0, 20, TcpView.SYN, wnd, 0);
 * int p = TcpOptionsWriter.mss(buf, start, 1460);
 * p = TcpOptionsWriter.sackPermitted(buf, p);
 * p = TcpOptionsWriter.timestamps(buf, p, tsVal, 0);
 * p = TcpOptionsWriter.nop(buf, p);
 * p = TcpOptionsWriter.windowScale(buf, p, 7);
 * p = TcpOptionsWriter.pad(buf, start, p);
 * TcpView.setHeaderLength(buf, off, p - off);
 * }</pre>
 */
public final class TcpOptionsWriter {
    private TcpOptionsWriter() {}

    /** End of Option List, one zero octet (RFC 9293 §3.2). */
    public static int eol(ByteBuffer buf, int index) {
        put8(buf, index, TcpOptions.KIND_EOL);
        return index + 1;
    }

    /** No-Operation, one octet (RFC 9293 §3.2). */
    public static int nop(ByteBuffer buf, int index) {
        put8(buf, index, TcpOptions.KIND_NOP);
        return index + 1;
    }

    /** Maximum Segment Size: kind 2, length 4, 16-bit MSS (RFC 9293 §3.2, §3.7.1). */
    public static int mss(ByteBuffer buf, int index, int mss) {
        put8(buf, index, TcpOptions.KIND_MSS);
        put8(buf, index + 1, 4);
        put16(buf, index + 2, mss);
        return index + 4;
    }

    /** Window Scale: kind 3, length 3, shift count (RFC 7323 §2.2). */
    public static int windowScale(ByteBuffer buf, int index, int shift) {
        put8(buf, index, TcpOptions.KIND_WINDOW_SCALE);
        put8(buf, index + 1, 3);
        put8(buf, index + 2, shift);
        return index + 3;
    }

    /** SACK-Permitted: kind 4, length 2 (RFC 2018 §2). */
    public static int sackPermitted(ByteBuffer buf, int index) {
        put8(buf, index, TcpOptions.KIND_SACK_PERMITTED);
        put8(buf, index + 1, 2);
        return index + 2;
    }

    /** Timestamps: kind 8, length 10, TSval, TSecr (RFC 7323 §3.2). */
    public static int timestamps(ByteBuffer buf, int index, long tsVal, long tsEcr) {
        put8(buf, index, TcpOptions.KIND_TIMESTAMPS);
        put8(buf, index + 1, 10);
        put32(buf, index + 2, tsVal);
        put32(buf, index + 6, tsEcr);
        return index + 10;
    }

    /**
     * SACK: kind 5, length 8n+2, then n (left, right) edge pairs (RFC 2018 §3), taken from
     * {@code left[0..count)} and {@code right[0..count)}.
     *
     * @param count 1..4 (at most 3 fit next to a Timestamps option)
     */
    public static int sack(ByteBuffer buf, int index, long[] left, long[] right, int count) {
        if (count < 1 || count > TcpOptions.MAX_SACK_BLOCKS) {
            throw new IllegalArgumentException("SACK block count " + count);
        }
        put8(buf, index, TcpOptions.KIND_SACK);
        put8(buf, index + 1, 2 + 8 * count);
        int p = index + 2;
        for (int i = 0; i < count; i++) {
            put32(buf, p, left[i]);
            put32(buf, p + 4, right[i]);
            p += 8;
        }
        return p;
    }

    /**
     * Any option as kind, length (2 + {@code dataLength}) and data copied from
     * {@code data[dataOffset, dataOffset+dataLength)}: ENO (kind 69, RFC 8547) or a kind this
     * class has no method for.
     */
    public static int raw(ByteBuffer buf, int index, int kind, ByteBuffer data, int dataOffset, int dataLength) {
        checkDataLength(dataLength, 2);
        put8(buf, index, kind);
        put8(buf, index + 1, 2 + dataLength);
        buf.put(index + 2, data, dataOffset, dataLength);
        return index + 2 + dataLength;
    }

    /** {@link #raw(ByteBuffer, int, int, ByteBuffer, int, int)} from an array. */
    public static int raw(ByteBuffer buf, int index, int kind, byte[] data, int dataOffset, int dataLength) {
        checkDataLength(dataLength, 2);
        put8(buf, index, kind);
        put8(buf, index + 1, 2 + dataLength);
        buf.put(index + 2, data, dataOffset, dataLength);
        return index + 2 + dataLength;
    }

    /**
     * An experimental option (kind 253 or 254) with a 16-bit ExID and data (RFC 6994 §3): kind,
     * length (4 + {@code dataLength}), ExID, data. ENO the way tcpcryptd 0.5 sends it is
     * {@code experimental(buf, i, 253, TcpOptions.EXID_ENO, suboptions, 0, n)}.
     */
    public static int experimental(ByteBuffer buf, int index, int kind, int exid,
                                   ByteBuffer data, int dataOffset, int dataLength) {
        checkDataLength(dataLength, 4);
        put8(buf, index, kind);
        put8(buf, index + 1, 4 + dataLength);
        put16(buf, index + 2, exid);
        buf.put(index + 4, data, dataOffset, dataLength);
        return index + 4 + dataLength;
    }

    /** {@link #experimental(ByteBuffer, int, int, int, ByteBuffer, int, int)} from an array. */
    public static int experimental(ByteBuffer buf, int index, int kind, int exid,
                                   byte[] data, int dataOffset, int dataLength) {
        checkDataLength(dataLength, 4);
        put8(buf, index, kind);
        put8(buf, index + 1, 4 + dataLength);
        put16(buf, index + 2, exid);
        buf.put(index + 4, data, dataOffset, dataLength);
        return index + 4 + dataLength;
    }

    /**
     * Pads with zero octets (End of Option List) until {@code index - optionsStart} is a multiple
     * of 4: RFC 9293 §3.1, "the TCP header padding ... is composed of zeros".
     *
     * @param optionsStart where the options begin (TCP header + 20)
     */
    public static int pad(ByteBuffer buf, int optionsStart, int index) {
        while (((index - optionsStart) & 3) != 0) {
            put8(buf, index++, TcpOptions.KIND_EOL);
        }
        return index;
    }

    /**
     * Writes No-Operation octets until {@code index - optionsStart} is a multiple of 4, to align
     * the start of the next option (RFC 9293 §3.2: NOP "may be used between options").
     */
    public static int alignWithNop(ByteBuffer buf, int optionsStart, int index) {
        while (((index - optionsStart) & 3) != 0) {
            put8(buf, index++, TcpOptions.KIND_NOP);
        }
        return index;
    }

    private static void checkDataLength(int dataLength, int overhead) {
        if (dataLength < 0 || overhead + dataLength > TcpOptions.MAX_LENGTH) {
            throw new IllegalArgumentException("option data length " + dataLength);
        }
    }
}
