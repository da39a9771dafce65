package dev.tuncrypt.tcpcrypt;

/** Whether connections use tcpcrypt (tcpcryptd's TCP_CRYPT_ENABLE and "required" support level). */
public enum CryptMode {
    /** Offer and accept tcpcrypt; plain TCP when the peer does not speak it (opportunistic). */
    DEFAULT,
    /** Never offer or accept tcpcrypt: plain TCP. */
    NEVER,
    /** Require tcpcrypt: a peer without it is refused (connect fails, a listener resets). */
    ALWAYS
}
