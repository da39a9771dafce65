package dev.tuncrypt.tcpcrypt.eno;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One ENO suboption. Layout by the first ("cs") byte, bit 7 = v, low 7 bits = glt
 * (draft-ietf-tcpinc-tcpeno-03 / RFC 8547 "TCP-ENO option"; docs/tcpcrypt-protocol.md §2.1,
 * squarooticus/tcpinc-linux {@code subopt_kind}):
 *
 * <ul>
 *   <li>{@code 0x00–0x1f}: {@link Kind#GENERAL}, one byte of bits (0x02 application aware as the
 *       reference uses it, 0x01 the RFC's role-B bit).
 *   <li>{@code 0x20–0x7f}: {@link Kind#TEP}, a one-byte TEP suboption without data.
 *   <li>{@code 0x80–0x9f}: a length byte {@code 100nnnnn}: the next suboption, which must be a
 *       variable-length TEP suboption, carries {@code nnnnn + 1} data bytes. The reference never
 *       sends one; the count follows tcpinc-linux ({@code soiter_data}) and is unconfirmed
 *       against the RFC text.
 *   <li>{@code 0xa0–0xff}: {@link Kind#TEP_WITH_DATA}, TEP id {@code cs & 0x7f} followed by data
 *       that runs to the end of the option unless a length byte bounded it. tcpcryptd 0.5 uses it
 *       for resumption: {@code (TEP|0x80) + 9 bytes} in the SYN, {@code TEP|0x80} alone in the
 *       SYN-ACK (vectors {@code resumed-*.json}).
 * </ul>
 *
 * @param kind what the suboption is
 * @param value the general bits, or the TEP id without the v bit
 * @param data data bytes of a {@link Kind#TEP_WITH_DATA} suboption (possibly empty), else empty
 * @param lengthByte whether a length byte preceded it
 */
public record EnoSuboption(Kind kind, int value, byte[] data, boolean lengthByte) {

    /** Suboption kinds. */
    public enum Kind {
        GENERAL,
        TEP,
        TEP_WITH_DATA
    }

    /** The v bit of a suboption's first byte: data follows (RFC 8547 §4.1, Table 1). */
    public static final int V_BIT = 0x80;

    private static final byte[] NONE = new byte[0];

    public EnoSuboption {
        data = data == null ? NONE : data.clone();
    }

    public static EnoSuboption general(int bits) {
        return new EnoSuboption(Kind.GENERAL, bits, NONE, false);
    }

    public static EnoSuboption tep(int id) {
        return new EnoSuboption(Kind.TEP, id, NONE, false);
    }

    public static EnoSuboption tepWithData(int id, byte[] data, boolean lengthByte) {
        return new EnoSuboption(Kind.TEP_WITH_DATA, id, data, lengthByte);
    }

    /** A copy of the data. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    public int dataLength() {
        return data.length;
    }

    public byte dataAt(int i) {
        return data[i];
    }

    /** The suboption's first byte as sent (the v bit set for {@link Kind#TEP_WITH_DATA}). */
    public int csByte() {
        return kind == Kind.TEP_WITH_DATA ? (value | V_BIT) : value;
    }

    /** Bytes on the wire, length byte included. */
    public int encodedLength() {
        return 1 + data.length + (lengthByte ? 1 : 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnoSuboption s && kind == s.kind && value == s.value && lengthByte == s.lengthByte
                && Arrays.equals(data, s.data);
    }

    @Override
    public int hashCode() {
        return (kind.hashCode() * 31 + value) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case GENERAL -> String.format("general(%02x)", value);
            case TEP -> String.format("tep(%02x)", value);
            case TEP_WITH_DATA -> String.format("tep(%02x|v, %s%s)", value, HexFormat.of().formatHex(data),
                    lengthByte ? ", length byte" : "");
        };
    }
}
