package dev.tuncrypt.tcpcrypt;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A short authentication string for a tcpcrypt session: the first 8 bytes of SHA-256 over the
 * session ID, as four dash-separated groups of four upper-case hex digits
 * ({@code 3F9A-0C1D-77E2-B604}). Both ends of one session compute the same string; people who
 * read theirs to each other over another channel (a call, a message) and find them equal know
 * no one sits in the middle, since a man in the middle ends up with two sessions and two IDs
 * (TCP-ENO exports session IDs for applications to authenticate this way, RFC 8547). 64 bits: a
 * forger must hit the string of a session it does not choose, which the key agreement's fresh
 * randomness rules out.
 */
public final class ShortAuthString {
    /** Bytes of the digest shown. */
    static final int BYTES = 8;

    private ShortAuthString() {}

    /** The short authentication string of {@code id}. */
    public static String of(SessionId id) {
        byte[] digest = sha256().digest(id.bytes());
        String hex = HexFormat.of().withUpperCase().formatHex(digest, 0, BYTES);
        StringBuilder b = new StringBuilder(BYTES * 2 + BYTES / 2 - 1);
        for (int i = 0; i < hex.length(); i += 4) {
            if (i > 0) {
                b.append('-');
            }
            b.append(hex, i, i + 4);
        }
        return b.toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
