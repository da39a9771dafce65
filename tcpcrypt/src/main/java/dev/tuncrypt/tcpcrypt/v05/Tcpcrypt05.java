package dev.tuncrypt.tcpcrypt.v05;

/**
 * Constants of the tcpcrypt-0.5 dialect, each from scslab/tcpcrypt v0.5 {@code src/tcpcrypt.h}
 * unless noted, and each seen in the golden vectors.
 */
public final class Tcpcrypt05 {
    private Tcpcrypt05() {}

    /** Dialect name, as used in configuration and docs. */
    public static final String DIALECT = "tcpcrypt-0.5";

    /** ENO rides in the RFC 6994 experimental option kind 253 ({@code TCPOPT_EXP}). */
    public static final int ENO_KIND = 253;
    /** ExID of ENO ({@code EXID_ENO}, "EN"). */
    public static final int ENO_EXID = 0x454E;
    /** Bytes before the suboptions: kind, length, 2-byte ExID ({@code struct tcpopt_eno}). */
    public static final int ENO_HEADER_LENGTH = 4;
    /** Largest TCP option: the whole 40-byte option space. */
    public static final int MAX_OPTION_LENGTH = 40;

    /** The v bit of a suboption byte ({@code TC_OPT_VLEN}). */
    public static final int SUBOPT_V = 0x80;
    /** General suboption bit "application aware", as the reference sends and reads it ({@code check_app_support}). */
    public static final int GENERAL_APP_AWARE = 0x02;
    /** General suboption bit "b" (role B), RFC 8547 / tcpinc-linux; the reference never sends it. */
    public static final int GENERAL_ROLE_B = 0x01;
    /**
     * General suboption bit "wide window", this stack's own (RFC 8547 §4.2 bit z3, reserved there;
     * this dialect lives under the experimental kind 253/ExID 0x454E): the sender is not tcpcryptd
     * 0.5 and keeps no per-segment sequence map, so the 64-frame cap it needs may be lifted when
     * both ends set it ({@link WideWindow}). tcpcryptd 0.5 never sends it and reads nothing of it:
     * {@code check_app_support} tests only 0x02 of a byte with a high nibble of 0,
     * {@code negotiate_cipher} stops at the first offered TEP it knows, {@code can_session_resume}
     * looks only at bytes with the v bit; the byte only enters its transcript, as ours.
     */
    public static final int GENERAL_WIDE_WINDOW = 0x04;
    /** Resume identifier: (TEP|0x80) + 9 bytes = the first 10 bytes of the next session ID ({@code struct tc_sid}). */
    public static final int RESUME_ID_LENGTH = 10;

    /** Init1 magic ({@code TC_INIT1}). */
    public static final int INIT1_MAGIC = 0x15101a0e;
    /** Init2 magic ({@code TC_INIT2}). */
    public static final int INIT2_MAGIC = 0x097105e0;
    /** N_A and N_B length ({@code cp_n_c}, {@code cp_n_s} in {@code src/crypto_reg.c}). */
    public static final int NONCE_LENGTH = 32;

    /** Expand tag for the next-session secret nk. */
    public static final int CONST_NEXTK = 0x01;
    /** Expand tag for the session ID. */
    public static final int CONST_SESSID = 0x02;
    /** Expand tag the reference uses for mk ({@code compute_mk} uses {@code CONST_REKEY}). */
    public static final int CONST_REKEY = 0x03;
    /** Expand tag (of mk) for the client's (A->B) key. */
    public static final int CONST_KEY_C = 0x04;
    /** Expand tag (of mk) for the server's (B->A) key. */
    public static final int CONST_KEY_S = 0x05;

    /** Frame header: control byte + u16 length ({@code struct tc_record}). */
    public static final int FRAME_HEADER_LENGTH = 3;
    /** Encrypted flags byte ({@code struct tc_flags}). */
    public static final int FRAME_FLAGS_LENGTH = 1;
    /** GCM tag. */
    public static final int FRAME_TAG_LENGTH = 16;
    /** Per-frame overhead without URG: 3 header + 1 flags + 16 tag = 20 bytes. */
    public static final int FRAME_OVERHEAD = FRAME_HEADER_LENGTH + FRAME_FLAGS_LENGTH + FRAME_TAG_LENGTH;
    /** Extra plaintext bytes when URG is set (the urgent pointer). */
    public static final int FRAME_URGENT_POINTER_LENGTH = 2;
    /** Flags bit: FIN was set on the carrying segment ({@code TCF_FIN}). */
    public static final int FLAG_FIN = 0x01;
    /** Flags bit: URG was set; a u16 urgent pointer follows the flags byte ({@code TCF_URG}). */
    public static final int FLAG_URG = 0x02;
    /** GCM IV length: 8 bytes ({@code EVP_CTRL_GCM_SET_IVLEN, 8} in {@code src/crypto_aes.c}). */
    public static final int IV_LENGTH = 8;
    /** Largest value of the u16 length field (ciphertext + tag). */
    public static final int MAX_FRAME_BODY = 0xffff;
}
