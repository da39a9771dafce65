package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.v05.CachedSession;
import dev.tuncrypt.tcpcrypt.v05.EnoNegotiation.ResumeLookup;
import dev.tuncrypt.tcpcrypt.v05.EnoOutcome;
import dev.tuncrypt.tcpcrypt.v05.EnoSuboption;
import java.security.MessageDigest;
import java.util.List;

/**
 * The TEP choice of RFC 8547 for both roles, and the resumption of RFC 8548 §3.5.
 *
 * <p><b>Role B, SYN received</b>: a v=1 suboption {@code (TEP|0x80) + 9 bytes} whose data is the
 * first half of resume[i] of a session cached here resumes it (RFC 8548 §3.5); otherwise B
 * picks the first TEP of A's list that it supports (A lists in preference order) and answers with
 * that TEP alone. A peer demanding an application-aware peer (aa = 11) that this side's
 * application is not disables ENO (RFC 8547 §4.2).
 *
 * <p><b>Role A, SYN-ACK received</b>: the negotiated TEP is the <em>last</em> TEP suboption in
 * B's option that A also offered (RFC 8547 §4.6, "the last valid TEP"); if that suboption has
 * v = 1, its data must be the second half of the resume[i] A offered (the session resumes),
 * anything else leaves the connection plain ({@link EnoOutcome.Reason#UNSOLICITED_RESUME}).
 *
 * <p><b>Simultaneous open</b>: {@link #simultaneousRoles} decides the roles by the b bit (RFC
 * 8547 §3.3), {@link #simultaneous} the TEP.
 */
public final class Negotiation8547 {
    private Negotiation8547() {}

    /**
     * Role B: decides on A's SYN option.
     *
     * @param syn A's option, or null if the SYN had none
     * @param supported the TEPs this side accepts, in its preference order
     * @param localAppAware whether this side's application uses the session ID
     * @param cache where cached sessions are found by the first half of their resume[i] (and taken)
     */
    public static EnoOutcome onSyn(EnoOption8547 syn, List<Tep> supported, boolean localAppAware, ResumeLookup cache) {
        if (syn == null) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION);
        }
        if (syn.applicationAware() == 3 && !localAppAware) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MANDATORY_APP_AWARE);
        }
        boolean peerAware = syn.applicationAware() != 0;
        for (EnoSuboption s : syn.suboptions()) {
            if (s.kind() == EnoSuboption.Kind.TEP_WITH_DATA && s.data().length == Rfc8548.RESUME_HALF_LENGTH) {
                Tep tep = Tep.fromId(s.value());
                if (tep == null || !supported.contains(tep)) {
                    continue;
                }
                CachedSession session = cache.take(s.data());
                if (session != null) {
                    if (session.tep() == tep) {
                        return new EnoOutcome.Resumed(session, peerAware);
                    }
                    session.close();
                }
            }
        }
        for (int id : syn.tepIds()) {
            Tep tep = Tep.fromId(id);
            if (tep != null && supported.contains(tep)) {
                return new EnoOutcome.Negotiated(tep, peerAware);
            }
        }
        return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_COMMON_TEP);
    }

    /**
     * Role A: decides on B's SYN-ACK option.
     *
     * @param sentSyn the option this side sent
     * @param synAck B's option, or null if the SYN-ACK had none
     * @param localAppAware whether this side's application uses the session ID
     * @param offered the cached session whose resume half {@code sentSyn} carried, or null
     * @param expectedBHalf the second half of that session's resume[i], or null
     */
    public static EnoOutcome onSynAck(EnoOption8547 sentSyn, EnoOption8547 synAck, boolean localAppAware,
            CachedSession offered, byte[] expectedBHalf) {
        if (synAck == null) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION);
        }
        if (synAck.applicationAware() == 3 && !localAppAware) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MANDATORY_APP_AWARE);
        }
        boolean peerAware = synAck.applicationAware() != 0;
        List<Integer> mine = sentSyn.tepIds();
        List<EnoSuboption> subs = synAck.suboptions();
        for (int i = subs.size() - 1; i >= 0; i--) { // RFC 8547: the last valid TEP in B's option
            EnoSuboption s = subs.get(i);
            if (s.kind() == EnoSuboption.Kind.GENERAL || !mine.contains(s.value()) || Tep.fromId(s.value()) == null) {
                continue;
            }
            Tep tep = Tep.fromId(s.value());
            if (s.kind() == EnoSuboption.Kind.TEP) {
                return new EnoOutcome.Negotiated(tep, peerAware);
            }
            if (offered != null && offered.tep() == tep && expectedBHalf != null
                    && MessageDigest.isEqual(expectedBHalf, s.data())) {
                return new EnoOutcome.Resumed(offered, peerAware);
            }
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.UNSOLICITED_RESUME);
        }
        return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_COMMON_TEP);
    }

    /**
     * Simultaneous open (RFC 8547 §3.3): both SYNs carried ENO; the host whose SYN set b is B.
     *
     * @return this host's role, or null when both or neither set b (TCP-ENO is then disabled)
     */
    public static Role simultaneousRoles(EnoOption8547 localSyn, EnoOption8547 peerSyn) {
        boolean local = localSyn.roleB();
        boolean peer = peerSyn.roleB();
        if (local == peer) {
            return null;
        }
        return local ? Role.B : Role.A;
    }

    /**
     * Simultaneous open, once {@link #simultaneousRoles} decided: the negotiated TEP is the last
     * TEP of B's SYN that A's SYN also offered (RFC 8547 §4.6 with B's SYN in place of a SYN-ACK).
     * Resumption is not used in a simultaneous open: v=1 suboptions count as their TEP only.
     *
     * @param peer the peer's SYN option (its aa bits are checked)
     */
    public static EnoOutcome simultaneous(EnoOption8547 aSyn, EnoOption8547 bSyn, EnoOption8547 peer,
            boolean localAppAware) {
        if (peer.applicationAware() == 3 && !localAppAware) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MANDATORY_APP_AWARE);
        }
        List<Integer> offered = aSyn.tepIds();
        List<Integer> b = bSyn.tepIds();
        for (int i = b.size() - 1; i >= 0; i--) {
            Tep tep = Tep.fromId(b.get(i));
            if (tep != null && offered.contains(b.get(i))) {
                return new EnoOutcome.Negotiated(tep, peer.applicationAware() != 0);
            }
        }
        return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_COMMON_TEP);
    }

    /**
     * The negotiation transcript (RFC 8547 §4.8): role A's SYN option, then role B's
     * SYN(-ACK) option, each whole (kind and length included).
     */
    public static byte[] transcript(EnoOption8547 aSyn, EnoOption8547 bSyn) {
        byte[] a = aSyn.encode();
        byte[] b = bSyn.encode();
        byte[] t = new byte[a.length + b.length];
        System.arraycopy(a, 0, t, 0, a.length);
        System.arraycopy(b, 0, t, a.length, b.length);
        return t;
    }

    /**
     * The first byte of the session ID: the negotiated TEP with the v bit as B's SYN-ACK sent it
     * (RFC 8547 §5.1): TEP for a full handshake, TEP|0x80 when resumed.
     */
    public static int sessionIdFirstByte(Tep tep, boolean resumed) {
        return tep.id() | (resumed ? Rfc8548.SUBOPT_V : 0);
    }
}
