package dev.tuncrypt.tcpcrypt;

/**
 * The tcpcrypt wire dialects this module speaks. A SYN may offer several (each in its own ENO
 * option); the answer picks one. See docs/tcpcrypt-0.5.md and docs/rfc8548.md.
 */
public enum Dialect {
    /**
     * What tcpcryptd 0.5 speaks: ENO in the RFC 6994 experimental option (kind 253, ExID
     * 0x454E), the draft-ietf-tcpinc-tcpcrypt-02 handshake and frames.
     */
    TCPCRYPT_05("tcpcrypt-0.5"),
    /** RFC 8547 (ENO, option kind 69) with RFC 8548 (tcpcrypt). */
    RFC8548("rfc8548");

    private final String wireName;

    Dialect(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in configuration, the CLI and {@link TcpCryptInfo#dialect()}. */
    public String wireName() {
        return wireName;
    }

    /** The dialect called {@code name} ("tcpcrypt-0.5" or "rfc8548"), or null. */
    public static Dialect byName(String name) {
        for (Dialect d : values()) {
            if (d.wireName.equals(name)) {
                return d;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
