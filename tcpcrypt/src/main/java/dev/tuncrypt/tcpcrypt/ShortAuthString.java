package dev.tuncrypt.tcpcrypt;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A short authentication string for a tcpcrypt session: the first 8 bytes of
 * SHA-256("tuncrypt-sas" || session ID), as four dash-separated groups of four upper-case hex digits
 * ({@code 3F9A-0C1D-77E2-B604}). Both ends of one session compute the same string; people who
 * read theirs to each other over another channel (a call, a message) and find them equal know
 * no one sits in the middle, since a man in the middle ends up with two sessions and two IDs
 * (TCP-ENO exports session IDs for applications to authenticate this way, RFC 8547). 64 bits: a
 * forger must hit the string of a session it does not choose, which the key agreement's fresh
 * randomness rules out. The same string as {@code tuncrypt sid --sas} and the client library's
 * {@code ShortAuthString.hexGroups(sid, 4)} show for that session.
 */
public final class ShortAuthString {
    /** Bytes of the digest shown. */
    static final int BYTES = 8;
    /** Domain separation: this digest of a session ID serves nothing else. */
    private static final byte[] LABEL = "tuncrypt-sas".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private ShortAuthString() {}

    /** The short authentication string of {@code id}. */
    public static String of(SessionId id) {
        MessageDigest d = sha256();
        d.update(LABEL);
        byte[] digest = d.digest(id.bytes());
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
