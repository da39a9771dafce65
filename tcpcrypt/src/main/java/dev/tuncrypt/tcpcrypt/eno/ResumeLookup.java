package dev.tuncrypt.tcpcrypt.eno;

/**
 * Finds and removes (one use) a cached session by the identifier role A's SYN carried in its
 * resumption suboption (tcpcrypt-0.5's 10-byte resume identifier, rfc8548's 9-byte half of
 * {@code resume[i]}, RFC 8548 §3.5).
 */
@FunctionalInterface
public interface ResumeLookup {
    /** The session cached under {@code resumeId}, removed from the cache; or null. */
    CachedSession take(byte[] resumeId);

    /** No session cache. */
    ResumeLookup NONE = id -> null;
}
