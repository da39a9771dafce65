package dev.tuncrypt.tcpcrypt.eno;

import dev.tuncrypt.tcpcrypt.Tep;
import java.util.Objects;

/**
 * What TCP-ENO negotiation decided for a connection: a TEP for a full tcpcrypt handshake, the
 * resumption of a cached session, or plain TCP.
 */
public sealed interface EnoOutcome {

    /** Full handshake with {@code tep}: Init1/Init2 follow. */
    record Negotiated(Tep tep, boolean peerAppAware) implements EnoOutcome {
        public Negotiated {
            Objects.requireNonNull(tep, "tep");
        }
    }

    /**
     * Resumption of {@code session}: no Init messages; keys from the cached secret
     * (the dialect's key schedule). The session was taken out of the cache
     * (one use).
     */
    record Resumed(CachedSession session, boolean peerAppAware) implements EnoOutcome {
        public Resumed {
            Objects.requireNonNull(session, "session");
        }

        public Tep tep() {
            return session.tep();
        }
    }

    /** TCP-ENO is off for this connection: plain TCP. */
    record NotNegotiated(Reason reason) implements EnoOutcome {
        public NotNegotiated {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Why a connection stays plain TCP. */
    enum Reason {
        /** The peer's SYN or SYN-ACK had no ENO option of a dialect this side offers or accepts. */
        NO_ENO_OPTION,
        /** The peer's ENO option was malformed ({@link EnoError}). */
        MALFORMED_OPTION,
        /** No TEP offered by role A is supported by role B (or B's choice was not offered). */
        NO_COMMON_TEP,
        /** Role B's SYN-ACK answered with a resumption role A had not offered. */
        UNSOLICITED_RESUME,
        /** rfc8548: this side is in mandatory application-aware mode and the peer did not set a (RFC 8547 §4.2, §4.6). */
        MANDATORY_APP_AWARE,
        /** rfc8548: both hosts set the same b bit (RFC 8547 §4.3, §4.6 rule 3; e.g. a middlebox echoing A's SYN option, §8.1). */
        ROLE_CONFLICT,
        /** rfc8548 role B: role A's first ACK carried no ENO option (RFC 8547 §4.6 rule 1). */
        NO_ENO_ON_ACK,
        /** The SYN carried more than one ENO option (kind 69 twice, or kind 69 and 253/0x454E): none counts (RFC 8547 §4.1, §11). */
        SEVERAL_ENO_OPTIONS
    }

    /** Whether the stream will be encrypted. */
    default boolean encrypts() {
        return !(this instanceof NotNegotiated);
    }

    /** The TEP in use, or null for plain TCP. */
    default Tep tepOrNull() {
        return switch (this) {
            case Negotiated n -> n.tep();
            case Resumed r -> r.tep();
            case NotNegotiated x -> null;
        };
    }
}
