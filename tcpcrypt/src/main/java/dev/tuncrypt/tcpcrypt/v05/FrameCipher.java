package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.crypto.RawKey;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.GCMParameterSpec;

/**
 * What {@link FrameSealer} and {@link FrameOpener} share: one JDK AES-GCM {@link Cipher} per
 * direction, reused for every frame, the key in a wipeable {@link RawKey}, and the 8-byte IV.
 *
 * <p>IV = the frame's stream offset as an 8-byte <b>little-endian</b> integer: the reference
 * passes a pointer to its host-order {@code uint64_t} to OpenSSL with
 * {@code EVP_CTRL_GCM_SET_IVLEN 8} ({@code get_iv}, {@code crypto_aes.c}), and x86 is
 * little-endian. GCM then derives J0 by GHASH (non-96-bit IV). Golden vectors {@code iv_hex}:
 * offset 33 = {@code 2100000000000000}.
 */
abstract class FrameCipher implements AutoCloseable {
    static final int TAG_BITS = SymCipher.TAG_LENGTH * 8;

    final SymCipher suite;
    final Cipher cipher;
    final RawKey key;
    final byte[] iv = new byte[Tcpcrypt05.IV_LENGTH];
    final byte[] header = new byte[Tcpcrypt05.FRAME_HEADER_LENGTH];
    boolean closed;

    FrameCipher(SymCipher suite, byte[] key) {
        if (key.length != suite.keyLength()) {
            throw new IllegalArgumentException(suite + " needs a " + suite.keyLength() + "-byte key");
        }
        this.suite = suite;
        this.key = new RawKey("AES", key);
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            throw new IllegalStateException("AES/GCM unavailable", e);
        }
    }

    /** Writes {@code offset} little-endian into {@link #iv}. */
    final void setIv(long offset) {
        for (int i = 0; i < Tcpcrypt05.IV_LENGTH; i++) {
            iv[i] = (byte) (offset >>> (8 * i));
        }
    }

    final void init(int mode) throws GeneralSecurityException {
        // GCMParameterSpec copies the IV: the one allocation per frame the JCE API imposes.
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
    }

    public SymCipher cipherSuite() {
        return suite;
    }

    /**
     * Zeroes the key bytes this object holds and re-keys the JDK cipher with a dummy key so that
     * its expanded key schedule is overwritten as far as the JCE API allows.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        key.destroy();
        RawKey dummy = new RawKey("AES", new byte[suite.keyLength()]);
        try {
            iv[0] ^= 0x5a; // never the (key, IV) pair last used: the JDK refuses reuse for encryption
            cipher.init(Cipher.ENCRYPT_MODE, dummy, new GCMParameterSpec(TAG_BITS, iv));
        } catch (GeneralSecurityException | RuntimeException ignored) {
            // best effort
        } finally {
            dummy.destroy();
        }
    }
}
