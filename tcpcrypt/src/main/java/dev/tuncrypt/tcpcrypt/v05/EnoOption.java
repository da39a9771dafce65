package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import dev.tuncrypt.tcpcrypt.eno.EnoError;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.EnoSuboption;
import dev.tuncrypt.tcpcrypt.eno.EnoSuboptions;
import dev.tuncrypt.tcpcrypt.eno.EnoWireOption;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An ENO option in the experimental encoding tcpcryptd 0.5 uses: {@code FD len 45 4E
 * <suboptions>} (kind 253, ExID 0x454E counted in the length; {@code struct tcpopt_eno} and
 * {@code set_eno} in {@code src/tcpcrypt.c}). Immutable.
 *
 * <p>What the reference sends, and what the builders here produce byte for byte (golden vectors
 * {@code syn.eno_option_hex}, {@code synack.eno_option_hex}, {@code ack_with_init1.eno_option_hex}):
 *
 * <ul>
 *   <li>SYN ({@code do_output_closed}): the TEP ids in preference order, then {@code 02} if the
 *       application is aware, then the 10-byte resume identifier if a session is cached:
 *       {@code fd06454e2122}, {@code fd10454e2122a1<9 bytes>}.
 *   <li>SYN-ACK, full handshake ({@code do_output_hello_rcvd}): the chosen TEP, then {@code 02}
 *       if aware: {@code fd05454e21}.
 *   <li>SYN-ACK, resumption accepted ({@code do_output_nextk1_rcvd}): {@code 02} if aware, then
 *       {@code TEP|0x80} (last, because role A checks the last byte): {@code fd05454ea1}.
 *   <li>Role A's first non-SYN segment (the one carrying Init1): the minimal option
 *       {@code fd04454e} ({@code add_eno}).
 * </ul>
 */
public final class EnoOption extends EnoWireOption {
    /** The minimal ENO option, {@code FD 04 45 4E}. */
    public static final EnoOption MINIMAL = new EnoOption(EnoSuboptions.NONE);

    /** Largest suboption block: 40 bytes of option space minus kind, length and ExID. */
    public static final int MAX_SUBOPTIONS_LENGTH = Tcpcrypt05.MAX_OPTION_LENGTH - Tcpcrypt05.ENO_HEADER_LENGTH;

    private EnoOption(EnoSuboptions body) {
        super(body);
    }

    @Override
    protected int headerLength() {
        return Tcpcrypt05.ENO_HEADER_LENGTH;
    }

    @Override
    protected void writeHeader(ByteBuffer buf, int index, int length) {
        buf.put(index, (byte) Tcpcrypt05.ENO_KIND);
        buf.put(index + 1, (byte) length);
        buf.putShort(index + 2, (short) Tcpcrypt05.ENO_EXID);
    }

    // ---------------------------------------------------------------- building

    /**
     * Role A's SYN option ({@code do_output_closed}).
     *
     * @param preference TEPs in preference order; for interop with tcpcryptd 0.5 list only TEPs it
     *     knows (0x21/0x22) first (golden vectors README, correction 8)
     * @param appAware whether to send the general suboption {@code 02}
     * @param resumeId null, or the 10-byte resume identifier of a cached session
     *     ({@link CachedSession#resumeId()})
     */
    public static EnoOption syn(List<Tep> preference, boolean appAware, byte[] resumeId) {
        return syn(preference, appAware, false, resumeId);
    }

    /**
     * Role A's SYN option, with this stack's wide-window bit ({@link Tcpcrypt05#GENERAL_WIDE_WINDOW})
     * if {@code wideWindow}: one general suboption after the TEPs carries it together with the
     * application-aware bit (RFC 8547 §4.2: one general suboption per SYN), before the resume
     * identifier (which runs to the end of the option). Without it the bytes are the reference's.
     */
    public static EnoOption syn(List<Tep> preference, boolean appAware, boolean wideWindow, byte[] resumeId) {
        if (preference.isEmpty()) {
            throw new IllegalArgumentException("no TEP to offer");
        }
        List<EnoSuboption> subs = new ArrayList<>();
        for (Tep t : preference) {
            subs.add(EnoSuboption.tep(t.id()));
        }
        addGeneral(subs, appAware, wideWindow);
        if (resumeId != null) {
            if (resumeId.length != Tcpcrypt05.RESUME_ID_LENGTH || (resumeId[0] & Tcpcrypt05.SUBOPT_V) == 0) {
                throw new IllegalArgumentException("resume identifier must be (TEP|0x80) + 9 bytes");
            }
            subs.add(EnoSuboption.tepWithData(resumeId[0] & 0x7f,
                    Arrays.copyOfRange(resumeId, 1, Tcpcrypt05.RESUME_ID_LENGTH), false));
        }
        return of(subs);
    }

    /** Role B's SYN-ACK option after choosing {@code tep} ({@code do_output_hello_rcvd}). */
    public static EnoOption synAck(Tep tep, boolean appAware) {
        return synAck(tep, appAware, false);
    }

    /** Role B's SYN-ACK option, echoing the wide-window bit if {@code wideWindow} (only when role A sent it). */
    public static EnoOption synAck(Tep tep, boolean appAware, boolean wideWindow) {
        List<EnoSuboption> subs = new ArrayList<>();
        subs.add(EnoSuboption.tep(tep.id()));
        addGeneral(subs, appAware, wideWindow);
        return of(subs);
    }

    /** Role B's SYN-ACK option accepting resumption of a {@code tep} session ({@code do_output_nextk1_rcvd}). */
    public static EnoOption synAckResume(Tep tep, boolean appAware) {
        return synAckResume(tep, appAware, false);
    }

    /** Role B's resumption SYN-ACK, echoing the wide-window bit if {@code wideWindow}; {@code TEP|0x80} stays last. */
    public static EnoOption synAckResume(Tep tep, boolean appAware, boolean wideWindow) {
        List<EnoSuboption> subs = new ArrayList<>();
        addGeneral(subs, appAware, wideWindow);
        subs.add(EnoSuboption.tepWithData(tep.id(), null, false));
        return of(subs);
    }

    /** One general suboption with the bits asked for, none if there are none (the reference's {@code 02}). */
    private static void addGeneral(List<EnoSuboption> subs, boolean appAware, boolean wideWindow) {
        int bits = (appAware ? Tcpcrypt05.GENERAL_APP_AWARE : 0) | (wideWindow ? Tcpcrypt05.GENERAL_WIDE_WINDOW : 0);
        if (bits != 0) {
            subs.add(EnoSuboption.general(bits));
        }
    }

    /** An option with exactly these suboptions, in order. */
    public static EnoOption of(List<EnoSuboption> subs) {
        return new EnoOption(EnoSuboptions.of(subs, MAX_SUBOPTIONS_LENGTH));
    }

    /**
     * Role B: the option to put in the SYN-ACK for {@code outcome}, or null (no ENO option, as
     * the reference sends none once it disabled the connection).
     */
    public static EnoOption synAckFor(EnoOutcome outcome, boolean localAppAware) {
        return synAckFor(outcome, localAppAware, false);
    }

    /** As {@link #synAckFor(EnoOutcome, boolean)}, echoing the wide-window bit if {@code wideWindow} ({@link WideWindow#echo}). */
    public static EnoOption synAckFor(EnoOutcome outcome, boolean localAppAware, boolean wideWindow) {
        return switch (outcome) {
            case EnoOutcome.Negotiated n -> synAck(n.tep(), localAppAware, wideWindow);
            case EnoOutcome.Resumed r -> synAckResume(r.tep(), localAppAware, wideWindow);
            case EnoOutcome.NotNegotiated x -> null;
        };
    }

    // ---------------------------------------------------------------- parsing

    /**
     * Parses the suboptions of an ENO option, {@code buf[offset, offset + length)}: the bytes after
     * the ExID, as {@code TcpOptions.experimentalOffset/Length} give them. Absolute indexes; the
     * buffer's position is not used or changed.
     */
    public static Result<EnoOption, EnoError> parseSuboptions(ByteBuffer buf, int offset, int length) {
        return wrap(EnoSuboptions.parse(buf, offset, length, MAX_SUBOPTIONS_LENGTH));
    }

    /** Parses a whole option, {@code FD len 45 4E <suboptions>}, which must fill {@code option}. */
    public static Result<EnoOption, EnoError> parse(byte[] option) {
        if (option.length < Tcpcrypt05.ENO_HEADER_LENGTH || (option[1] & 0xff) != option.length) {
            return Result.err(EnoError.BAD_OPTION_LENGTH);
        }
        if ((option[0] & 0xff) != Tcpcrypt05.ENO_KIND) {
            return Result.err(EnoError.NOT_EXPERIMENTAL_KIND);
        }
        if (((option[2] & 0xff) << 8 | (option[3] & 0xff)) != Tcpcrypt05.ENO_EXID) {
            return Result.err(EnoError.WRONG_EXID);
        }
        if (option.length > Tcpcrypt05.MAX_OPTION_LENGTH) {
            return Result.err(EnoError.TOO_LONG);
        }
        return wrap(EnoSuboptions.parse(Arrays.copyOfRange(option, Tcpcrypt05.ENO_HEADER_LENGTH, option.length)));
    }

    private static Result<EnoOption, EnoError> wrap(Result<EnoSuboptions, EnoError> parsed) {
        return parsed.isOk() ? Result.ok(new EnoOption(parsed.valueOrNull())) : Result.err(parsed.errorOrNull());
    }

    // ---------------------------------------------------------------- reading

    /** OR of all general suboptions. */
    public int generalBits() {
        return body().allGeneral();
    }

    /** Whether a general suboption carries the application-aware bit 0x02. */
    public boolean appAware() {
        return (generalBits() & Tcpcrypt05.GENERAL_APP_AWARE) != 0;
    }

    /** Whether a general suboption carries this stack's wide-window bit ({@link Tcpcrypt05#GENERAL_WIDE_WINDOW}). */
    public boolean wideWindow() {
        return (generalBits() & Tcpcrypt05.GENERAL_WIDE_WINDOW) != 0;
    }

    /** Whether a general suboption carries the RFC's role-B bit 0x01. */
    public boolean roleBBit() {
        return (generalBits() & Tcpcrypt05.GENERAL_ROLE_B) != 0;
    }

    /** The one-byte TEP suboptions' ids, in order (known or not). */
    public List<Integer> tepIds() {
        return body().tepIds(false);
    }
}
