package dev.tuncrypt.client;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Binds a tcpcrypt session ID to a password both ends share: each end sends
 * HMAC-SHA256(K, "tuncrypt-sid-binding" || role || session ID), with K =
 * PBKDF2-HMAC-SHA256(password, "tuncrypt-sid-binding", iterations), and checks the peer's proof
 * in constant time. A man in the middle holds two sessions with different IDs and cannot produce
 * a proof for either without the password. The roles differ so a proof cannot be reflected back.
 *
 * <p>Limits: a man in the middle who receives one proof can test password guesses offline
 * (PBKDF2 only slows that down); use a long random password, or a PAKE, where that matters. The
 * key and password copies are zeroed after use.
 */
public final class SessionBinding {
    /** Proof length in bytes. */
    public static final int PROOF_LENGTH = 32;
    /** PBKDF2 iterations by default. */
    public static final int DEFAULT_ITERATIONS = 200_000;
    private static final byte[] LABEL = "tuncrypt-sid-binding".getBytes(StandardCharsets.US_ASCII);

    /** Which end of the connection computes the proof. */
    public enum Role {
        /** The end that connected. */
        CLIENT(1),
        /** The end that accepted. */
        SERVER(2);

        final byte code;

        Role(int code) {
            this.code = (byte) code;
        }

        Role peer() {
            return this == CLIENT ? SERVER : CLIENT;
        }
    }

    private final byte[] key;

    private SessionBinding(byte[] key) {
        this.key = key;
    }

    /** Derives the key from {@code password} with {@link #DEFAULT_ITERATIONS}. */
    public static SessionBinding fromPassword(char[] password) {
        return fromPassword(password, DEFAULT_ITERATIONS);
    }

    /** Derives the key from {@code password}; both ends must use the same iteration count. */
    public static SessionBinding fromPassword(char[] password, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, LABEL, iterations, 256);
        try {
            return new SessionBinding(SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec)
                    .getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** The proof {@code role} sends for {@code sessionId}. */
    public byte[] proof(byte[] sessionId, Role role) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(LABEL);
            mac.update(role.code);
            return mac.doFinal(sessionId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Whether {@code theirs} is the proof the peer of {@code me} must send (constant time). */
    public boolean verify(byte[] sessionId, Role me, byte[] theirs) {
        byte[] expected = proof(sessionId, me.peer());
        try {
            return MessageDigest.isEqual(expected, theirs);
        } finally {
            Arrays.fill(expected, (byte) 0);
        }
    }

    /**
     * Sends this end's proof on {@code out}, reads the peer's from {@code in} and checks it. Both
     * ends call this, each with its own role.
     *
     * @return whether the peer holds the same password and the same session
     */
    public boolean exchange(byte[] sessionId, Role me, InputStream in, OutputStream out) throws IOException {
        byte[] mine = proof(sessionId, me);
        out.write(mine);
        out.flush();
        Arrays.fill(mine, (byte) 0);
        byte[] theirs = new byte[PROOF_LENGTH];
        new DataInputStream(in).readFully(theirs);
        return verify(sessionId, me, theirs);
    }

    /** Zeroes the key; the object is unusable afterwards. */
    public void destroy() {
        Arrays.fill(key, (byte) 0);
    }
}
