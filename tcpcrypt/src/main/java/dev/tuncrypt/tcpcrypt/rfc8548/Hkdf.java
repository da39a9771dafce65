package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.crypto.RawKey;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;

/**
 * HKDF with HMAC-SHA256 exactly as RFC 5869 defines it (RFC 8548 §3.1: Extract and
 * the CPRF): Extract is one HMAC keyed by the salt; Expand chains {@code T(n) = HMAC(PRK, T(n-1) ||
 * info || n)} for any output length up to 255 blocks. Unlike tcpcryptd 0.5's expand, outputs
 * shorter or longer than 32 bytes are exact RFC 5869 values (RFC 5869 Appendix A test cases pass,
 * see {@code Hkdf8548Test}).
 */
public final class Hkdf {
    private static final String HMAC = "HmacSHA256";
    private static final int HASH_LENGTH = 32;

    private Hkdf() {}

    /** HKDF-Extract(salt, IKM = parts concatenated). */
    public static byte[] extract(byte[] salt, byte[]... parts) {
        RawKey key = new RawKey(HMAC, salt.length == 0 ? new byte[HASH_LENGTH] : salt);
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        } finally {
            key.destroy();
        }
    }

    /** HKDF-Expand(PRK, info, L). */
    public static byte[] expand(byte[] prk, byte[] info, int length) {
        if (length < 0 || length > 255 * HASH_LENGTH) {
            throw new IllegalArgumentException("HKDF-Expand length " + length);
        }
        RawKey key = new RawKey(HMAC, prk);
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            int done = 0;
            for (int n = 1; done < length; n++) {
                mac.update(t);
                mac.update(info);
                mac.update((byte) n);
                byte[] next = mac.doFinal();
                Arrays.fill(t, (byte) 0);
                t = next;
                int k = Math.min(t.length, length - done);
                System.arraycopy(t, 0, out, done, k);
                done += k;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        } finally {
            Arrays.fill(t, (byte) 0);
            key.destroy();
        }
    }

    /** RFC 8548 §3.1: CPRF(K, CONST, L) = HKDF-Expand(K, the one-byte constant, L). */
    public static byte[] cprf(byte[] key, int constant, int length) {
        return expand(key, new byte[] {(byte) constant}, length);
    }

    /**
     * RFC 8548 §3.3 / §3.4: CPRF(K, CONST | suffix, L), the one-byte constant followed by
     * {@code suffix} (the session nonce sn[i]) as HKDF's info.
     */
    public static byte[] cprf(byte[] key, int constant, byte[] suffix, int length) {
        byte[] info = new byte[1 + suffix.length];
        info[0] = (byte) constant;
        System.arraycopy(suffix, 0, info, 1, suffix.length);
        return expand(key, info, length);
    }
}
