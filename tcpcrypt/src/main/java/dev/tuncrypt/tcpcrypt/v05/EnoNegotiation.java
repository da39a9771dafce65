package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import dev.tuncrypt.tcpcrypt.eno.EnoError;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.EnoSuboption;
import dev.tuncrypt.tcpcrypt.eno.ResumeLookup;
import java.util.List;

/**
 * The TEP choice of tcpcryptd 0.5, for both roles.
 *
 * <p><b>Role B, SYN received</b> ({@code do_input_closed} → {@code input_closed_eno}):
 * <ol>
 *   <li>resumption first ({@code can_session_resume}): a variable-length suboption
 *       {@code (TEP|0x80) + 9 bytes} whose 10 bytes name a session cached on this side
 *       ({@code session_find}: first 10 bytes of the cached next session ID) resumes it;
 *   <li>otherwise {@code negotiate_cipher}: the first TEP in role A's list that B supports.
 *       The reference's loop does not reset its index into B's list for each of A's TEPs, so a
 *       SYN whose first TEP B lacks makes it read past its array (golden vectors README,
 *       correction 8); this class implements the evident intent instead.
 * </ol>
 * Role B answers with {@link EnoOutcome#synAckOption}.
 *
 * <p><b>Role A, SYN-ACK received</b> ({@code do_input_nextk1_sent}, {@code do_input_hello_sent}):
 * <ol>
 *   <li>if A offered a resumption and B's last suboption is {@code TEP|0x80} (no data) for that
 *       session's TEP, the session resumes (the reference compares the option's last byte);
 *   <li>otherwise the first TEP in B's option that A offered ({@code negotiate_cipher} with B's
 *       list first); a resumption offer that B did not take is dropped, never re-offered.
 * </ol>
 * No ENO in the SYN or SYN-ACK, a malformed option or no common TEP: plain TCP
 * ({@link EnoOutcome.NotNegotiated}). The reference has no simultaneous-open path and never sends
 * the role-B bit; neither does this class.
 */
public final class EnoNegotiation {
    private EnoNegotiation() {}

    /** Role B: maps a failed parse of the peer's option to its outcome, else decides on it. */
    public static EnoOutcome onSyn(Result<EnoOption, EnoError> parsed, List<Tep> supported, ResumeLookup cache) {
        if (parsed instanceof Result.Err<EnoOption, EnoError>) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MALFORMED_OPTION);
        }
        return onSyn(parsed.valueOrNull(), supported, cache);
    }

    /**
     * Role B: decides on role A's SYN option.
     *
     * @param syn the ENO option of the SYN, or null if it had none
     * @param supported the TEPs this side accepts
     * @param cache where resumable sessions are looked up (and taken)
     */
    public static EnoOutcome onSyn(EnoOption syn, List<Tep> supported, ResumeLookup cache) {
        if (syn == null) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION);
        }
        boolean appAware = syn.appAware();
        for (EnoSuboption s : syn.suboptions()) {
            if (s.kind() == EnoSuboption.Kind.TEP_WITH_DATA
                    && s.dataLength() == Tcpcrypt05.RESUME_ID_LENGTH - 1) {
                Tep tep = Tep.fromId(s.value());
                if (tep == null || !supported.contains(tep)) {
                    continue;
                }
                byte[] id = new byte[Tcpcrypt05.RESUME_ID_LENGTH];
                id[0] = (byte) s.csByte();
                System.arraycopy(s.data(), 0, id, 1, id.length - 1);
                CachedSession session = cache.take(id);
                if (session != null) {
                    if (session.tep() == tep) {
                        return new EnoOutcome.Resumed(session, appAware);
                    }
                    session.close();
                }
            }
        }
        for (int id : syn.tepIds()) {
            Tep tep = Tep.fromId(id);
            if (tep != null && supported.contains(tep)) {
                return new EnoOutcome.Negotiated(tep, appAware);
            }
        }
        return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_COMMON_TEP);
    }

    /** Role A: maps a failed parse of the peer's option to its outcome, else decides on it. */
    public static EnoOutcome onSynAck(EnoOption sentSyn, Result<EnoOption, EnoError> parsed, CachedSession offered) {
        if (parsed instanceof Result.Err<EnoOption, EnoError>) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MALFORMED_OPTION);
        }
        return onSynAck(sentSyn, parsed.valueOrNull(), offered);
    }

    /**
     * Role A: decides on role B's SYN-ACK option.
     *
     * @param sentSyn the option this side sent in its SYN
     * @param synAck the ENO option of the SYN-ACK, or null if it had none
     * @param offered the cached session whose resume identifier {@code sentSyn} carried, or null
     */
    public static EnoOutcome onSynAck(EnoOption sentSyn, EnoOption synAck, CachedSession offered) {
        if (synAck == null) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION);
        }
        boolean appAware = synAck.appAware();
        List<EnoSuboption> subs = synAck.suboptions();
        boolean resumeAnswer = false;
        if (!subs.isEmpty()) {
            EnoSuboption last = subs.getLast();
            if (last.kind() == EnoSuboption.Kind.TEP_WITH_DATA && last.dataLength() == 0) {
                resumeAnswer = true;
                if (offered != null && offered.tep().id() == last.value()) {
                    return new EnoOutcome.Resumed(offered, appAware);
                }
            }
        }
        List<Integer> mine = sentSyn.tepIds();
        for (int id : synAck.tepIds()) {
            Tep tep = Tep.fromId(id);
            if (tep != null && mine.contains(id)) {
                return new EnoOutcome.Negotiated(tep, appAware);
            }
        }
        return new EnoOutcome.NotNegotiated(
                resumeAnswer ? EnoOutcome.Reason.UNSOLICITED_RESUME : EnoOutcome.Reason.NO_COMMON_TEP);
    }
}
