package dev.tuncrypt.tcpcrypt.eno;

import dev.tuncrypt.tcpcrypt.Result;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The suboption block of an ENO option, the same in both dialects (RFC 8547 §4.1, Table 1; the
 * tcpcrypt-0.5 layout is the draft's): the bytes after the option's header and the suboptions
 * they hold. Only the header in front of it differs ({@code 45 len} or {@code FD len 45 4E}).
 *
 * <ul>
 *   <li>{@code 0x00-0x1f}: a general (global) suboption of one byte;
 *   <li>{@code 0x20-0x7f}: a TEP identifier without data;
 *   <li>{@code 0x80-0x9f}: a length byte {@code 100nnnnn}: the next suboption, which must be a TEP
 *       with v = 1, carries {@code nnnnn + 1} data bytes (§4.4, Figures 6/7);
 *   <li>{@code 0xa0-0xff}: a TEP identifier (v = 1) whose data runs to the end of the option.
 * </ul>
 *
 * @param bytes the block as on the wire (not copied: callers keep it private)
 * @param list the suboptions in order
 */
public record EnoSuboptions(byte[] bytes, List<EnoSuboption> list) {
    /** No suboptions: the minimal option. */
    public static final EnoSuboptions NONE = new EnoSuboptions(new byte[0], List.of());

    public EnoSuboptions {
        list = List.copyOf(list);
    }

    /**
     * The block of exactly these suboptions, in order.
     *
     * @param maxLength the option space left after the dialect's header
     * @throws IllegalArgumentException if they do not fit, a v = 1 suboption without a length
     *     byte is not last (whatever followed would read as its data), or a length byte would
     *     cover other than 1..32 bytes
     */
    public static EnoSuboptions of(List<EnoSuboption> subs, int maxLength) {
        int len = 0;
        for (EnoSuboption s : subs) {
            len += s.encodedLength();
        }
        if (len > maxLength) {
            throw new IllegalArgumentException("ENO option longer than 40 bytes");
        }
        byte[] b = new byte[len];
        int p = 0;
        for (int i = 0; i < subs.size(); i++) {
            EnoSuboption s = subs.get(i);
            if (s.kind() == EnoSuboption.Kind.TEP_WITH_DATA && !s.lengthByte() && i != subs.size() - 1) {
                throw new IllegalArgumentException("a variable-length suboption without length byte must be last");
            }
            if (s.lengthByte()) {
                if (s.dataLength() < 1 || s.dataLength() > 32) {
                    throw new IllegalArgumentException("a length byte covers 1..32 data bytes");
                }
                b[p++] = (byte) (0x80 | (s.dataLength() - 1));
            }
            b[p++] = (byte) s.csByte();
            for (int j = 0; j < s.dataLength(); j++) {
                b[p++] = s.dataAt(j);
            }
        }
        return new EnoSuboptions(b, subs);
    }

    /**
     * Parses the block {@code buf[offset, offset + length)} (absolute indexes; the buffer's
     * position is not used or changed).
     */
    public static Result<EnoSuboptions, EnoError> parse(ByteBuffer buf, int offset, int length, int maxLength) {
        if (length < 0 || length > maxLength) {
            return Result.err(length < 0 ? EnoError.BAD_OPTION_LENGTH : EnoError.TOO_LONG);
        }
        byte[] b = new byte[length];
        buf.get(offset, b);
        return parse(b);
    }

    /** Parses {@code b}, which it then owns. */
    public static Result<EnoSuboptions, EnoError> parse(byte[] b) {
        List<EnoSuboption> subs = new ArrayList<>();
        int i = 0;
        while (i < b.length) {
            int cs = b[i] & 0xff;
            if (cs < 0x20) { // RFC 8547 Table 1: general suboption
                subs.add(EnoSuboption.general(cs));
                i++;
            } else if (cs < 0x80) { // one-byte TEP suboption
                subs.add(EnoSuboption.tep(cs));
                i++;
            } else if (cs < 0xa0) { // length byte for the next suboption
                int n = (cs & 0x1f) + 1;
                if (i + 1 >= b.length || (b[i + 1] & 0xff) < 0xa0) {
                    return Result.err(EnoError.LENGTH_BYTE_WITHOUT_TEP);
                }
                if (i + 2 + n > b.length) {
                    return Result.err(EnoError.LENGTH_BYTE_OVERRUN);
                }
                subs.add(EnoSuboption.tepWithData(b[i + 1] & 0x7f, Arrays.copyOfRange(b, i + 2, i + 2 + n), true));
                i += 2 + n;
            } else { // variable-length TEP suboption running to the end of the option
                subs.add(EnoSuboption.tepWithData(cs & 0x7f, Arrays.copyOfRange(b, i + 1, b.length), false));
                i = b.length;
            }
        }
        return Result.ok(new EnoSuboptions(b, subs));
    }

    /** The first general suboption's bits, or -1 if there is none. */
    public int firstGeneral() {
        for (EnoSuboption s : list) {
            if (s.kind() == EnoSuboption.Kind.GENERAL) {
                return s.value();
            }
        }
        return -1;
    }

    /** OR of all general suboptions. */
    public int allGeneral() {
        int bits = 0;
        for (EnoSuboption s : list) {
            if (s.kind() == EnoSuboption.Kind.GENERAL) {
                bits |= s.value();
            }
        }
        return bits;
    }

    /** TEP ids in order: the one-byte ones, and those with data too if {@code withData}. */
    public List<Integer> tepIds(boolean withData) {
        List<Integer> ids = new ArrayList<>();
        for (EnoSuboption s : list) {
            if (s.kind() == EnoSuboption.Kind.TEP || (withData && s.kind() == EnoSuboption.Kind.TEP_WITH_DATA)) {
                ids.add(s.value());
            }
        }
        return ids;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnoSuboptions e && Arrays.equals(bytes, e.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
