package dev.tuncrypt.tcpcrypt.crypto;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;

/**
 * The HKDF-SHA256 of tcpcryptd 0.5 ({@code src/crypto_hkdf.c}).
 *
 * <ul>
 *   <li>{@link #extract}: {@code HMAC-SHA256(key = salt, m = parts[0] || parts[1] || …)}
 *       ({@code hkdf_extract} is one HMAC over an iovec).
 *   <li>{@link #expand}: {@code HMAC-SHA256(key, tag || 0x01)}, one 32-byte block. The reference's
 *       {@code hkdf_expand} computes {@code T(n) = HMAC(PRK, info || n)} without chaining
 *       {@code T(n-1)} and asserts unless the length is a multiple of 32; every caller asks for 32
 *       bytes with a one-byte tag, so the result equals the first block T(1) of RFC 5869
 *       HKDF-Expand. Golden vectors README, "Derivations (verified)": {@code Expand(k, t) =
 *       H(k, t || 0x01)}.
 * </ul>
 */
public final class ReferenceKdf {
    /** Output length of every expansion and of extract. */
    public static final int LENGTH = 32;
    private static final String HMAC = "HmacSHA256";

    private ReferenceKdf() {}

    /** HKDF-Extract as the reference does it: one HMAC keyed by {@code salt} over the parts in order. */
    public static byte[] extract(byte[] salt, byte[]... parts) {
        RawKey key = new RawKey(HMAC, salt);
        try {
            Mac mac = mac(key);
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } finally {
            key.destroy();
        }
    }

    /** {@code HMAC-SHA256(key, tag || 0x01)}: 32 bytes. */
    public static byte[] expand(byte[] key, int tag) {
        RawKey k = new RawKey(HMAC, key);
        try {
            Mac mac = mac(k);
            mac.update((byte) tag);
            mac.update((byte) 1);
            return mac.doFinal();
        } finally {
            k.destroy();
        }
    }

    private static Mac mac(RawKey key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

}
