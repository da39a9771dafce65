package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.crypto.RawKey;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;

/**
 * What {@link FrameSealer8548} and {@link FrameOpener8548} share: one JDK AEAD {@link Cipher}
 * per direction (AES-GCM, or ChaCha20-Poly1305), the current key in a wipeable {@link RawKey},
 * its re-keying, and the 12-byte nonce of RFC 8548 §4.2:
 *
 * <pre>nonce = FRAME_NONCE_MAGIC (44 41 54 41, "DATA") || offset (u64 big-endian)</pre>
 *
 * where offset is the position of the frame's first byte (its control byte) in the direction's
 * stream after the Init message (after the SYN on a resumed session).
 */
abstract class FrameAead8548 implements AutoCloseable {
    static final int TAG_BITS = Rfc8548.FRAME_TAG_LENGTH * 8;

    final SymCipher suite;
    final Cipher cipher;
    byte[] keyBytes;
    RawKey key;
    final byte[] nonce = new byte[Rfc8548.NONCE_BYTES];
    final byte[] header = new byte[Rfc8548.FRAME_HEADER_LENGTH];
    long rekeys;
    boolean closed;

    FrameAead8548(SymCipher suite, byte[] key) {
        if (key.length != suite.keyLength()) {
            throw new IllegalArgumentException(suite + " needs a " + suite.keyLength() + "-byte key");
        }
        this.suite = suite;
        this.keyBytes = key.clone();
        this.key = new RawKey(algorithm(suite), key);
        try {
            this.cipher = Cipher.getInstance(suite == SymCipher.CHACHA20_POLY1305 ? "ChaCha20-Poly1305" : "AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(suite + " unavailable", e);
        }
        nonce[0] = 0x44;
        nonce[1] = 0x41;
        nonce[2] = 0x54;
        nonce[3] = 0x41;
    }

    private static String algorithm(SymCipher suite) {
        return suite == SymCipher.CHACHA20_POLY1305 ? "ChaCha20" : "AES";
    }

    /** RFC 8548 §4.2: the nonce of the frame at {@code offset}. */
    public static byte[] nonce(long offset) {
        byte[] n = new byte[Rfc8548.NONCE_BYTES];
        n[0] = 0x44;
        n[1] = 0x41;
        n[2] = 0x54;
        n[3] = 0x41;
        for (int i = 0; i < 8; i++) {
            n[4 + i] = (byte) (offset >>> (56 - 8 * i));
        }
        return n;
    }

    final void setNonce(long offset) {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (offset >>> (56 - 8 * i));
        }
    }

    final void init(int mode, RawKey k) throws GeneralSecurityException {
        AlgorithmParameterSpec spec = suite == SymCipher.CHACHA20_POLY1305
                ? new IvParameterSpec(nonce) : new GCMParameterSpec(TAG_BITS, nonce);
        cipher.init(mode, k, spec);
    }

    /** RFC 8548 §3.8: the next key of this direction, CPRF(key, CONST_REKEY, ae_keylen). */
    static byte[] nextKey(byte[] current) {
        return Hkdf.cprf(current, Rfc8548.CONST_REKEY, current.length);
    }

    /** Makes {@code next} (owned from now on) the current key, wiping the old one. */
    final void replaceKey(byte[] next) {
        Arrays.fill(keyBytes, (byte) 0);
        key.destroy();
        keyBytes = next;
        key = new RawKey(algorithm(suite), next);
        rekeys++;
    }

    /** How many times this direction re-keyed. */
    public long rekeys() {
        return rekeys;
    }

    public SymCipher cipherSuite() {
        return suite;
    }

    /** Zeroes the key bytes and re-keys the JDK cipher with a dummy key. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Arrays.fill(keyBytes, (byte) 0);
        key.destroy();
        RawKey dummy = new RawKey(algorithm(suite), new byte[suite.keyLength()]);
        try {
            nonce[11] ^= 0x5a;
            init(Cipher.ENCRYPT_MODE, dummy);
        } catch (GeneralSecurityException | RuntimeException ignored) {
            // best effort
        } finally {
            dummy.destroy();
        }
    }
}
