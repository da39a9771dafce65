package dev.tuncrypt.tcpcrypt.eno;

import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import java.util.Arrays;

/**
 * What one side keeps to resume a session with the same peer (the reference's
 * {@code struct tc_sess}, filled by {@code session_cache}): the next-session secret nk, the TEP,
 * the symmetric cipher (remembered across resumption since commit {@code 25c9a85}), this side's
 * role, and the resume identifier {@code (TEP|0x80) || Expand(nk, 0x02)[0..9)} = the first 10
 * bytes of the next session ID, which role A puts in its SYN and role B looks sessions up by.
 *
 * <p>Use once: the dialect's key schedule ({@code v05.SessionSecrets.resume}, {@code rfc8548.SessionSecrets8548.resume}) consumes it and zeroes the secret;
 * {@link #close()} zeroes it too.
 */
public final class CachedSession implements AutoCloseable {
    private final Tep tep;
    private final SymCipher cipher;
    private final Role role;
    private final byte[] secret;
    private final byte[] resumeId;
    private final boolean wideWindow;
    private boolean closed;

    /**
     * A cache entry owning {@code secret} (not copied) and {@code resumeId}, the bytes role B
     * looks it up by (10 bytes in tcpcrypt-0.5, role A's 9-byte half in rfc8548).
     */
    public CachedSession(Tep tep, SymCipher cipher, Role role, byte[] secret, byte[] resumeId) {
        this(tep, cipher, role, secret, resumeId, false);
    }

    /**
     * A cache entry as above that also remembers whether the session it continues agreed on the
     * wide window (tcpcrypt-0.5, {@code v05.WideWindow}): a resumption lifts the 64-frame cap only if so, because
     * a resumed handshake's ENO options enter no key.
     */
    public CachedSession(Tep tep, SymCipher cipher, Role role, byte[] secret, byte[] resumeId, boolean wideWindow) {
        this.wideWindow = wideWindow;
        this.tep = tep;
        this.cipher = cipher;
        this.role = role;
        this.secret = secret;
        this.resumeId = resumeId;
    }

    public Tep tep() {
        return tep;
    }

    public SymCipher cipher() {
        return cipher;
    }

    /** This side's role in the cached session, which a resumption keeps. */
    public Role role() {
        return role;
    }

    /** Whether the session this entry continues agreed on the wide window (readable after {@link #close()}). */
    public boolean wideWindow() {
        return wideWindow;
    }

    /** The 10-byte resume identifier (a copy). */
    public byte[] resumeId() {
        return resumeId.clone();
    }

    boolean matches(byte[] id) {
        return java.security.MessageDigest.isEqual(resumeId, id);
    }

    /**
     * The secret itself (not a copy), for the tcpcrypt-0.5 and the rfc8548 key
     * schedule, which copy it and then {@link #close()} this entry; fails once closed.
     */
    public byte[] secret() {
        if (closed) {
            throw new IllegalStateException("cached session already used or discarded");
        }
        return secret;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Zeroes the secret. */
    @Override
    public void close() {
        Arrays.fill(secret, (byte) 0);
        closed = true;
    }
}
