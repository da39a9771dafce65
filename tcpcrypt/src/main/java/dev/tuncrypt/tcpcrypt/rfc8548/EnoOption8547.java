package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.eno.EnoError;
import dev.tuncrypt.tcpcrypt.eno.EnoSuboption.Kind;
import dev.tuncrypt.tcpcrypt.eno.EnoSuboption;
import dev.tuncrypt.tcpcrypt.eno.EnoSuboptions;
import dev.tuncrypt.tcpcrypt.eno.EnoWireOption;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
public final class EnoOption8547 extends EnoWireOption {
    /** {@code 45 02}. */
    public static final EnoOption8547 MINIMAL = new EnoOption8547(EnoSuboptions.NONE);

    private EnoOption8547(EnoSuboptions body) {
        super(body);
    }

    @Override
    protected int headerLength() {
        return Rfc8548.ENO_HEADER_LENGTH;
    }

    @Override
    protected void writeHeader(ByteBuffer buf, int index, int length) {
        buf.put(index, (byte) Rfc8548.ENO_KIND);
        buf.put(index + 1, (byte) length);
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
        return new EnoOption8547(EnoSuboptions.of(subs, Rfc8548.MAX_SUBOPTIONS_LENGTH));
    }

    // ---------------------------------------------------------------- parsing

    /**
     * Parses the suboptions of a kind-69 option, {@code buf[offset, offset + length)} (the bytes
     * after kind and length, as {@code TcpOptions.enoOffset/enoLength} give them).
     */
    public static Result<EnoOption8547, EnoError> parseSuboptions(ByteBuffer buf, int offset, int length) {
        return wrap(EnoSuboptions.parse(buf, offset, length, Rfc8548.MAX_SUBOPTIONS_LENGTH));
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
        return wrap(EnoSuboptions.parse(Arrays.copyOfRange(option, Rfc8548.ENO_HEADER_LENGTH, option.length)));
    }

    private static Result<EnoOption8547, EnoError> wrap(Result<EnoSuboptions, EnoError> parsed) {
        return parsed.isOk() ? Result.ok(new EnoOption8547(parsed.valueOrNull())) : Result.err(parsed.errorOrNull());
    }

    // ---------------------------------------------------------------- reading

    /**
     * The global suboption's a and b bits (RFC 8547 §4.2): only the first suboption in the range
     * 0x00-0x1f counts, its z bits are ignored; none is the implicit 0x00.
     */
    public int globalBits() {
        return Math.max(body().firstGeneral(), 0) & Rfc8548.GLOBAL_KNOWN;
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
        return body().tepIds(true);
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
}
