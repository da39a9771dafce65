package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SessionId;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.crypto.ReferenceKdf;
import java.util.Arrays;

/**
 * The key schedule of tcpcryptd 0.5 ({@code compute_ss}, {@code enable_encryption},
 * {@code compute_sid}, {@code compute_mk}, {@code compute_nextk}, {@code compute_keys},
 * {@code session_cache} in {@code src/tcpcrypt.c}), verified by every golden vector:
 *
 * <pre>
 * ss     = HMAC-SHA256(key = N_A, transcript || Init1 || Init2 || ES)
 * secret = ss (full handshake) | the previous session's nk (resumed)
 * SID    = b0 || Expand(secret, 0x02)        b0 = TEP, or TEP|0x80 when resumed   (33 bytes)
 * mk     = Expand(secret, 0x03)              the extra level RFC 8548 does not have
 * nk     = Expand(secret, 0x01)              the next session's secret
 * K_ab   = Expand(mk, 0x04)[0, keylen)       A->B, the Init1 sender's transmit key
 * K_ba   = Expand(mk, 0x05)[0, keylen)       B->A
 * Expand(k, t) = HMAC-SHA256(k, t || 0x01)   ({@link ReferenceKdf})
 * </pre>
 *
 * keylen is 16 for AES-128-GCM (0x01, every vector) and 32 for AES-256-GCM (0x02, the
 * reference's {@code init_algo} takes the first {@code cs_key_len} bytes of the 32-byte
 * expansion). No rekeying: the reference never implemented it.
 */
public final class KeySchedule {
    private KeySchedule() {}

    /** ss of a full handshake. */
    public static byte[] sharedSecret(byte[] nonceA, byte[] transcript, byte[] init1, byte[] init2, byte[] es) {
        return ReferenceKdf.extract(nonceA, transcript, init1, init2, es);
    }

    /** {@code Expand(key, tag)}, 32 bytes. */
    public static byte[] expand(byte[] key, int tag) {
        return ReferenceKdf.expand(key, tag);
    }

    /** The session ID of the session whose secret is {@code secret}. */
    public static SessionId sessionId(Tep tep, byte[] secret, boolean resumed) {
        byte[] e = expand(secret, Tcpcrypt05.CONST_SESSID);
        byte[] sid = new byte[SessionId.LENGTH];
        sid[0] = (byte) (tep.id() | (resumed ? Tcpcrypt05.SUBOPT_V : 0));
        System.arraycopy(e, 0, sid, 1, e.length);
        Arrays.fill(e, (byte) 0);
        return SessionId.of(sid);
    }

    /** mk = Expand(secret, 0x03). */
    public static byte[] masterKey(byte[] secret) {
        return expand(secret, Tcpcrypt05.CONST_REKEY);
    }

    /** nk = Expand(secret, 0x01). */
    public static byte[] nextSecret(byte[] secret) {
        return expand(secret, Tcpcrypt05.CONST_NEXTK);
    }

    /** The AES key protecting frames sent by {@code sender}. */
    public static byte[] trafficKey(byte[] mk, Role sender, SymCipher cipher) {
        byte[] e = expand(mk, sender == Role.A ? Tcpcrypt05.CONST_KEY_C : Tcpcrypt05.CONST_KEY_S);
        byte[] k = Arrays.copyOf(e, cipher.keyLength());
        Arrays.fill(e, (byte) 0);
        return k;
    }
}
