package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SessionId;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.v05.CachedSession;
import java.util.Arrays;
import java.util.Objects;

/**
 * The key schedule of RFC 8548 for one session i and the secrets it yields:
 *
 * <pre>
 * PRK       = HKDF-Extract(N_A, eno_transcript || Init1 || Init2 || ES)     §3.3
 * ss[0]     = PRK;   ss[i+1] = CPRF(ss[i], CONST_NEXTK, K_LEN)               §3.3, §3.5
 * SID[i]    = CPRF(ss[i], CONST_SESSID, K_LEN); session ID = TEP byte || SID  §3.4
 * k_ab[i]   = CPRF(ss[i], CONST_KEY_A, ae_keylen)   (A to B)                  §3.3
 * k_ba[i]   = CPRF(ss[i], CONST_KEY_B, ae_keylen)   (B to A)                  §3.3
 * resume[i] = CPRF(ss[i], CONST_RESUME, 18): A's SYN carries [0, 9), B's SYN-ACK [9, 18)   §3.5
 * </pre>
 *
 * Items marked unconfirmed in docs/rfc8548.md (ss[0] = PRK, the split of resume[i]) are
 * implemented as written here. {@link #close()} zeroes every secret.
 */
public final class SessionSecrets8548 implements AutoCloseable {
    private final Tep tep;
    private final SymCipher cipher;
    private final boolean resumed;
    private final byte[] ss;
    private final SessionId sessionId;
    private final byte[] keyAtoB;
    private final byte[] keyBtoA;
    private boolean closed;

    private SessionSecrets8548(Tep tep, SymCipher cipher, byte[] ss, boolean resumed) {
        this.tep = Objects.requireNonNull(tep, "tep");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        if (ss.length != Rfc8548.K_LEN) {
            throw new IllegalArgumentException("ss must be " + Rfc8548.K_LEN + " bytes");
        }
        this.resumed = resumed;
        this.ss = ss.clone();
        byte[] sid = Hkdf.cprf(ss, Rfc8548.CONST_SESSID, Rfc8548.K_LEN);
        byte[] full = new byte[SessionId.LENGTH];
        full[0] = (byte) Negotiation8547.sessionIdFirstByte(tep, resumed);
        System.arraycopy(sid, 0, full, 1, sid.length);
        Arrays.fill(sid, (byte) 0);
        this.sessionId = SessionId.of(full);
        this.keyAtoB = Hkdf.cprf(ss, Rfc8548.CONST_KEY_A, cipher.keyLength());
        this.keyBtoA = Hkdf.cprf(ss, Rfc8548.CONST_KEY_B, cipher.keyLength());
    }

    /** RFC 8548 §3.3: ss[0] = PRK = HKDF-Extract(N_A, transcript || Init1 || Init2 || ES). */
    public static byte[] prk(byte[] nonceA, byte[] transcript, byte[] init1, byte[] init2, byte[] es) {
        return Hkdf.extract(nonceA, transcript, init1, init2, es);
    }

    /** A full handshake's session from ss[0] (copied). */
    public static SessionSecrets8548 fullHandshake(Tep tep, SymCipher cipher, byte[] ss0) {
        return new SessionSecrets8548(tep, cipher, ss0, false);
    }

    /** A resumed session whose secret ss[i] was cached (copied; the cache entry is then zeroed: one use). */
    public static SessionSecrets8548 resume(CachedSession cached) {
        try {
            return new SessionSecrets8548(cached.tep(), cached.cipher(), cached.secret(), true);
        } finally {
            cached.close();
        }
    }

    /** RFC 8548 §3.5: resume[i] = CPRF(ss[i], CONST_RESUME, 18) of a cached secret. */
    public static byte[] resumeIdentifier(byte[] ss) {
        return Hkdf.cprf(ss, Rfc8548.CONST_RESUME, Rfc8548.RESUME_LENGTH);
    }

    /** Role A's half of resume[i], [0, 9): what A's SYN carries. */
    public static byte[] aHalf(byte[] ss) {
        byte[] r = resumeIdentifier(ss);
        try {
            return Arrays.copyOfRange(r, 0, Rfc8548.RESUME_HALF_LENGTH);
        } finally {
            Arrays.fill(r, (byte) 0);
        }
    }

    /** Role B's half of resume[i], [9, 18): what B's SYN-ACK echoes when it resumes. */
    public static byte[] bHalf(byte[] ss) {
        byte[] r = resumeIdentifier(ss);
        try {
            return Arrays.copyOfRange(r, Rfc8548.RESUME_HALF_LENGTH, Rfc8548.RESUME_LENGTH);
        } finally {
            Arrays.fill(r, (byte) 0);
        }
    }

    public Tep tep() {
        return tep;
    }

    public SymCipher cipher() {
        return cipher;
    }

    public boolean isResumed() {
        return resumed;
    }

    public SessionId sessionId() {
        return sessionId;
    }

    /** The key protecting what {@code sender} sends (a copy). */
    public byte[] trafficKey(Role sender) {
        return live(sender == Role.A ? keyAtoB : keyBtoA).clone();
    }

    /** ss[i] (a copy). */
    public byte[] secret() {
        return live(ss).clone();
    }

    /**
     * What {@code local} caches to resume: ss[i+1], and (the lookup key role B uses) the A half of
     * resume[i+1]. The next session keeps the roles of a fresh connection (who opens is A).
     */
    public CachedSession toCacheEntry(Role local) {
        byte[] next = Hkdf.cprf(live(ss), Rfc8548.CONST_NEXTK, Rfc8548.K_LEN);
        return new CachedSession(tep, cipher, local, next, aHalf(next));
    }

    /** The sealer for what {@code local} sends. */
    public FrameSealer8548 newSealer(Role local, long rekeyAfterBytes) {
        byte[] k = trafficKey(local);
        try {
            return new FrameSealer8548(cipher, k, rekeyAfterBytes);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    /** The opener for what {@code local} receives. */
    public FrameOpener8548 newOpener(Role local) {
        byte[] k = trafficKey(local.peer());
        try {
            return new FrameOpener8548(cipher, k);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    private byte[] live(byte[] b) {
        if (closed) {
            throw new IllegalStateException("session secrets closed");
        }
        return b;
    }

    @Override
    public void close() {
        Arrays.fill(ss, (byte) 0);
        Arrays.fill(keyAtoB, (byte) 0);
        Arrays.fill(keyBtoA, (byte) 0);
        closed = true;
    }
}
