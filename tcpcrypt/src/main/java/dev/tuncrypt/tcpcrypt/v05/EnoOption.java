package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Tep;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

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
public final class EnoOption {
    /** The minimal ENO option, {@code FD 04 45 4E}. */
    public static final EnoOption MINIMAL = new EnoOption(new byte[0], List.of());

    /** Largest suboption block: 40 bytes of option space minus kind, length and ExID. */
    public static final int MAX_SUBOPTIONS_LENGTH = Tcpcrypt05.MAX_OPTION_LENGTH - Tcpcrypt05.ENO_HEADER_LENGTH;

    private final byte[] suboptionBytes;
    private final List<EnoSuboption> suboptions;

    private EnoOption(byte[] suboptionBytes, List<EnoSuboption> suboptions) {
        this.suboptionBytes = suboptionBytes;
        this.suboptions = List.copyOf(suboptions);
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
        int len = 0;
        for (EnoSuboption s : subs) {
            len += s.encodedLength();
        }
        if (len > MAX_SUBOPTIONS_LENGTH) {
            throw new IllegalArgumentException("ENO option longer than 40 bytes");
        }
        for (int i = 0; i < subs.size(); i++) {
            EnoSuboption s = subs.get(i);
            if (s.kind() == EnoSuboption.Kind.TEP_WITH_DATA && !s.lengthByte() && i != subs.size() - 1) {
                // it runs to the end of the option: whatever followed would read as its data
                throw new IllegalArgumentException("a variable-length suboption without length byte must be last");
            }
        }
        byte[] b = new byte[len];
        int p = 0;
        for (EnoSuboption s : subs) {
            if (s.lengthByte()) {
                if (s.dataLength() < 1 || s.dataLength() > 32) {
                    throw new IllegalArgumentException("length byte covers 1..32 data bytes");
                }
                b[p++] = (byte) (0x80 | (s.dataLength() - 1));
            }
            b[p++] = (byte) s.csByte();
            for (int i = 0; i < s.dataLength(); i++) {
                b[p++] = s.dataAt(i);
            }
        }
        return new EnoOption(b, subs);
    }

    // ---------------------------------------------------------------- parsing

    /**
     * Parses the suboptions of an ENO option, {@code buf[offset, offset + length)}: the bytes after
     * the ExID, as {@code TcpOptions.experimentalOffset/Length} give them. Absolute indexes; the
     * buffer's position is not used or changed.
     */
    public static Result<EnoOption, EnoError> parseSuboptions(ByteBuffer buf, int offset, int length) {
        if (length < 0 || length > MAX_SUBOPTIONS_LENGTH) {
            return Result.err(length < 0 ? EnoError.BAD_OPTION_LENGTH : EnoError.TOO_LONG);
        }
        byte[] b = new byte[length];
        buf.get(offset, b);
        return parseSuboptionBytes(b);
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
        return parseSuboptionBytes(Arrays.copyOfRange(option, Tcpcrypt05.ENO_HEADER_LENGTH, option.length));
    }

    private static Result<EnoOption, EnoError> parseSuboptionBytes(byte[] b) {
        List<EnoSuboption> subs = new ArrayList<>();
        int i = 0;
        while (i < b.length) {
            int cs = b[i] & 0xff;
            if (cs < 0x20) {
                subs.add(EnoSuboption.general(cs));
                i++;
            } else if (cs < 0x80) {
                subs.add(EnoSuboption.tep(cs));
                i++;
            } else if (cs < 0xa0) {
                int n = (cs & 0x1f) + 1;
                if (i + 1 >= b.length || (b[i + 1] & 0xff) < 0xa0) {
                    return Result.err(EnoError.LENGTH_BYTE_WITHOUT_TEP);
                }
                if (i + 2 + n > b.length) {
                    return Result.err(EnoError.LENGTH_BYTE_OVERRUN);
                }
                subs.add(EnoSuboption.tepWithData(b[i + 1] & 0x7f, Arrays.copyOfRange(b, i + 2, i + 2 + n), true));
                i += 2 + n;
            } else {
                subs.add(EnoSuboption.tepWithData(cs & 0x7f, Arrays.copyOfRange(b, i + 1, b.length), false));
                i = b.length;
            }
        }
        return Result.ok(new EnoOption(b, subs));
    }

    // ---------------------------------------------------------------- reading

    /** The suboptions in order. */
    public List<EnoSuboption> suboptions() {
        return suboptions;
    }

    /** OR of all general suboptions. */
    public int generalBits() {
        int bits = 0;
        for (EnoSuboption s : suboptions) {
            if (s.kind() == EnoSuboption.Kind.GENERAL) {
                bits |= s.value();
            }
        }
        return bits;
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
        List<Integer> ids = new ArrayList<>();
        for (EnoSuboption s : suboptions) {
            if (s.kind() == EnoSuboption.Kind.TEP) {
                ids.add(s.value());
            }
        }
        return ids;
    }

    /** Whether this is the minimal option (no suboptions). */
    public boolean isMinimal() {
        return suboptionBytes.length == 0;
    }

    /** A copy of the suboption bytes. */
    public byte[] suboptionBytes() {
        return suboptionBytes.clone();
    }

    /** Bytes of the whole option: 4 + suboptions. */
    public int encodedLength() {
        return Tcpcrypt05.ENO_HEADER_LENGTH + suboptionBytes.length;
    }

    /** The whole option, {@code FD len 45 4E <suboptions>}. */
    public byte[] encode() {
        byte[] out = new byte[encodedLength()];
        writeTo(ByteBuffer.wrap(out), 0);
        return out;
    }

    /**
     * Writes the whole option into {@code buf} at absolute {@code index} (position untouched).
     *
     * @return the index after the option
     */
    public int writeTo(ByteBuffer buf, int index) {
        Objects.checkFromIndexSize(index, encodedLength(), buf.limit());
        buf.put(index, (byte) Tcpcrypt05.ENO_KIND);
        buf.put(index + 1, (byte) encodedLength());
        buf.putShort(index + 2, (short) Tcpcrypt05.ENO_EXID);
        buf.put(index + Tcpcrypt05.ENO_HEADER_LENGTH, suboptionBytes);
        return index + encodedLength();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnoOption e && Arrays.equals(suboptionBytes, e.suboptionBytes);
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
