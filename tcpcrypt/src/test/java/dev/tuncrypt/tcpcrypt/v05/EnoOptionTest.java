package dev.tuncrypt.tcpcrypt.v05;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import dev.tuncrypt.tcpcrypt.eno.EnoError;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.EnoSuboption;
import dev.tuncrypt.tcpcrypt.eno.ResumeLookup;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ENO option codec and the negotiation rules beyond what the vectors show. */
class EnoOptionTest {
    static final List<Tep> BOTH = List.of(Tep.ECDHE_P256, Tep.ECDHE_P521);

    static EnoOption opt(String hex) {
        return EnoOption.parse(Vector.hex(hex)).orElseThrow();
    }

    static EnoError err(String hex) {
        return EnoOption.parse(Vector.hex(hex)).errorOrNull();
    }

    static CachedSession cached(Tep tep, Role role) {
        try (SessionSecrets s = SessionSecrets.fullHandshake(tep, SymCipher.AES_128_GCM, new byte[32])) {
            return s.toCacheEntry(role);
        }
    }

    @Test
    void builders() {
        assertThat(EnoOption.syn(BOTH, false, null)).hasToString("fd06454e2122");
        assertThat(EnoOption.syn(BOTH, true, null)).hasToString("fd07454e212202");
        assertThat(EnoOption.synAck(Tep.ECDHE_P521, false)).hasToString("fd05454e22");
        assertThat(EnoOption.synAck(Tep.ECDHE_P256, true)).hasToString("fd06454e2102");
        assertThat(EnoOption.synAckResume(Tep.ECDHE_P256, true)).hasToString("fd06454e02a1");
        assertThat(EnoOption.MINIMAL).hasToString("fd04454e");
        assertThat(EnoOption.MINIMAL.isMinimal()).isTrue();
        byte[] id = Vector.hex("a12d1b34d9c3d356b095");
        assertThat(EnoOption.syn(BOTH, true, id)).hasToString("fd11454e212202a12d1b34d9c3d356b095");
        assertThatThrownBy(() -> EnoOption.syn(BOTH, false, new byte[10])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EnoOption.syn(List.of(), false, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EnoOption.of(List.of(new EnoSuboption(EnoSuboption.Kind.TEP_WITH_DATA, 0x21, null, false),
                new EnoSuboption(EnoSuboption.Kind.TEP, 0x22, null, false)))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writeToABufferAtAnIndex() {
        ByteBuffer buf = ByteBuffer.allocate(20);
        int end = EnoOption.syn(BOTH, false, null).writeTo(buf, 5);
        assertThat(end).isEqualTo(11);
        assertThat(buf.position()).isZero();
        byte[] b = new byte[6];
        buf.get(5, b);
        assertThat(Vector.hex(b)).isEqualTo("fd06454e2122");
        // the SPI gives the suboptions' absolute offset and length
        Result<EnoOption, EnoError> r = EnoOption.parseSuboptions(buf, 9, 2);
        assertThat(r.orElseThrow().tepIds()).containsExactly(0x21, 0x22);
    }

    @Test
    void suboptionKinds() {
        EnoOption o = opt("fd0e454e01217f81a2aabba1ccdd");
        assertThat(o.suboptions()).containsExactly(
                new EnoSuboption(EnoSuboption.Kind.GENERAL, 0x01, null, false),
                new EnoSuboption(EnoSuboption.Kind.TEP, 0x21, null, false),
                new EnoSuboption(EnoSuboption.Kind.TEP, 0x7f, null, false),
                new EnoSuboption(EnoSuboption.Kind.TEP_WITH_DATA, 0x22, Vector.hex("aabb"), true),
                new EnoSuboption(EnoSuboption.Kind.TEP_WITH_DATA, 0x21, Vector.hex("ccdd"), false));
        assertThat(o.roleBBit()).isTrue();
        assertThat(o.appAware()).isFalse();
        assertThat(EnoOption.of(o.suboptions())).isEqualTo(o);
        assertThat(o.encode()).isEqualTo(Vector.hex("fd0e454e01217f81a2aabba1ccdd"));
    }

    @Test
    void malformedOptions() {
        assertThat(err("fe04454e")).isEqualTo(EnoError.NOT_EXPERIMENTAL_KIND);
        assertThat(err("fd04454f")).isEqualTo(EnoError.WRONG_EXID);
        assertThat(err("fd05454e")).isEqualTo(EnoError.BAD_OPTION_LENGTH);
        assertThat(err("fd03454e")).isEqualTo(EnoError.BAD_OPTION_LENGTH);
        assertThat(err("fd02")).isEqualTo(EnoError.BAD_OPTION_LENGTH);
        assertThat(err("fd06454e8121")).isEqualTo(EnoError.LENGTH_BYTE_WITHOUT_TEP);
        assertThat(err("fd05454e81")).isEqualTo(EnoError.LENGTH_BYTE_WITHOUT_TEP);
        assertThat(err("fd07454e83a100")).isEqualTo(EnoError.LENGTH_BYTE_OVERRUN);
        byte[] tooLong = new byte[41];
        tooLong[0] = (byte) 0xfd;
        tooLong[1] = 41;
        tooLong[2] = 0x45;
        tooLong[3] = 0x4e;
        assertThat(EnoOption.parse(tooLong).errorOrNull()).isEqualTo(EnoError.TOO_LONG);
        assertThat(EnoOption.parseSuboptions(ByteBuffer.allocate(64), 0, 37).errorOrNull()).isEqualTo(EnoError.TOO_LONG);
    }

    @Test
    void roleBFallsBackToPlainTcp() {
        assertThat(EnoNegotiation.onSyn((EnoOption) null, BOTH, ResumeLookup.NONE))
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION));
        assertThat(EnoNegotiation.onSyn(EnoOption.parse(Vector.hex("fd06454e8121")), BOTH, ResumeLookup.NONE))
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MALFORMED_OPTION));
        EnoOutcome none = EnoNegotiation.onSyn(opt("fd06454e2324"), BOTH, ResumeLookup.NONE);
        assertThat(none).isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_COMMON_TEP));
        assertThat(none.encrypts()).isFalse();
        assertThat(EnoOption.synAckFor(none, false)).as("no ENO in the SYN-ACK").isNull();
        assertThat(EnoNegotiation.onSyn(EnoOption.MINIMAL, BOTH, ResumeLookup.NONE))
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_COMMON_TEP));
    }

    @Test
    void roleBTakesTheFirstOfAsTepsItSupports() {
        assertThat(EnoNegotiation.onSyn(opt("fd06454e2221"), BOTH, ResumeLookup.NONE).tepOrNull())
                .isEqualTo(Tep.ECDHE_P521);
        assertThat(EnoNegotiation.onSyn(opt("fd06454e2122"), List.of(Tep.ECDHE_P521), ResumeLookup.NONE)
                .tepOrNull()).isEqualTo(Tep.ECDHE_P521);
        // an unknown TEP listed first: the reference would overrun its list here (README correction 8)
        assertThat(EnoNegotiation.onSyn(opt("fd07454e232221"), BOTH, ResumeLookup.NONE).tepOrNull())
                .isEqualTo(Tep.ECDHE_P521);
        EnoOutcome aware = EnoNegotiation.onSyn(opt("fd07454e212202"), BOTH, ResumeLookup.NONE);
        assertThat(aware).isEqualTo(new EnoOutcome.Negotiated(Tep.ECDHE_P256, true));
    }

    @Test
    void roleBResumesOnlyAKnownSession() {
        CachedSession s = cached(Tep.ECDHE_P256, Role.B);
        byte[] id = s.resumeId();
        EnoOption syn = EnoOption.syn(BOTH, false, id);
        // unknown identifier: full handshake
        assertThat(EnoNegotiation.onSyn(syn, BOTH, x -> null)).isEqualTo(new EnoOutcome.Negotiated(Tep.ECDHE_P256, false));
        // known: resumed
        EnoOutcome r = EnoNegotiation.onSyn(syn, BOTH, x -> java.util.Arrays.equals(x, id) ? s : null);
        assertThat(r).isEqualTo(new EnoOutcome.Resumed(s, false));
        assertThat(EnoOption.synAckFor(r, false)).hasToString("fd05454ea1");
        // the session's TEP no longer accepted: full handshake with what is
        assertThat(EnoNegotiation.onSyn(syn, List.of(Tep.ECDHE_P521), x -> s).tepOrNull()).isEqualTo(Tep.ECDHE_P521);
    }

    @Test
    void roleAOutcomes() {
        EnoOption syn = EnoOption.syn(BOTH, false, null);
        assertThat(EnoNegotiation.onSynAck(syn, (EnoOption) null, null))
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION));
        assertThat(EnoNegotiation.onSynAck(syn, EnoOption.parse(Vector.hex("fd05454e81")), null))
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MALFORMED_OPTION));
        assertThat(EnoNegotiation.onSynAck(syn, opt("fd05454e23"), null))
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_COMMON_TEP));
        assertThat(EnoNegotiation.onSynAck(EnoOption.syn(List.of(Tep.ECDHE_P256), false, null), opt("fd05454e22"), null))
                .as("B chose a TEP A did not offer").isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_COMMON_TEP));
        assertThat(EnoNegotiation.onSynAck(syn, opt("fd05454ea1"), null))
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.UNSOLICITED_RESUME));
        assertThat(EnoNegotiation.onSynAck(syn, opt("fd06454e2102"), null))
                .isEqualTo(new EnoOutcome.Negotiated(Tep.ECDHE_P256, true));

        CachedSession offered = cached(Tep.ECDHE_P256, Role.A);
        EnoOption resumeSyn = EnoOption.syn(BOTH, false, offered.resumeId());
        assertThat(EnoNegotiation.onSynAck(resumeSyn, opt("fd06454e02a1"), offered))
                .isEqualTo(new EnoOutcome.Resumed(offered, true));
        assertThat(EnoNegotiation.onSynAck(resumeSyn, opt("fd05454e21"), offered))
                .as("B declined the resumption").isEqualTo(new EnoOutcome.Negotiated(Tep.ECDHE_P256, false));
        assertThat(EnoNegotiation.onSynAck(resumeSyn, opt("fd05454ea2"), offered))
                .as("resumption of another TEP").isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.UNSOLICITED_RESUME));
    }

    @Test
    void transcriptBuilderWithSeveralOptionsInASegment() {
        byte[] t = EnoTranscript.builder().segment(opt("fd06454e2122"), EnoOption.MINIMAL).segment(opt("fd05454e21")).build();
        assertThat(Vector.hex(t)).isEqualTo("fd06454e2122fd04454efd04454efd05454e21fd04454e");
    }
}
