package dev.tuncrypt.tcpcrypt.v05;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.SessionCache;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** SYN, SYN-ACK and minimal ENO options and the transcript of every golden vector, byte for byte. */
class EnoVectorTest {
    static final List<Tep> B_SUPPORTS = List.of(Tep.ECDHE_P256, Tep.ECDHE_P521); // B ran the default build

    static Stream<Vector> all() {
        return Vector.all();
    }

    static Stream<Vector> full() {
        return Vector.full();
    }

    /** The SYN option sits in the SYN's option block, as a kind-253 option. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void enoOptionIsTheExperimentalOptionOfTheSynAndSynAck(Vector v) {
        assertThat(findEno(v.bytes("syn.tcp_options_hex"))).isEqualTo(v.hexString("syn.eno_option_hex"));
        assertThat(findEno(v.bytes("synack.tcp_options_hex"))).isEqualTo(v.hexString("synack.eno_option_hex"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void roleABuildsTheSynOption(Vector v) {
        byte[] resumeId = null;
        if (v.resumed()) {
            try (SessionSecrets prev = previousSecrets(v)) {
                resumeId = prev.nextResumeId();
            }
            assertThat(Vector.hex(resumeId)).isEqualTo(v.hexString("resume_suboption_hex"));
        }
        EnoOption syn = EnoOption.syn(v.aPreference(), false, resumeId);
        assertThat(Vector.hex(syn.encode())).isEqualTo(v.hexString("syn.eno_option_hex"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void roleBParsesTheSynDecidesAndBuildsTheSynAck(Vector v) {
        EnoOption syn = EnoOption.parse(v.bytes("syn.eno_option_hex")).orElseThrow();
        SessionCache<String> bCache = new SessionCache<>(16, Duration.ofMinutes(5), InstantSource.fixed(Instant.EPOCH));
        if (v.resumed()) {
            try (SessionSecrets prev = previousSecrets(v)) {
                bCache.put("198.18.0.1", prev.toCacheEntry(Role.B));
            }
        }
        EnoOutcome outcome = EnoNegotiation.onSyn(syn, B_SUPPORTS, bCache.resumeLookup());
        if (v.resumed()) {
            assertThat(outcome).isInstanceOf(EnoOutcome.Resumed.class);
            assertThat(bCache.size()).as("one use").isZero();
        } else {
            assertThat(outcome).isEqualTo(new EnoOutcome.Negotiated(v.tep(), false));
        }
        assertThat(outcome.tepOrNull()).isEqualTo(v.tep());
        EnoOption synAck = EnoOption.synAckFor(outcome, false);
        assertThat(Vector.hex(synAck.encode())).isEqualTo(v.hexString("synack.eno_option_hex"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void roleAParsesTheSynAck(Vector v) {
        EnoOption sentSyn = EnoOption.parse(v.bytes("syn.eno_option_hex")).orElseThrow();
        EnoOption synAck = EnoOption.parse(v.bytes("synack.eno_option_hex")).orElseThrow();
        CachedSession offered = null;
        if (v.resumed()) {
            try (SessionSecrets prev = previousSecrets(v)) {
                offered = prev.toCacheEntry(Role.A);
            }
        }
        EnoOutcome outcome = EnoNegotiation.onSynAck(sentSyn, synAck, offered);
        if (v.resumed()) {
            assertThat(outcome).isEqualTo(new EnoOutcome.Resumed(offered, false));
        } else {
            assertThat(outcome).isEqualTo(new EnoOutcome.Negotiated(v.tep(), false));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("full")
    void firstAckCarriesTheMinimalOption(Vector v) {
        assertThat(Vector.hex(EnoOption.MINIMAL.encode())).isEqualTo(v.hexString("ack_with_init1.eno_option_hex"));
        assertThat(findEno(v.bytes("ack_with_init1.tcp_options_hex"))).isEqualTo("fd04454e");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void transcript(Vector v) {
        EnoOption syn = EnoOption.parse(v.bytes("syn.eno_option_hex")).orElseThrow();
        EnoOption synAck = EnoOption.parse(v.bytes("synack.eno_option_hex")).orElseThrow();
        assertThat(Vector.hex(EnoTranscript.of(syn, synAck))).isEqualTo(v.hexString("eno_transcript_hex"));
    }

    static SessionSecrets previousSecrets(Vector v) {
        Vector p = v.previous();
        return SessionSecrets.fullHandshake(p.tep(), p.cipher(), p.bytes("ss_hex"));
    }

    /** The first kind-253 option of an option block, as hex. */
    static String findEno(byte[] opts) {
        int i = 0;
        while (i < opts.length) {
            int kind = opts[i] & 0xff;
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                i++;
                continue;
            }
            int len = opts[i + 1] & 0xff;
            if (kind == 253) {
                return Vector.hex(java.util.Arrays.copyOfRange(opts, i, i + len));
            }
            i += len;
        }
        return null;
    }
}
