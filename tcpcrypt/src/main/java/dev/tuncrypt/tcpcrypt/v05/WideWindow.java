package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
/**
 * Whether a tcpcrypt-0.5 connection may keep more than 64 frames in flight: only when both ends
 * are this stack, which the wide-window bit of the ENO general suboption says
 * ({@link Tcpcrypt05#GENERAL_WIDE_WINDOW}; tcpcryptd 0.5 never sends it and ignores it).
 *
 * <p>tcpcryptd 0.5 maps sequence numbers through a ring of its last 100 segments per direction
 * ({@code MAX_SEQMAP}), so towards it the stack keeps at most 64 frames unacknowledged and
 * advertises about as much. Between two instances of this stack nothing needs that cap.
 *
 * <p>Why a forged or stripped bit costs no security:
 * <ul>
 *   <li><b>Full handshake.</b> Both ENO options enter the transcript, and the transcript enters
 *       ss ({@link EnoTranscript}, {@code set_eno_transcript}). A bit added or removed on the
 *       wire gives the two ends different keys: the first frame fails to authenticate and the
 *       connection is reset, as for any other change to the ENO options. So when keys agree,
 *       both ends saw the same two options and take the same decision.
 *   <li><b>Resumption.</b> A resumed session's keys come from the cached nk alone; its ENO
 *       options enter no key. The bit then counts only if the cached session (from an
 *       authenticated full handshake with the peer that holds nk) agreed on it too
 *       ({@link CachedSession#wideWindow()}). A bit added to a resumption with tcpcryptd is
 *       therefore ignored (its full handshake agreed on no wide window), and a stripped one only
 *       brings back the cap.
 * </ul>
 * In every case the frames, keys and offsets are the same as without the bit: it changes how
 * much may be in flight, never what is sent or how it is protected.
 */
public final class WideWindow {
    private WideWindow() {}

    /**
     * Role B: whether its SYN-ACK echoes the bit: only when this side offers it and role A's
     * SYN carried it, so a peer that does not send it first (tcpcryptd 0.5) gets the reference's
     * bytes ({@code fd05454e21}, {@code fd05454ea1}).
     */
    public static boolean echo(boolean local, EnoOption syn) {
        return local && syn != null && syn.wideWindow();
    }

    /**
     * Whether the connection lifts the 64-frame cap.
     *
     * @param syn role A's SYN option (sent or received)
     * @param synAck role B's SYN-ACK option (sent or received)
     * @param outcome what negotiation decided
     */
    public static boolean agreed(EnoOption syn, EnoOption synAck, EnoOutcome outcome) {
        if (syn == null || synAck == null || !syn.wideWindow() || !synAck.wideWindow()) {
            return false;
        }
        return switch (outcome) {
            case EnoOutcome.Negotiated n -> true; // both options are bound into ss
            case EnoOutcome.Resumed r -> r.session().wideWindow(); // the options are not: the cached session decides
            case EnoOutcome.NotNegotiated x -> false;
        };
    }
}
