package dev.tuncrypt.tcpcrypt.eno;

/** Why bytes are not a well-formed ENO option of a dialect. */
public enum EnoError {
    /** The option kind is not the dialect's (253 for tcpcrypt-0.5, 69 for rfc8548). */
    NOT_EXPERIMENTAL_KIND,
    /** tcpcrypt-0.5: the ExID is not 0x454E. */
    WRONG_EXID,
    /** The length byte disagrees with the bytes given, or is below 4. */
    BAD_OPTION_LENGTH,
    /** A length byte (0x80–0x9f) is not followed by a variable-length TEP suboption (0xa0–0xff). */
    LENGTH_BYTE_WITHOUT_TEP,
    /** A length byte announces more data than the option holds. */
    LENGTH_BYTE_OVERRUN,
    /** More than the 40-byte option space. */
    TOO_LONG
}
