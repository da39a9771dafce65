package dev.tuncrypt.tcpcrypt.rfc8548;

/** Constants of the rfc8548 dialect, each with the RFC section that defines it. */
public final class Rfc8548 {
    private Rfc8548() {}

    /** Dialect name, as used in configuration, docs and {@code TcpCryptInfo}. */
    public static final String DIALECT = "rfc8548";

    /** RFC 8547 §11: the ENO option kind (69); kind 253 with ExID 0x454E is the legacy dialect only. */
    public static final int ENO_KIND = 69;
    /** Kind and length bytes before the suboptions (RFC 8547 §4.1, Figure 1). */
    public static final int ENO_HEADER_LENGTH = 2;
    /** Largest TCP option: the whole 40-byte option space. */
    public static final int MAX_OPTION_LENGTH = 40;
    /** Largest suboption block. */
    public static final int MAX_SUBOPTIONS_LENGTH = MAX_OPTION_LENGTH - ENO_HEADER_LENGTH;

    /** RFC 8547 §4.1 Figure 4 / Table 1: the v bit of a suboption byte. */
    public static final int SUBOPT_V = 0x80;
    /** RFC 8547 §4.2 Figure 5 (global suboption {@code 0 0 0 z1 z2 z3 a b}): b, the passive role bit. */
    public static final int GLOBAL_B = 0x01;
    /** RFC 8547 §4.2 Figure 5: a, the application-aware bit. */
    public static final int GLOBAL_A = 0x02;
    /** RFC 8547 §4.2 Figure 5: the bits this side understands; z1-z3 are sent 0 and ignored. */
    public static final int GLOBAL_KNOWN = GLOBAL_A | GLOBAL_B;
    /** RFC 8548 §3.5: default resumption nonce length, "MUST default to eight bytes". */
    public static final int RESUME_NONCE_LENGTH = 8;

    /** RFC 8548 §3.5 Figures 2 and 3: a resumption identifier half is 9 bytes of resume[i]. */
    public static final int RESUME_HALF_LENGTH = 9;
    /** RFC 8548 §3.5: resume[i] = CPRF(ss[i], CONST_RESUME, 18). */
    public static final int RESUME_LENGTH = 18;

    /** RFC 8548 §4.3: Init1 magic. */
    public static final int INIT1_MAGIC = 0x15101a0e;
    /** RFC 8548 §4.3: Init2 magic. */
    public static final int INIT2_MAGIC = 0x097105e0;
    /** RFC 8548 §5: N_A_LEN = N_B_LEN = 32 for all four key-agreement schemes. */
    public static final int NONCE_LENGTH = 32;
    /** Largest Init message accepted (with "ignored" trailing bytes): one 4 KiB receive buffer. */
    public static final int MAX_INIT_LENGTH = 4096;

    /** RFC 8548 §5: K_LEN, the length of ss[i], of mk[j] and of the session ID's CPRF part. */
    public static final int K_LEN = 32;
    /** RFC 8548 §4.3 Table 1: the CPRF constants. */
    public static final int CONST_NEXTK = 0x01;
    public static final int CONST_SESSID = 0x02;
    public static final int CONST_REKEY = 0x03;
    public static final int CONST_KEY_A = 0x04;
    public static final int CONST_KEY_B = 0x05;
    public static final int CONST_RESUME = 0x06;

    /** RFC 8548 §4.2: frame header, control byte + u16 length. */
    public static final int FRAME_HEADER_LENGTH = 3;
    /** RFC 8548 §6: every AEAD here has a 16-byte tag (RFC 5116, RFC 7539). */
    public static final int FRAME_TAG_LENGTH = 16;
    /** RFC 8548 §4.2.1: the plaintext starts with a flags byte. */
    public static final int FRAME_FLAGS_LENGTH = 1;
    /** RFC 8548 §4.2.1 / §3.7 FINp: the last frame; the sender's FIN is authenticated by it. */
    public static final int FLAG_FINAL = 0x01;
    /** RFC 8548 §4.2.1 URGp: a u16 urgent offset follows the flags byte. */
    public static final int FLAG_URGENT = 0x02;
    /** Bytes of the urgent offset when URGENT is set. */
    public static final int URGENT_LENGTH = 2;
    /** Frame bytes beyond the application data (no URGENT): header, flags byte, tag. */
    public static final int FRAME_OVERHEAD = FRAME_HEADER_LENGTH + FRAME_FLAGS_LENGTH + FRAME_TAG_LENGTH;
    /** RFC 8548 §4.2: the control byte's rekey bit. */
    public static final int CONTROL_REKEY = 0x01;
    /** RFC 8548 §6 Table 3: ae_nonce_len, 12 for all three AEADs (the frame ID's and NR's length). */
    public static final int NONCE_BYTES = 12;
    /**
     * Largest frame this side seals: 4 KiB on the wire, so a whole frame always fits the
     * smallest receive buffer the stack allows (frames may span segments; the receiver opens a
     * frame once all of it is in).
     */
    public static final int MAX_FRAME_LENGTH = 4096;
    /** Largest plaintext of a frame this side seals. */
    public static final int MAX_FRAME_DATA = MAX_FRAME_LENGTH - FRAME_OVERHEAD;
    /** Largest frame this side opens: the u16 length field's limit. */
    public static final int MAX_FRAME_BODY = 0xffff;
}
