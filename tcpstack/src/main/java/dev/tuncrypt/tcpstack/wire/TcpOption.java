package dev.tuncrypt.tcpstack.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One TCP option as a value, for {@link TcpHeader}. NOP and EOL are not values: they are layout,
 * added by {@link TcpHeader#emit} and skipped by {@link TcpHeader#parse}. Byte-array components
 * are copied in and out, and compared by content.
 */
public sealed interface TcpOption permits TcpOption.Mss, TcpOption.WindowScale, TcpOption.SackPermitted,
        TcpOption.Sack, TcpOption.Timestamps, TcpOption.Eno, TcpOption.Experimental, TcpOption.Unknown {

    /** The option kind octet. */
    int kind();

    /** Octets on the wire, kind and length included. */
    int encodedLength();

    /** Writes the option at {@code index}; returns the index after it. */
    int writeTo(ByteBuffer buf, int index);

    /** Maximum Segment Size (RFC 9293 §3.2). */
    record Mss(int mss) implements TcpOption {
        public Mss {
            check(mss >= 0 && mss <= 0xFFFF, "mss", mss);
        }

        public int kind() {
            return TcpOptions.KIND_MSS;
        }

        public int encodedLength() {
            return 4;
        }

        public int writeTo(ByteBuffer buf, int index) {
            return TcpOptionsWriter.mss(buf, index, mss);
        }
    }

    /** Window Scale shift count (RFC 7323 §2.2), as sent: 0..255. */
    record WindowScale(int shift) implements TcpOption {
        public WindowScale {
            check(shift >= 0 && shift <= 0xFF, "shift", shift);
        }

        public int kind() {
            return TcpOptions.KIND_WINDOW_SCALE;
        }

        public int encodedLength() {
            return 3;
        }

        public int writeTo(ByteBuffer buf, int index) {
            return TcpOptionsWriter.windowScale(buf, index, shift);
        }
    }

    /** SACK-Permitted (RFC 2018 §2). */
    record SackPermitted() implements TcpOption {
        public int kind() {
            return TcpOptions.KIND_SACK_PERMITTED;
        }

        public int encodedLength() {
            return 2;
        }

        public int writeTo(ByteBuffer buf, int index) {
            return TcpOptionsWriter.sackPermitted(buf, index);
        }
    }

    /** One SACK block: unsigned 32-bit left edge and right edge (one past the last byte). */
    record SackBlock(long left, long right) {
        public SackBlock {
            check(left >= 0 && left <= 0xFFFF_FFFFL, "left", left);
            check(right >= 0 && right <= 0xFFFF_FFFFL, "right", right);
        }
    }

    /** SACK with 1..4 blocks (RFC 2018 §3). */
    record Sack(List<SackBlock> blocks) implements TcpOption {
        public Sack {
            blocks = List.copyOf(blocks);
            check(!blocks.isEmpty() && blocks.size() <= TcpOptions.MAX_SACK_BLOCKS, "blocks", blocks.size());
        }

        public int kind() {
            return TcpOptions.KIND_SACK;
        }

        public int encodedLength() {
            return 2 + 8 * blocks.size();
        }

        public int writeTo(ByteBuffer buf, int index) {
            BigEndian.put8(buf, index, TcpOptions.KIND_SACK);
            BigEndian.put8(buf, index + 1, encodedLength());
            int p = index + 2;
            for (SackBlock b : blocks) {
                BigEndian.put32(buf, p, b.left());
                BigEndian.put32(buf, p + 4, b.right());
                p += 8;
            }
            return p;
        }
    }

    /** Timestamps (RFC 7323 §3.2): unsigned 32-bit TSval and TSecr. */
    record Timestamps(long tsVal, long tsEcr) implements TcpOption {
        public Timestamps {
            check(tsVal >= 0 && tsVal <= 0xFFFF_FFFFL, "tsVal", tsVal);
            check(tsEcr >= 0 && tsEcr <= 0xFFFF_FFFFL, "tsEcr", tsEcr);
        }

        public int kind() {
            return TcpOptions.KIND_TIMESTAMPS;
        }

        public int encodedLength() {
            return 10;
        }

        public int writeTo(ByteBuffer buf, int index) {
            return TcpOptionsWriter.timestamps(buf, index, tsVal, tsEcr);
        }
    }

    /** TCP-ENO, kind 69 (RFC 8547): the contents after kind and length (suboptions), 0..38 bytes. */
    record Eno(byte[] contents) implements TcpOption {
        public Eno {
            contents = contents.clone();
            check(contents.length <= TcpOptions.MAX_LENGTH - 2, "contents length", contents.length);
        }

        @Override
        public byte[] contents() {
            return contents.clone();
        }

        public int kind() {
            return TcpOptions.KIND_ENO;
        }

        public int encodedLength() {
            return 2 + contents.length;
        }

        public int writeTo(ByteBuffer buf, int index) {
            return TcpOptionsWriter.raw(buf, index, TcpOptions.KIND_ENO, contents, 0, contents.length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Eno e && Arrays.equals(contents, e.contents);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(contents);
        }

        @Override
        public String toString() {
            return "Eno[" + HexFormat.of().formatHex(contents) + "]";
        }
    }

    /**
     * An experimental option (RFC 6994 §3): kind 253 or 254, a 16-bit ExID, then 0..36 bytes of
     * data. ENO as tcpcryptd 0.5 sends it is {@code Experimental(253, 0x454E, suboptions)}.
     */
    record Experimental(int kind, int exid, byte[] data) implements TcpOption {
        public Experimental {
            check(kind == TcpOptions.KIND_EXPERIMENT_1 || kind == TcpOptions.KIND_EXPERIMENT_2, "kind", kind);
            check(exid >= 0 && exid <= 0xFFFF, "exid", exid);
            data = data.clone();
            check(data.length <= TcpOptions.MAX_LENGTH - 4, "data length", data.length);
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        public int encodedLength() {
            return 4 + data.length;
        }

        public int writeTo(ByteBuffer buf, int index) {
            return TcpOptionsWriter.experimental(buf, index, kind, exid, data, 0, data.length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Experimental e && kind == e.kind && exid == e.exid && Arrays.equals(data, e.data);
        }

        @Override
        public int hashCode() {
            return (kind * 31 + exid) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Experimental[kind " + kind + ", exid 0x" + Integer.toHexString(exid) + ", "
                    + HexFormat.of().formatHex(data) + "]";
        }
    }

    /**
     * An option of a kind this layer does not interpret, with its data (0..38 bytes). Also an
     * experimental kind (253/254) too short to hold an ExID (data of 0 or 1 byte).
     */
    record Unknown(int kind, byte[] data) implements TcpOption {
        public Unknown {
            data = data.clone();
            check(kind >= 0 && kind <= 0xFF, "kind", kind);
            check(data.length <= TcpOptions.MAX_LENGTH - 2, "data length", data.length);
            boolean experimentalWithoutExId = (kind == TcpOptions.KIND_EXPERIMENT_1
                    || kind == TcpOptions.KIND_EXPERIMENT_2) && data.length < 2;
            check(!isInterpreted(kind) || experimentalWithoutExId, "kind (has its own record)", kind);
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        public int encodedLength() {
            return 2 + data.length;
        }

        public int writeTo(ByteBuffer buf, int index) {
            return TcpOptionsWriter.raw(buf, index, kind, data, 0, data.length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && kind == u.kind && Arrays.equals(data, u.data);
        }

        @Override
        public int hashCode() {
            return kind * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Unknown[kind " + kind + ", " + HexFormat.of().formatHex(data) + "]";
        }

        private static boolean isInterpreted(int kind) {
            return switch (kind) {
                case TcpOptions.KIND_EOL, TcpOptions.KIND_NOP, TcpOptions.KIND_MSS, TcpOptions.KIND_WINDOW_SCALE,
                     TcpOptions.KIND_SACK_PERMITTED, TcpOptions.KIND_SACK, TcpOptions.KIND_TIMESTAMPS,
                     TcpOptions.KIND_ENO, TcpOptions.KIND_EXPERIMENT_1, TcpOptions.KIND_EXPERIMENT_2 -> true;
                default -> false;
            };
        }
    }

    private static void check(boolean ok, String what, long value) {
        if (!ok) {
            throw new IllegalArgumentException(what + " " + value);
        }
    }
}
