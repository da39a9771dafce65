package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.v05.EnoError;
import dev.tuncrypt.tcpcrypt.v05.EnoSuboption;
import dev.tuncrypt.tcpcrypt.v05.EnoSuboption.Kind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A TCP-ENO option as RFC 8547 §4.1 lays it out: {@code 45 len <suboptions>} (kind 69, the length
 * counting kind and length). Suboptions (RFC 8547 §4.1, Table 1), by their first byte {@code cs}:
 *
 * <ul>
 *   <li>{@code 0x00-0x1f}: global suboption {@code 0 0 0 z1 z2 z3 a b} (§4.2 Figure 5): b = the
 *       passive role bit, a = application-aware, z sent 0 and ignored; only the first global
 *       suboption of an option counts (§4.2), a SYN without one has an implicit 0x00;
 *   <li>{@code 0x20-0x7f}: a TEP identifier without data;
 *   <li>{@code 0x80-0x9f}: a length byte {@code 100nnnnn} for the next suboption, which then
 *       carries {@code nnnnn + 1} data bytes and must be a TEP with v = 1 (§4.4, Figure 6/7;
 *       this side never sends one);
 *   <li>{@code 0xa0-0xff}: a TEP identifier (v = 1) whose data runs to the end of the option.
 * </ul>
 *
 * The non-SYN form {@code 45 02} has no contents (§4.1 Figure 3): a host sends it in every
 * non-SYN segment until it receives a non-SYN segment (§4.6). Immutable.
 */
public final class EnoOption8547 {
    /** {@code 45 02}. */
    public static final EnoOption8547 MINIMAL = new EnoOption8547(new byte[0], List.of());

    private final byte[] suboptionBytes;
    private final List<EnoSuboption> suboptions;

    private EnoOption8547(byte[] suboptionBytes, List<EnoSuboption> suboptions) {
        this.suboptionBytes = suboptionBytes;
        this.suboptions = List.copyOf(suboptions);
    }

    // ---------------------------------------------------------------- building

    /**
     * Role A's SYN option: the global suboption if a bit of it is set (RFC 8547 §4.2; none means
     * the implicit 0x00), the TEPs in preference order, then the resumption suboption
     * {@code (TEP|0x80) | resume[i] half | nonce} last, as its data runs to the end of the option
     * (RFC 8547 §4.4, RFC 8548 §3.5 Figure 2). The resumed TEP is not listed again with v = 0:
     * RFC 8548 defines no repetition of a TEP (RFC 8547 §4.5 rule 3), and a resumption
     * suboption already offers fresh key agreement with its TEP (RFC 8548 §3.2).
     */
    public static EnoOption8547 syn(List<Tep> preference, int globalBits, Tep resumeTep, byte[] resumeData) {
        List<EnoSuboption> subs = new ArrayList<>();
        if ((globalBits & Rfc8548.GLOBAL_KNOWN) != 0) {
            subs.add(new EnoSuboption(Kind.GENERAL, globalBits & Rfc8548.GLOBAL_KNOWN, null, false));
        }
        for (Tep t : preference) {
            if (t != resumeTep) {
                subs.add(new EnoSuboption(Kind.TEP, t.id(), null, false));
            }
        }
        if (resumeTep != null) {
            subs.add(new EnoSuboption(Kind.TEP_WITH_DATA, resumeTep.id(), checkedResumeData(resumeData), false));
        }
        return of(subs);
    }

    /**
     * Role B's SYN-ACK: the global suboption, which a passive opener MUST include with b = 1
     * (RFC 8547 §4.2), then solely the chosen TEP (RFC 8548 §3.2), with B's resumption
     * identifier half and nonce when resuming (RFC 8548 §3.5 Figure 3).
     */
    public static EnoOption8547 synAck(Tep tep, int globalBits, byte[] resumeData) {
        List<EnoSuboption> subs = new ArrayList<>();
        subs.add(new EnoSuboption(Kind.GENERAL, (globalBits & Rfc8548.GLOBAL_KNOWN) | Rfc8548.GLOBAL_B, null, false));
        subs.add(resumeData == null ? new EnoSuboption(Kind.TEP, tep.id(), null, false)
                : new EnoSuboption(Kind.TEP_WITH_DATA, tep.id(), checkedResumeData(resumeData), false));
        return of(subs);
    }

    /** RFC 8548 §3.5: a 9-byte identifier half and a nonce of 0 to 8 bytes. */
    private static byte[] checkedResumeData(byte[] data) {
        if (data == null || data.length < Rfc8548.RESUME_HALF_LENGTH
                || data.length > Rfc8548.RESUME_HALF_LENGTH + Rfc8548.RESUME_NONCE_LENGTH) {
            throw new IllegalArgumentException("resumption data is a 9-byte identifier half and a 0-8 byte nonce");
        }
        return data;
    }

    /** An option with exactly these suboptions; a v=1 suboption without length byte must be last. */
    public static EnoOption8547 of(List<EnoSuboption> subs) {
        int len = 0;
        for (EnoSuboption s : subs) {
            len += s.encodedLength();
        }
        if (len > Rfc8548.MAX_SUBOPTIONS_LENGTH) {
            throw new IllegalArgumentException("ENO option longer than 40 bytes");
        }
        byte[] b = new byte[len];
        int p = 0;
        for (int i = 0; i < subs.size(); i++) {
            EnoSuboption s = subs.get(i);
            byte[] data = s.data();
            if (s.kind() == Kind.TEP_WITH_DATA && !s.lengthByte() && i != subs.size() - 1) {
                throw new IllegalArgumentException("a variable-length suboption without length byte must be last");
            }
            if (s.lengthByte()) {
                if (data.length < 1 || data.length > 32) {
                    throw new IllegalArgumentException("a length byte covers 1..32 data bytes");
                }
                b[p++] = (byte) (0x80 | (data.length - 1));
            }
            b[p++] = (byte) s.csByte();
            System.arraycopy(data, 0, b, p, data.length);
            p += data.length;
        }
        return new EnoOption8547(b, subs);
    }

    // ---------------------------------------------------------------- parsing

    /**
     * Parses the suboptions of a kind-69 option, {@code buf[offset, offset + length)} (the bytes
     * after kind and length, as {@code TcpOptions.enoOffset/enoLength} give them).
     */
    public static Result<EnoOption8547, EnoError> parseSuboptions(ByteBuffer buf, int offset, int length) {
        if (length < 0 || length > Rfc8548.MAX_SUBOPTIONS_LENGTH) {
            return Result.err(length < 0 ? EnoError.BAD_OPTION_LENGTH : EnoError.TOO_LONG);
        }
        byte[] b = new byte[length];
        buf.get(offset, b);
        return parseSuboptionBytes(b);
    }

    /** Parses a whole option {@code 45 len <suboptions>}, which must fill {@code option}. */
    public static Result<EnoOption8547, EnoError> parse(byte[] option) {
        if (option.length < Rfc8548.ENO_HEADER_LENGTH || (option[1] & 0xff) != option.length) {
            return Result.err(EnoError.BAD_OPTION_LENGTH);
        }
        if ((option[0] & 0xff) != Rfc8548.ENO_KIND) {
            return Result.err(EnoError.NOT_EXPERIMENTAL_KIND);
        }
        if (option.length > Rfc8548.MAX_OPTION_LENGTH) {
            return Result.err(EnoError.TOO_LONG);
        }
        return parseSuboptionBytes(Arrays.copyOfRange(option, Rfc8548.ENO_HEADER_LENGTH, option.length));
    }

    private static Result<EnoOption8547, EnoError> parseSuboptionBytes(byte[] b) {
        List<EnoSuboption> subs = new ArrayList<>();
        int i = 0;
        while (i < b.length) {
            int cs = b[i] & 0xff;
            if (cs < 0x20) { // RFC 8547 Table 1: general suboption
                subs.add(new EnoSuboption(Kind.GENERAL, cs, null, false));
                i++;
            } else if (cs < 0x80) { // one-byte TEP suboption
                subs.add(new EnoSuboption(Kind.TEP, cs, null, false));
                i++;
            } else if (cs < 0xa0) { // length byte for the next suboption
                int n = (cs & 0x1f) + 1;
                if (i + 1 >= b.length || (b[i + 1] & 0xff) < 0xa0) {
                    return Result.err(EnoError.LENGTH_BYTE_WITHOUT_TEP);
                }
                if (i + 2 + n > b.length) {
                    return Result.err(EnoError.LENGTH_BYTE_OVERRUN);
                }
                subs.add(new EnoSuboption(Kind.TEP_WITH_DATA, b[i + 1] & 0x7f, Arrays.copyOfRange(b, i + 2, i + 2 + n), true));
                i += 2 + n;
            } else { // variable-length TEP suboption running to the end of the option
                subs.add(new EnoSuboption(Kind.TEP_WITH_DATA, cs & 0x7f, Arrays.copyOfRange(b, i + 1, b.length), false));
                i = b.length;
            }
        }
        return Result.ok(new EnoOption8547(b, subs));
    }

    // ---------------------------------------------------------------- reading

    public List<EnoSuboption> suboptions() {
        return suboptions;
    }

    /**
     * The global suboption's a and b bits (RFC 8547 §4.2): only the first suboption in the range
     * 0x00-0x1f counts, its z bits are ignored; none is the implicit 0x00.
     */
    public int globalBits() {
        for (EnoSuboption s : suboptions) {
            if (s.kind() == Kind.GENERAL) {
                return s.value() & Rfc8548.GLOBAL_KNOWN;
            }
        }
        return 0;
    }

    /** The passive role bit b (RFC 8547 §4.2, §4.3). */
    public boolean roleB() {
        return (globalBits() & Rfc8548.GLOBAL_B) != 0;
    }

    /** The application-aware bit a (RFC 8547 §4.2). */
    public boolean appAware() {
        return (globalBits() & Rfc8548.GLOBAL_A) != 0;
    }

    /** TEP ids in order, one-byte and v=1 suboptions alike (the v=1 form offers the same TEP, RFC 8548 §3.2). */
    public List<Integer> tepIds() {
        List<Integer> ids = new ArrayList<>();
        for (EnoSuboption s : suboptions) {
            if (s.kind() != Kind.GENERAL) {
                ids.add(s.value());
            }
        }
        return ids;
    }

    /**
     * Whether {@code id} appears more than once in this option: RFC 8548 defines no repetition
     * of a TEP, so such a TEP is not valid (RFC 8547 §4.5 rule 3).
     */
    public boolean repeated(int id) {
        int n = 0;
        for (int t : tepIds()) {
            n += t == id ? 1 : 0;
        }
        return n > 1;
    }

    public boolean isMinimal() {
        return suboptionBytes.length == 0;
    }

    /** Bytes of the whole option. */
    public int encodedLength() {
        return Rfc8548.ENO_HEADER_LENGTH + suboptionBytes.length;
    }

    /** The whole option, {@code 45 len <suboptions>}: what the negotiation transcript holds. */
    public byte[] encode() {
        byte[] out = new byte[encodedLength()];
        writeTo(ByteBuffer.wrap(out), 0);
        return out;
    }

    /** Writes the whole option at absolute {@code index}; returns the index after it. */
    public int writeTo(ByteBuffer buf, int index) {
        Objects.checkFromIndexSize(index, encodedLength(), buf.limit());
        buf.put(index, (byte) Rfc8548.ENO_KIND);
        buf.put(index + 1, (byte) encodedLength());
        buf.put(index + Rfc8548.ENO_HEADER_LENGTH, suboptionBytes);
        return index + encodedLength();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnoOption8547 e && Arrays.equals(suboptionBytes, e.suboptionBytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(suboptionBytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(encode());
    }
}
