package dev.tuncrypt.tcpcrypt;

/**
 * Symmetric AEAD ciphers for the frames. tcpcryptd 0.5 registers exactly the two AES-GCM ones, as
 * one-byte identifiers ({@code TC_AES128_GCM = 0x01}, {@code TC_AES256_GCM = 0x02} in
 * {@code src/tcpcrypt.h}; key lengths {@code 128 / 8} and {@code 256 / 8} in
 * {@code src/crypto_reg.c}); both use a 16-byte GCM tag. RFC 8548 (§6, "AEAD algorithms", and
 * §7, Table 5) writes identifiers as 16-bit values and adds AEAD_CHACHA20_POLY1305 (0x0010, RFC 8439,
 * also a 16-byte tag); the 0.5 dialect knows only the AES ones ({@link #fromId05}).
 */
public enum SymCipher {
    /** AEAD_AES_128_GCM, the cipher every golden vector negotiated. */
    AES_128_GCM(0x01, 16),
    /** AEAD_AES_256_GCM. */
    AES_256_GCM(0x02, 32),
    /** AEAD_CHACHA20_POLY1305 (RFC 8439), rfc8548 dialect only. */
    CHACHA20_POLY1305(0x10, 32);

    /** GCM tag length in bytes (the reference's {@code cs_mac_len}). */
    public static final int TAG_LENGTH = 16;

    private final int id;
    private final int keyLength;

    SymCipher(int id, int keyLength) {
        this.id = id;
        this.keyLength = keyLength;
    }

    /** The wire identifier. */
    public int id() {
        return id;
    }

    /** Key length in bytes. */
    public int keyLength() {
        return keyLength;
    }

    /** Whether tcpcryptd 0.5 knows this cipher (the AES-GCM ones). */
    public boolean inDialect05() {
        return this != CHACHA20_POLY1305;
    }

    /** The cipher with identifier {@code id} as the tcpcrypt-0.5 dialect knows it (AES-GCM only), or null. */
    public static SymCipher fromId05(int id) {
        SymCipher c = fromId(id);
        return c != null && c.inDialect05() ? c : null;
    }

    /** The cipher with identifier {@code id} (any dialect), or null if unknown. */
    public static SymCipher fromId(int id) {
        for (SymCipher c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        return null;
    }
}
