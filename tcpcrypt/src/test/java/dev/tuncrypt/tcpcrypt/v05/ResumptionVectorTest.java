package dev.tuncrypt.tcpcrypt.v05;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.SessionCache;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The resumed sessions' SIDs and keys, derived from their predecessor only. */
class ResumptionVectorTest {

    static Stream<Vector> resumed() {
        return Vector.resumedOnes();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resumed")
    void resumedSessionFromThePreviousNk(Vector v) {
        Vector prev = v.previous();
        assertThat(v.hexString("previous_session_nk_hex")).isEqualTo(prev.hexString("nk_hex"));
        try (SessionSecrets s = SessionSecrets.resumed(v.tep(), v.cipher(), prev.bytes("nk_hex"))) {
            HandshakeVectorTest.assertSession(v, s, "");
            assertThat(s.isResumed()).isTrue();
            assertThat(s.sessionId().firstByte()).isEqualTo(v.tep().id() | 0x80);
            assertThat(s.sessionId().isResumed()).isTrue();
            assertThat(s.sessionId().tep()).isEqualTo(v.tep());
            assertThat(Vector.hex(KeySchedule.expand(s.mk(), 0x04))).isEqualTo(v.hexString("expand_mk_0x04_hex"));
            assertThat(Vector.hex(KeySchedule.expand(s.mk(), 0x05))).isEqualTo(v.hexString("expand_mk_0x05_hex"));
            // the session after this one (the next resumption)
            assertThat(Vector.hex(s.nextSessionId().bytes())).isEqualTo(v.hexString("next_session.sid_hex"));
            try (SessionSecrets next = SessionSecrets.resumed(v.tep(), v.cipher(), s.nk())) {
                HandshakeVectorTest.assertSession(v, next, "next_session.");
            }
        }
    }

    /** The whole path both sides take: full session, cache, resume identifier, one-use take, keys. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("resumed")
    void throughTheCaches(Vector v) {
        Vector prev = v.previous();
        InstantSource clock = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));
        SessionCache<String> aCache = new SessionCache<>(8, Duration.ofHours(1), clock);
        SessionCache<String> bCache = new SessionCache<>(8, Duration.ofHours(1), clock);
        try (SessionSecrets full = SessionSecrets.fullHandshake(prev.tep(), prev.cipher(), prev.bytes("ss_hex"))) {
            aCache.put("198.18.0.2", full.toCacheEntry(Role.A));
            bCache.put("198.18.0.1", full.toCacheEntry(Role.B));
        }

        CachedSession offered = aCache.takeForPeer("198.18.0.2");
        assertThat(offered).isNotNull();
        assertThat(aCache.takeForPeer("198.18.0.2")).as("one use").isNull();
        EnoOption syn = EnoOption.syn(v.aPreference(), false, offered.resumeId());
        assertThat(Vector.hex(syn.encode())).isEqualTo(v.hexString("syn.eno_option_hex"));

        EnoOutcome bOutcome = EnoNegotiation.onSyn(syn, EnoVectorTest.B_SUPPORTS, bCache.resumeLookup());
        assertThat(bOutcome).isInstanceOf(EnoOutcome.Resumed.class);
        EnoOption synAck = EnoOption.synAckFor(bOutcome, false);
        assertThat(Vector.hex(synAck.encode())).isEqualTo(v.hexString("synack.eno_option_hex"));
        EnoOutcome aOutcome = EnoNegotiation.onSynAck(syn, synAck, offered);
        assertThat(aOutcome).isInstanceOf(EnoOutcome.Resumed.class);

        CachedSession bSession = ((EnoOutcome.Resumed) bOutcome).session();
        assertThat(bSession.role()).isEqualTo(Role.B);
        try (SessionSecrets a = SessionSecrets.resume(offered);
                SessionSecrets b = SessionSecrets.resume(bSession)) {
            assertThat(offered.isClosed()).as("secret consumed").isTrue();
            HandshakeVectorTest.assertSession(v, a, "");
            HandshakeVectorTest.assertSession(v, b, "");
            // a second resumption of the same cached secret is impossible
            assertThat(bCache.takeByResumeId(v.bytes("resume_suboption_hex"))).isNull();
        }
    }
}
