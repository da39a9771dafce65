package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.AgreedSecrets;
import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SessionId;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import java.util.Arrays;

/**
 * The secrets of one established tcpcrypt session ({@link KeySchedule}): session ID, mk, nk and
 * the two traffic keys, plus what the next resumed session will be. {@link #close()} zeroes
 * every byte array it holds; the accessors return copies.
 */
public final class SessionSecrets extends AgreedSecrets {
    private final byte[] secret;
    private final SessionId sessionId;
    private final byte[] mk;
    private final byte[] nk;
    private final byte[] keyAtoB;
    private final byte[] keyBtoA;
    private final SessionId nextSessionId;

    private SessionSecrets(Tep tep, SymCipher cipher, byte[] secret, boolean resumed) {
        super(tep, cipher, resumed);
        if (secret.length != 32) {
            throw new IllegalArgumentException("secret must be 32 bytes");
        }
        this.secret = secret.clone();
        this.sessionId = KeySchedule.sessionId(tep, secret, resumed);
        this.mk = KeySchedule.masterKey(secret);
        this.nk = KeySchedule.nextSecret(secret);
        this.keyAtoB = KeySchedule.trafficKey(mk, Role.A, cipher);
        this.keyBtoA = KeySchedule.trafficKey(mk, Role.B, cipher);
        this.nextSessionId = KeySchedule.sessionId(tep, nk, true);
    }

    /** After a full handshake: {@code ss} is the secret. */
    public static SessionSecrets fullHandshake(Tep tep, SymCipher cipher, byte[] ss) {
        return new SessionSecrets(tep, cipher, ss, false);
    }

    /** A resumed session: the previous session's nk is the secret. */
    public static SessionSecrets resumed(Tep tep, SymCipher cipher, byte[] previousNk) {
        return new SessionSecrets(tep, cipher, previousNk, true);
    }

    /** Resumes a cached session, consuming it (its secret is zeroed: one use). */
    public static SessionSecrets resume(CachedSession cached) {
        try {
            return resumed(cached.tep(), cached.cipher(), cached.secret());
        } finally {
            cached.close();
        }
    }

    @Override
    public SessionId sessionId() {
        return sessionId;
    }

    /** ss, or the previous nk for a resumed session (a copy). */
    public byte[] secret() {
        return live(secret).clone();
    }

    /** mk (a copy). */
    public byte[] mk() {
        return live(mk).clone();
    }

    /** nk, the next session's secret (a copy). */
    public byte[] nk() {
        return live(nk).clone();
    }

    /** The A->B key (a copy). */
    public byte[] keyAtoB() {
        return live(keyAtoB).clone();
    }

    /** The B->A key (a copy). */
    public byte[] keyBtoA() {
        return live(keyBtoA).clone();
    }

    /** The key protecting frames sent by {@code sender} (a copy). */
    public byte[] trafficKey(Role sender) {
        return sender == Role.A ? keyAtoB() : keyBtoA();
    }

    /** The session ID the next resumption of this session will have. */
    public SessionId nextSessionId() {
        return nextSessionId;
    }

    /** The 10-byte resume identifier of the next session: {@code nextSessionId()[0, 10)}. */
    public byte[] nextResumeId() {
        return nextSessionId.prefix(Tcpcrypt05.RESUME_ID_LENGTH);
    }

    /** The sealer for what {@code local} sends. */
    public FrameSealer newSealer(Role local) {
        return new FrameSealer(cipher(), live(local == Role.A ? keyAtoB : keyBtoA));
    }

    /** The opener for what {@code local} receives. */
    public FrameOpener newOpener(Role local) {
        return new FrameOpener(cipher(), live(local == Role.A ? keyBtoA : keyAtoB));
    }

    /**
     * What {@code local} caches for resuming with this peer: nk, TEP, cipher, role and the next
     * resume identifier ({@code session_cache}). The reference caches as soon as it derives the
     * keys; caching once the peer's first frame authenticated is the safer moment (only then is
     * it known that the peer holds the same secrets).
     */
    public CachedSession toCacheEntry(Role local) {
        return toCacheEntry(local, false);
    }

    /** The cache entry as above, remembering whether this session agreed on the wide window ({@link WideWindow}). */
    public CachedSession toCacheEntry(Role local, boolean wideWindow) {
        return new CachedSession(tep(), cipher(), local, live(nk).clone(), nextResumeId(), wideWindow);
    }

    @Override
    protected void wipe() {
        for (byte[] b : new byte[][] {secret, mk, nk, keyAtoB, keyBtoA}) {
            Arrays.fill(b, (byte) 0);
        }
    }
}
