package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.Role;
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
 * per direction (AES-GCM, or ChaCha20-Poly1305), the key-set generation of that direction and its
 * keys, and the AEAD nonce:
 *
 * <pre>
 * mk[j+1]  = CPRF(mk[j], CONST_REKEY, K_LEN)                                   RFC 8548 §3.3
 * k_ab[j]  = CPRF(mk[j], CONST_KEY_A, ae_key_len + ae_nonce_len)  (k_ba: CONST_KEY_B)
 * K | NR   = the traffic key: the AEAD key, then the nonce randomizer          §3.6
 * frame_ID = 0…0 | offset (u64 BE), ae_nonce_len bytes                         §4.2.3
 * N        = frame_ID XOR NR                                                   §3.6
 * </pre>
 *
 * The offset is the frame's first byte in the direction's TCP data stream (Init message
 * included; docs/rfc8548.md reading R5).
 */
abstract class FrameAead8548 implements AutoCloseable {
    static final int TAG_BITS = Rfc8548.FRAME_TAG_LENGTH * 8;

    final SymCipher suite;
    final Cipher cipher;
    /** Whose traffic keys this direction uses: k_ab for a host that was A in the original session. */
    final Role sender;
    /** mk[generation]. */
    byte[] masterKey;
    /** The AEAD key K of this generation and its wipeable copy. */
    byte[] keyBytes;
    RawKey key;
    /** NR of this generation. */
    byte[] nonceRandomizer;
    long generation;
    final byte[] nonce = new byte[Rfc8548.NONCE_BYTES];
    final byte[] header = new byte[Rfc8548.FRAME_HEADER_LENGTH];
    boolean closed;

    /**
     * @param masterKey mk[0] (copied)
     * @param sender the original role of the host that seals this direction
     */
    FrameAead8548(SymCipher suite, byte[] masterKey, Role sender) {
        if (masterKey.length != Rfc8548.K_LEN) {
            throw new IllegalArgumentException("mk is " + Rfc8548.K_LEN + " bytes");
        }
        this.suite = suite;
        this.sender = sender;
        try {
            this.cipher = Cipher.getInstance(suite == SymCipher.CHACHA20_POLY1305 ? "ChaCha20-Poly1305" : "AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(suite + " unavailable", e);
        }
        install(masterKey.clone());
    }

    static String algorithm(SymCipher suite) {
        return suite == SymCipher.CHACHA20_POLY1305 ? "ChaCha20" : "AES";
    }

    /** RFC 8548 §3.3: k_ab[j] or k_ba[j] of {@code mk}, ae_key_len + ae_nonce_len bytes. */
    public static byte[] trafficKey(byte[] mk, Role sender, SymCipher suite) {
        return Hkdf.cprf(mk, sender == Role.A ? Rfc8548.CONST_KEY_A : Rfc8548.CONST_KEY_B,
                suite.keyLength() + Rfc8548.NONCE_BYTES);
    }

    /** RFC 8548 §3.3: mk[j+1] from mk[j]. */
    public static byte[] nextMasterKey(byte[] mk) {
        return Hkdf.cprf(mk, Rfc8548.CONST_REKEY, Rfc8548.K_LEN);
    }

    /** RFC 8548 §4.2.3 then §3.6: the AEAD nonce of the frame at {@code offset} under {@code nr}. */
    public static byte[] nonce(long offset, byte[] nr) {
        byte[] n = nr.clone();
        for (int i = 0; i < 8; i++) {
            n[n.length - 8 + i] ^= (byte) (offset >>> (56 - 8 * i));
        }
        return n;
    }

    /** Makes {@code mk} (owned from now on) this direction's master key, deriving K and NR. */
    final void install(byte[] mk) {
        byte[] traffic = trafficKey(mk, sender, suite);
        wipeKeys();
        masterKey = mk;
        keyBytes = Arrays.copyOfRange(traffic, 0, suite.keyLength());
        nonceRandomizer = Arrays.copyOfRange(traffic, suite.keyLength(), traffic.length);
        Arrays.fill(traffic, (byte) 0);
        key = new RawKey(algorithm(suite), keyBytes);
    }

    private void wipeKeys() {
        if (masterKey != null) {
            Arrays.fill(masterKey, (byte) 0);
            Arrays.fill(keyBytes, (byte) 0);
            Arrays.fill(nonceRandomizer, (byte) 0);
            key.destroy();
        }
    }

    /** N = frame_ID XOR NR into {@link #nonce}, for {@code nr}. */
    final void setNonce(long offset, byte[] nr) {
        System.arraycopy(nr, 0, nonce, 0, nonce.length);
        for (int i = 0; i < 8; i++) {
            nonce[nonce.length - 8 + i] ^= (byte) (offset >>> (56 - 8 * i));
        }
    }

    final void init(int mode, RawKey k) throws GeneralSecurityException {
        AlgorithmParameterSpec spec = suite == SymCipher.CHACHA20_POLY1305
                ? new IvParameterSpec(nonce) : new GCMParameterSpec(TAG_BITS, nonce);
        cipher.init(mode, k, spec);
    }

    /** This direction's key-set generation (RFC 8548 §3.8): local for a sealer, remote for an opener. */
    public long generation() {
        return generation;
    }

    /** How many times this direction re-keyed (its generation). */
    public long rekeys() {
        return generation;
    }

    public SymCipher cipherSuite() {
        return suite;
    }

    /** Zeroes the keys and re-keys the JDK cipher with a dummy key. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        wipeKeys();
        RawKey dummy = new RawKey(algorithm(suite), new byte[suite.keyLength()]);
        try {
            nonce[nonce.length - 1] ^= 0x5a;
            init(Cipher.ENCRYPT_MODE, dummy);
        } catch (GeneralSecurityException | RuntimeException ignored) {
            // best effort
        } finally {
            dummy.destroy();
        }
    }
}
