package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.EnoSuboption;
import dev.tuncrypt.tcpcrypt.eno.ResumeLookup;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * The TEP choice of RFC 8547 for both roles, and the resumption of RFC 8548 §3.5.
 *
 * <p><b>Role B, SYN received</b> (RFC 8547 §4.3, §4.5, §4.6): A's option must have b = 0 (B
 * always has b = 1: the same b on both ends disables ENO); in mandatory application-aware mode
 * A must set a. A resumption suboption {@code (TEP|0x80) | resume[i]{0..8} | nonce_a} naming a
 * session cached here with the same TEP resumes it (RFC 8548 §3.5); one with fewer than 9 data
 * bytes is a fresh offer of its TEP. Otherwise B picks, in its own preference order (RFC 8547
 * §4.5: "host A does not influence TEP priority"), a TEP that A offered exactly once.
 *
 * <p><b>Role A, SYN-ACK received</b>: B's option must have b = 1; the negotiated TEP is the
 * <em>last valid</em> TEP suboption in B's option (RFC 8547 §4.5). A v = 1 suboption there
 * resumes only if its identifier half is the one A expects; otherwise A MUST ignore it (RFC 8548
 * §3.5) and looks at the suboptions before it.
 *
 * <p><b>Simultaneous open</b>: {@link #simultaneousRoles} decides the roles by the b bit (RFC
 * 8547 §4.3), {@link #simultaneous} the TEP.
 */
public final class Negotiation8547 {
    private Negotiation8547() {}

    /**
     * An outcome and, for a resumption, the nonce the peer's suboption carried after its
     * identifier half (0-8 bytes, RFC 8548 §3.5).
     */
    public record Decision(EnoOutcome outcome, byte[] peerNonce) {
        static Decision plain(EnoOutcome.Reason reason) {
            return new Decision(new EnoOutcome.NotNegotiated(reason), null);
        }

        static Decision of(EnoOutcome outcome) {
            return new Decision(outcome, null);
        }
    }

    /** This side's application-aware settings (RFC 8547 §4.2). */
    public record AppAware(boolean local, boolean mandatory) {
        public static final AppAware OFF = new AppAware(false, false);

        /** Whether {@code peer}'s global suboption is compatible (§4.6 rule 3, the a half). */
        boolean accepts(EnoOption8547 peer) {
            return !mandatory || peer.appAware();
        }
    }

    /**
     * Role B: decides on A's SYN option.
     *
     * @param syn A's option, or null if the SYN had none
     * @param supported the TEPs this side accepts, in its preference order
     * @param cache where cached sessions are found by the half of resume[i] the peer sends (and taken)
     */
    public static Decision onSyn(EnoOption8547 syn, List<Tep> supported, AppAware appAware, ResumeLookup cache) {
        if (syn == null) {
            return Decision.plain(EnoOutcome.Reason.NO_ENO_OPTION);
        }
        if (syn.roleB()) {
            return Decision.plain(EnoOutcome.Reason.ROLE_CONFLICT); // §4.6 rule 3: both b = 1
        }
        if (!appAware.accepts(syn)) {
            return Decision.plain(EnoOutcome.Reason.MANDATORY_APP_AWARE);
        }
        boolean peerAware = syn.appAware();
        for (EnoSuboption s : syn.suboptions()) {
            byte[] data = s.kind() == EnoSuboption.Kind.TEP_WITH_DATA ? s.data() : null;
            // RFC 8548 §3.5: fewer than 9 bytes is a fresh offer; a nonce has at most 8 bytes
            if (data == null || data.length < Rfc8548.RESUME_HALF_LENGTH
                    || data.length > Rfc8548.RESUME_HALF_LENGTH + Rfc8548.RESUME_NONCE_LENGTH) {
                continue;
            }
            Tep tep = Tep.fromId(s.value());
            if (tep == null || !supported.contains(tep) || syn.repeated(s.value())) {
                continue;
            }
            CachedSession session = cache.take(Arrays.copyOf(data, Rfc8548.RESUME_HALF_LENGTH));
            if (session != null) {
                if (session.tep() == tep) {
                    return new Decision(new EnoOutcome.Resumed(session, peerAware),
                            Arrays.copyOfRange(data, Rfc8548.RESUME_HALF_LENGTH, data.length));
                }
                session.close(); // §3.5: the TEP must match the previous session's
            }
        }
        List<Integer> offered = syn.tepIds();
        for (Tep tep : supported) {
            if (offered.contains(tep.id()) && !syn.repeated(tep.id())) {
                return Decision.of(new EnoOutcome.Negotiated(tep, peerAware));
            }
        }
        return Decision.plain(EnoOutcome.Reason.NO_COMMON_TEP);
    }

    /**
     * Role A: decides on B's SYN-ACK option.
     *
     * @param sentSyn the option this side sent
     * @param synAck B's option, or null if the SYN-ACK had none
     * @param offered the cached session whose identifier half {@code sentSyn} carried, or null
     * @param expectedPeerHalf the half of that session's resume[i] the peer must answer with, or null
     */
    public static Decision onSynAck(EnoOption8547 sentSyn, EnoOption8547 synAck, AppAware appAware,
            CachedSession offered, byte[] expectedPeerHalf) {
        if (synAck == null) {
            return Decision.plain(EnoOutcome.Reason.NO_ENO_OPTION);
        }
        if (!synAck.roleB()) {
            return Decision.plain(EnoOutcome.Reason.ROLE_CONFLICT); // §4.6 rule 3, §8.1: an echo of our own option
        }
        if (!appAware.accepts(synAck)) {
            return Decision.plain(EnoOutcome.Reason.MANDATORY_APP_AWARE);
        }
        boolean peerAware = synAck.appAware();
        List<Integer> mine = sentSyn.tepIds();
        List<EnoSuboption> subs = synAck.suboptions();
        for (int i = subs.size() - 1; i >= 0; i--) { // RFC 8547 §4.5: the last valid TEP in B's option
            EnoSuboption s = subs.get(i);
            Tep tep = Tep.fromId(s.value());
            if (s.kind() == EnoSuboption.Kind.GENERAL || tep == null || !mine.contains(s.value())
                    || synAck.repeated(s.value())) {
                continue;
            }
            if (s.kind() == EnoSuboption.Kind.TEP) {
                return Decision.of(new EnoOutcome.Negotiated(tep, peerAware));
            }
            byte[] data = s.data();
            if (offered != null && offered.tep() == tep && expectedPeerHalf != null
                    && data.length >= Rfc8548.RESUME_HALF_LENGTH
                    && data.length <= Rfc8548.RESUME_HALF_LENGTH + Rfc8548.RESUME_NONCE_LENGTH
                    && MessageDigest.isEqual(expectedPeerHalf, Arrays.copyOf(data, Rfc8548.RESUME_HALF_LENGTH))) {
                return new Decision(new EnoOutcome.Resumed(offered, peerAware),
                        Arrays.copyOfRange(data, Rfc8548.RESUME_HALF_LENGTH, data.length));
            }
            // RFC 8548 §3.5: a resumption suboption that does not match MUST be ignored
        }
        return Decision.plain(EnoOutcome.Reason.NO_COMMON_TEP);
    }

    /**
     * Simultaneous open (RFC 8547 §4.3): both SYNs carried ENO; the host whose SYN set b is B.
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
     * valid TEP of B's SYN that A's SYN also offered (RFC 8547 §4.5, Figure 12). Resumption is not
     * used in a simultaneous open (a MAY of RFC 8548 §3.5): v=1 suboptions count as their TEP.
     *
     * @param peer the peer's SYN option (its a bit is checked)
     */
    public static EnoOutcome simultaneous(EnoOption8547 aSyn, EnoOption8547 bSyn, EnoOption8547 peer,
            AppAware appAware) {
        if (!appAware.accepts(peer)) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MANDATORY_APP_AWARE);
        }
        List<Integer> offered = aSyn.tepIds();
        List<Integer> b = bSyn.tepIds();
        for (int i = b.size() - 1; i >= 0; i--) {
            int id = b.get(i);
            Tep tep = Tep.fromId(id);
            if (tep != null && offered.contains(id) && !aSyn.repeated(id) && !bSyn.repeated(id)) {
                return new EnoOutcome.Negotiated(tep, peer.appAware());
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
     * (RFC 8547 §5.1, RFC 8548 §3.4, §3.5): TEP for a full handshake, TEP|0x80 when resumed.
     */
    public static int sessionIdFirstByte(Tep tep, boolean resumed) {
        return tep.id() | (resumed ? Rfc8548.SUBOPT_V : 0);
    }
}
