package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.AgreedSecrets;
import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SessionId;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import java.util.Arrays;
import java.util.Objects;

/**
 * The key schedule of RFC 8548 for one connection with session secret ss[i] and session nonce
 * sn[i], and the secrets it yields:
 *
 * <pre>
 * PRK        = Extract(N_A, eno-transcript | Init1 | Init2 | ES);  ss[0] = PRK       §3.3
 * ss[i]      = CPRF(ss[i-1], CONST_NEXTK, K_LEN)                                   §3.3
 * sn[0]      = empty;  sn[i] = nonce_a | nonce_b for a resumed session             §3.3, §3.5
 * session_id = TEP-byte | CPRF(ss[i], CONST_SESSID | sn[i], K_LEN)                 §3.4
 * mk[0]      = CPRF(ss[i], CONST_REKEY | sn[i], K_LEN)                             §3.3
 * k_ab[j], k_ba[j] from mk[j]: see {@link FrameAead8548}                           §3.3
 * resume[i]  = CPRF(ss[i], CONST_RESUME, 18): the original A sends {0..8}, B {9..17}  §3.5
 * </pre>
 *
 * The host that was A in the session of ss[0] seals with k_ab in every session derived from it,
 * whatever its role in the current one (§3.3, §3.5): {@link #keyRole()}. {@link #close()}
 * zeroes every secret.
 */
public final class SessionSecrets8548 extends AgreedSecrets {
    private final Role keyRole;
    private final byte[] ss;
    private final SessionId sessionId;
    private final byte[] masterKey;

    private SessionSecrets8548(Tep tep, SymCipher cipher, byte[] ss, byte[] sn, boolean resumed, Role keyRole) {
        super(tep, cipher, resumed);
        this.keyRole = Objects.requireNonNull(keyRole, "keyRole");
        if (ss.length != Rfc8548.K_LEN) {
            throw new IllegalArgumentException("ss must be " + Rfc8548.K_LEN + " bytes");
        }
        this.ss = ss.clone();
        byte[] sid = Hkdf.cprf(ss, Rfc8548.CONST_SESSID, sn, Rfc8548.K_LEN);
        byte[] full = new byte[SessionId.LENGTH];
        full[0] = (byte) Negotiation8547.sessionIdFirstByte(tep, resumed);
        System.arraycopy(sid, 0, full, 1, sid.length);
        Arrays.fill(sid, (byte) 0);
        this.sessionId = SessionId.of(full);
        this.masterKey = Hkdf.cprf(ss, Rfc8548.CONST_REKEY, sn, Rfc8548.K_LEN);
    }

    /** RFC 8548 §3.3: ss[0] = PRK = Extract(N_A, eno-transcript | Init1 | Init2 | ES). */
    public static byte[] prk(byte[] nonceA, byte[] transcript, byte[] init1, byte[] init2, byte[] es) {
        return Hkdf.extract(nonceA, transcript, init1, init2, es);
    }

    /** A full handshake's session from ss[0] (copied); {@code local} is this host's role, sn[0] empty. */
    public static SessionSecrets8548 fullHandshake(Tep tep, SymCipher cipher, byte[] ss0, Role local) {
        return new SessionSecrets8548(tep, cipher, ss0, new byte[0], false, local);
    }

    /**
     * A resumed session from a cached ss[i] (copied; the cache entry is then zeroed: one use)
     * with session nonce {@code sn} = nonce_a | nonce_b (RFC 8548 §3.5).
     */
    public static SessionSecrets8548 resume(CachedSession cached, byte[] sn) {
        try {
            return new SessionSecrets8548(cached.tep(), cached.cipher(), cached.secret(), sn, true, cached.role());
        } finally {
            cached.close();
        }
    }

    /**
     * RFC 8548 §3.5: sn[i] = nonce_a | nonce_b, nonce_a being the nonce of the host that was A in
     * the original session (Figure 2), nonce_b the other's (docs/rfc8548.md reading R7).
     */
    public static byte[] sessionNonce(byte[] nonceA, byte[] nonceB) {
        byte[] sn = Arrays.copyOf(nonceA, nonceA.length + nonceB.length);
        System.arraycopy(nonceB, 0, sn, nonceA.length, nonceB.length);
        return sn;
    }

    /** RFC 8548 §3.5: resume[i] = CPRF(ss[i], CONST_RESUME, 18) of a cached secret. */
    public static byte[] resumeIdentifier(byte[] ss) {
        return Hkdf.cprf(ss, Rfc8548.CONST_RESUME, Rfc8548.RESUME_LENGTH);
    }

    /** The half of resume[i] a host that was {@code originalRole} sends: {0..8} for A, {9..17} for B (§3.5). */
    public static byte[] half(byte[] ss, Role originalRole) {
        byte[] r = resumeIdentifier(ss);
        try {
            return originalRole == Role.A ? Arrays.copyOfRange(r, 0, Rfc8548.RESUME_HALF_LENGTH)
                    : Arrays.copyOfRange(r, Rfc8548.RESUME_HALF_LENGTH, Rfc8548.RESUME_LENGTH);
        } finally {
            Arrays.fill(r, (byte) 0);
        }
    }

    /** The original A's half of resume[i], {0..8}. */
    public static byte[] aHalf(byte[] ss) {
        return half(ss, Role.A);
    }

    /** The original B's half of resume[i], {9..17}. */
    public static byte[] bHalf(byte[] ss) {
        return half(ss, Role.B);
    }

    /** This host's role in the session of ss[0]: it seals with k_ab if A, k_ba if B. */
    public Role keyRole() {
        return keyRole;
    }

    @Override
    public SessionId sessionId() {
        return sessionId;
    }

    /** mk[0] (a copy). */
    public byte[] masterKey() {
        return live(masterKey).clone();
    }

    /** ss[i] (a copy). */
    public byte[] secret() {
        return live(ss).clone();
    }

    /**
     * What this host caches to resume (RFC 8548 §3.5, "compute and cache ss[i+1]"): ss[i+1], its
     * original role, and the half of resume[i+1] the peer would name it by (what role B looks a
     * SYN's suboption up by).
     */
    public CachedSession toCacheEntry() {
        byte[] next = Hkdf.cprf(live(ss), Rfc8548.CONST_NEXTK, Rfc8548.K_LEN);
        return new CachedSession(tep(), cipher(), keyRole, next, half(next, keyRole.peer()));
    }

    /** The sealer for what this host sends (its original role's keys). */
    public FrameSealer8548 newSealer(long rekeyAfterBytes) {
        return new FrameSealer8548(cipher(), live(masterKey), keyRole, rekeyAfterBytes);
    }

    /** The opener for what this host receives (the peer's original role's keys). */
    public FrameOpener8548 newOpener() {
        return new FrameOpener8548(cipher(), live(masterKey), keyRole.peer());
    }

    @Override
    protected void wipe() {
        Arrays.fill(ss, (byte) 0);
        Arrays.fill(masterKey, (byte) 0);
    }
}
