package dev.tuncrypt.tcpcrypt;

/**
 * Symmetric AEAD ciphers for the frames. tcpcryptd 0.5 registers exactly these two, as one-byte
 * identifiers ({@code TC_AES128_GCM = 0x01}, {@code TC_AES256_GCM = 0x02} in
 * {@code src/tcpcrypt.h}; key lengths {@code 128 / 8} and {@code 256 / 8} in
 * {@code src/crypto_reg.c}); both use a 16-byte GCM tag. RFC 8548 writes these identifiers as
 * 16-bit values; the 0.5 dialect does not.
 */
public enum SymCipher {
    /** AEAD_AES_128_GCM, the cipher every golden vector negotiated. */
    AES_128_GCM(0x01, 16),
    /** AEAD_AES_256_GCM. */
    AES_256_GCM(0x02, 32);

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

    /** AES key length in bytes. */
    public int keyLength() {
        return keyLength;
    }

    /** The cipher with identifier {@code id}, or null if unknown. */
    public static SymCipher fromId(int id) {
        for (SymCipher c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        return null;
    }
}
