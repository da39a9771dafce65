package dev.tuncrypt.tcpcrypt.rfc8548;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.crypto.AgreementKeyPair;
import dev.tuncrypt.tcpcrypt.crypto.EcdhKeyPair;
import dev.tuncrypt.tcpcrypt.crypto.PointError;
import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import dev.tuncrypt.tcpcrypt.eno.EnoError;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.ResumeLookup;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * One test per MUST of RFC 8547 / RFC 8548 that a codec or negotiation step implements, with
 * hand-built bytes (the wire-level MUSTs are in {@code Rfc8547HandshakeTest}, the numbers in
 * {@code Rfc8548ReferenceTest}).
 */
class Rfc8548MustTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final List<Tep> ALL = List.of(Tep.ECDHE_X25519, Tep.ECDHE_P256, Tep.ECDHE_X448, Tep.ECDHE_P521);
    private static final Negotiation8547.AppAware OFF = Negotiation8547.AppAware.OFF;

    private static EnoOption8547 parse(String hex) {
        return EnoOption8547.parse(HEX.parseHex(hex)).valueOrNull();
    }

    // ---------------------------------------------------------------- RFC 8548 §3.6, §4.2.3: nonce

    /** N = frame_ID XOR NR, frame_ID = zero bytes then the 8-byte big-endian offset. */
    @Test
    void theNonceIsTheFrameIdXorTheNonceRandomizer() {
        byte[] nr = HEX.parseHex("0102030405060708090a0b0c");
        assertThat(HEX.formatHex(FrameAead8548.nonce(0, nr))).isEqualTo("0102030405060708090a0b0c");
        assertThat(HEX.formatHex(FrameAead8548.nonce(0x1122334455667788L, nr))).isEqualTo("01020304" + "1424344c5c6c7c84");
        // and a sealed frame is exactly AES-GCM(K, N, AAD = control | clen) of flags | data
        byte[] mk = new byte[32];
        Arrays.fill(mk, (byte) 7);
        byte[] traffic = FrameAead8548.trafficKey(mk, Role.A, SymCipher.AES_128_GCM);
        assertThat(traffic).hasSize(16 + 12);
        FrameSealer8548 sealer = new FrameSealer8548(SymCipher.AES_128_GCM, mk, Role.A, 0);
        ByteBuffer frame = ByteBuffer.allocate(FrameSealer8548.frameLength(2));
        sealer.seal(ByteBuffer.wrap(new byte[] {'h', 'i'}), 1000, frame);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(traffic, 0, 16, "AES"),
                    new GCMParameterSpec(128, FrameAead8548.nonce(1000, Arrays.copyOfRange(traffic, 16, 28))));
            c.updateAAD(new byte[] {0, 0, 19});
            byte[] ct = c.doFinal(new byte[] {0, 'h', 'i'});
            assertThat(Arrays.copyOfRange(frame.array(), 3, frame.array().length)).isEqualTo(ct);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- RFC 8548 §3.8: key update

    /** A received rekey = 1 raises the remote generation; the sealer must follow and answer with rekey = 1, once. */
    @Test
    void aReceivedRekeyIsAnsweredWithRekey() {
        byte[] mk = new byte[32];
        FrameSealer8548 a = new FrameSealer8548(SymCipher.CHACHA20_POLY1305, mk, Role.A, 0);
        FrameOpener8548 bIn = new FrameOpener8548(SymCipher.CHACHA20_POLY1305, mk, Role.A);
        FrameSealer8548 b = new FrameSealer8548(SymCipher.CHACHA20_POLY1305, mk, Role.B, 0);
        a.requestRekey();
        ByteBuffer f = ByteBuffer.allocate(64);
        a.seal(ByteBuffer.wrap(new byte[] {1}), 0, f);
        assertThat(f.get(0) & Rfc8548.CONTROL_REKEY).isEqualTo(1);
        f.flip();
        assertThat(bIn.open(f, 0, ByteBuffer.allocate(64))).isEqualTo(FrameStatus8548.OK);
        assertThat(bIn.generation()).isEqualTo(1);
        assertThat(b.followRemote(bIn.generation())).isTrue();
        ByteBuffer answer = ByteBuffer.allocate(64);
        b.seal(ByteBuffer.allocate(0), 0, answer);
        assertThat(answer.get(0) & Rfc8548.CONTROL_REKEY).as("the answer has rekey = 1").isEqualTo(1);
        assertThat(b.generation()).isEqualTo(1);
        assertThat(b.rekeyOwed()).isFalse();
        ByteBuffer next = ByteBuffer.allocate(64);
        b.seal(ByteBuffer.allocate(0), 100, next);
        assertThat(next.get(0) & Rfc8548.CONTROL_REKEY).as("every other frame rekey = 0").isZero();
    }

    /** A forged rekey bit fails the tag and moves nothing. */
    @Test
    void aForgedRekeyBitMovesNoGeneration() {
        byte[] mk = new byte[32];
        FrameSealer8548 a = new FrameSealer8548(SymCipher.AES_256_GCM, mk, Role.A, 0);
        FrameOpener8548 in = new FrameOpener8548(SymCipher.AES_256_GCM, mk, Role.A);
        ByteBuffer f = ByteBuffer.allocate(64);
        a.seal(ByteBuffer.wrap(new byte[] {1}), 0, f);
        f.flip();
        f.put(0, (byte) 1);
        assertThat(in.open(f, 0, ByteBuffer.allocate(64))).isEqualTo(FrameStatus8548.TAG_MISMATCH);
        assertThat(in.generation()).isZero();
    }

    // ---------------------------------------------------------------- RFC 8548 §5: public keys

    /** NIST keys: compressed points with a 2-byte big-endian length (counting itself); others rejected. */
    @Test
    void nistPublicKeysAreCompressedWithALengthPrefix() {
        for (Tep tep : List.of(Tep.ECDHE_P256, Tep.ECDHE_P521)) {
            AgreementKeyPair a = AgreementKeyPair.generate(tep, new SecureRandom());
            AgreementKeyPair b = AgreementKeyPair.generate(tep, new SecureRandom());
            byte[] wire = PublicKeys8548.encode(a);
            assertThat(wire).hasSize(PublicKeys8548.wireLength(tep)).hasSize(tep == Tep.ECDHE_P256 ? 35 : 69);
            assertThat((wire[0] & 0xff) << 8 | (wire[1] & 0xff)).isEqualTo(wire.length);
            assertThat(wire[2]).isIn((byte) 2, (byte) 3);
            assertThat(PublicKeys8548.agree(b, wire).valueOrNull()).isEqualTo(PublicKeys8548.agree(a, PublicKeys8548.encode(b)).valueOrNull());
            // the uncompressed point is refused, as is a bad length prefix and an x off the curve
            byte[] uncompressed = ((EcdhKeyPair) a).publicKey().encoded();
            byte[] prefixed = ByteBuffer.allocate(uncompressed.length + 2).putShort((short) (uncompressed.length + 2)).put(uncompressed).array();
            assertThat(PublicKeys8548.agree(b, prefixed).isOk()).isFalse();
            byte[] badLength = wire.clone();
            badLength[1]--;
            assertThat(((Result.Err<byte[], PointError>) PublicKeys8548.agree(b, badLength)).error()).isEqualTo(PointError.BAD_LENGTH);
            byte[] offCurve = wire.clone();
            offCurve[3] ^= 1;
            offCurve[wire.length - 1] ^= 0x55;
            var r = PublicKeys8548.agree(b, offCurve);
            if (!r.isOk()) { // about half of all x have a point: flipping bits may land on another one
                assertThat(((Result.Err<byte[], PointError>) r).error()).isIn(PointError.NOT_ON_CURVE, PointError.COORDINATE_OUT_OF_RANGE);
            }
        }
        assertThat(PublicKeys8548.wireLength(Tep.ECDHE_X25519)).isEqualTo(32);
        assertThat(PublicKeys8548.wireLength(Tep.ECDHE_X448)).isEqualTo(56);
    }

    // ---------------------------------------------------------------- RFC 8547 §4.2: global suboption

    /** Only the first global suboption counts; z bits are ignored; none is 0x00. */
    @Test
    void onlyTheFirstGlobalSuboptionCountsAndZBitsAreIgnored() {
        EnoOption8547 o = parse("45051c0123"); // 0x1c = z1 z2 z3 set, a = b = 0; then 0x01 (ignored)
        assertThat(o.roleB()).isFalse();
        assertThat(o.appAware()).isFalse();
        EnoOption8547 ab = parse("45041f23"); // z bits, a and b
        assertThat(ab.roleB()).isTrue();
        assertThat(ab.appAware()).isTrue();
        assertThat(parse("450323").globalBits()).isZero();
        // sent: z bits zero, b forced on a SYN-ACK
        assertThat(EnoOption8547.synAck(Tep.ECDHE_X25519, 0x1c, null).toString()).isEqualTo("45040123");
        assertThat(EnoOption8547.syn(List.of(Tep.ECDHE_X25519), 0x1e, null, null).toString()).isEqualTo("45040223");
    }

    /** Mandatory application-aware mode: ENO disabled unless the peer sets a. */
    @Test
    void mandatoryApplicationAwareModeNeedsThePeersABit() {
        var mandatory = new Negotiation8547.AppAware(true, true);
        assertThat(Negotiation8547.onSyn(parse("450323"), ALL, mandatory, ResumeLookup.NONE).outcome())
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MANDATORY_APP_AWARE));
        assertThat(Negotiation8547.onSyn(parse("45040223"), ALL, mandatory, ResumeLookup.NONE).outcome())
                .isEqualTo(new EnoOutcome.Negotiated(Tep.ECDHE_X25519, true));
    }

    // ---------------------------------------------------------------- RFC 8547 §4.3, §4.6: b bit

    /** Role B refuses a SYN with b = 1; role A refuses a SYN-ACK with b = 0 (an echo of its own option). */
    @Test
    void theSameBOnBothEndsDisablesEno() {
        assertThat(Negotiation8547.onSyn(parse("45040123"), ALL, OFF, ResumeLookup.NONE).outcome())
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.ROLE_CONFLICT));
        EnoOption8547 aSyn = parse("45042321");
        assertThat(Negotiation8547.onSynAck(aSyn, aSyn, OFF, null, null).outcome())
                .as("a middlebox echoing A's option").isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.ROLE_CONFLICT));
        assertThat(Negotiation8547.onSynAck(aSyn, parse("45040121"), OFF, null, null).outcome())
                .isEqualTo(new EnoOutcome.Negotiated(Tep.ECDHE_P256, false));
    }

    // ---------------------------------------------------------------- RFC 8547 §4.4, §4.5: TEPs

    /** The negotiated TEP is the last valid TEP in B's option; B chooses by its own preference. */
    @Test
    void theLastValidTepOfBsOptionIsNegotiatedAndBChoosesByItsPreference() {
        EnoOption8547 aSyn = parse("4505232124");
        assertThat(Negotiation8547.onSynAck(aSyn, parse("4507012123247f"), OFF, null, null).outcome().tepOrNull())
                .as("0x7f is unknown, 0x24 the last valid").isEqualTo(Tep.ECDHE_X448);
        assertThat(Negotiation8547.onSyn(aSyn, List.of(Tep.ECDHE_X448, Tep.ECDHE_P256), OFF, ResumeLookup.NONE).outcome().tepOrNull())
                .isEqualTo(Tep.ECDHE_X448);
    }

    /** A TEP repeated in an option is not valid (RFC 8548 defines no repetition); A never sends one twice. */
    @Test
    void aRepeatedTepIsNotValid() {
        assertThat(Negotiation8547.onSyn(parse("4505232321"), List.of(Tep.ECDHE_X25519, Tep.ECDHE_P256), OFF,
                ResumeLookup.NONE).outcome().tepOrNull()).isEqualTo(Tep.ECDHE_P256);
        byte[] data = new byte[17];
        EnoOption8547 resuming = EnoOption8547.syn(List.of(Tep.ECDHE_X25519, Tep.ECDHE_P256), 0, Tep.ECDHE_X25519, data);
        assertThat(resuming.tepIds()).containsExactly(0x21, 0x23);
        assertThat(resuming.repeated(0x23)).isFalse();
    }

    /** Length bytes: nnnnn + 1 data bytes; beyond the option, or followed by 0x00-0x9f: the option is ignored. */
    @Test
    void lengthBytesAreCheckedAsRfc8547Section44Says() {
        EnoOption8547 o = parse("450781a3aabb21");
        assertThat(o.tepIds()).containsExactly(0x23, 0x21);
        assertThat(EnoOption8547.parse(HEX.parseHex("450483a3")).errorOrNull()).isEqualTo(EnoError.LENGTH_BYTE_OVERRUN);
        assertThat(EnoOption8547.parse(HEX.parseHex("45058023aa")).errorOrNull()).isEqualTo(EnoError.LENGTH_BYTE_WITHOUT_TEP);
    }

    // ---------------------------------------------------------------- RFC 8548 §3.5: resumption

    private static CachedSession cached(Role role, byte[] ss) {
        return new CachedSession(Tep.ECDHE_X25519, SymCipher.AES_128_GCM, role, ss.clone(),
                SessionSecrets8548.half(ss, role.peer()));
    }

    /** B resumes on A's half with a 0-8 byte nonce; fewer than 9 bytes is a fresh offer of the TEP. */
    @Test
    void resumptionSuboptionsCarryAHalfAndANonce() {
        byte[] ss = new byte[32];
        Arrays.fill(ss, (byte) 9);
        byte[] aHalf = SessionSecrets8548.aHalf(ss);
        byte[] nonce = HEX.parseHex("0102030405060708");
        EnoOption8547 syn = EnoOption8547.syn(List.of(Tep.ECDHE_P256), 0, Tep.ECDHE_X25519, concat(aHalf, nonce));
        assertThat(syn.encodedLength()).isEqualTo(2 + 1 + 1 + 9 + 8);
        CachedSession atB = cached(Role.B, ss);
        ResumeLookup lookup = id -> Arrays.equals(id, aHalf) ? atB : null;
        var d = Negotiation8547.onSyn(syn, ALL, OFF, lookup);
        assertThat(d.outcome()).isInstanceOf(EnoOutcome.Resumed.class);
        assertThat(d.peerNonce()).isEqualTo(nonce);
        // 8 data bytes: v = 1 but under 9 bytes, a fresh offer
        var fresh = Negotiation8547.onSyn(parse("450ba3" + "0102030405060708"), ALL, OFF, id -> {
            throw new AssertionError("no lookup");
        });
        assertThat(fresh.outcome()).isEqualTo(new EnoOutcome.Negotiated(Tep.ECDHE_X25519, false));
    }

    /** A resumption answer whose half does not match is ignored: the earlier suboptions decide. */
    @Test
    void aMismatchedResumptionAnswerIsIgnored() {
        byte[] ss = new byte[32];
        CachedSession atA = cached(Role.A, ss);
        byte[] expected = SessionSecrets8548.bHalf(ss);
        EnoOption8547 aSyn = EnoOption8547.syn(List.of(Tep.ECDHE_P256), 0, Tep.ECDHE_X25519,
                SessionSecrets8548.aHalf(ss));
        byte[] wrong = expected.clone();
        wrong[0] ^= 1;
        EnoOption8547 onlyWrong = EnoOption8547.synAck(Tep.ECDHE_X25519, 0, wrong);
        assertThat(Negotiation8547.onSynAck(aSyn, onlyWrong, OFF, atA, expected).outcome())
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_COMMON_TEP));
        EnoOption8547 withEarlier = EnoOption8547.of(List.of(
                new dev.tuncrypt.tcpcrypt.eno.EnoSuboption(dev.tuncrypt.tcpcrypt.eno.EnoSuboption.Kind.GENERAL, 1, null, false),
                new dev.tuncrypt.tcpcrypt.eno.EnoSuboption(dev.tuncrypt.tcpcrypt.eno.EnoSuboption.Kind.TEP, 0x21, null, false),
                new dev.tuncrypt.tcpcrypt.eno.EnoSuboption(dev.tuncrypt.tcpcrypt.eno.EnoSuboption.Kind.TEP_WITH_DATA, 0x23, wrong, false)));
        assertThat(Negotiation8547.onSynAck(aSyn, withEarlier, OFF, atA, expected).outcome())
                .isEqualTo(new EnoOutcome.Negotiated(Tep.ECDHE_P256, false));
        byte[] nonceB = {7, 7, 7};
        var ok = Negotiation8547.onSynAck(aSyn, EnoOption8547.synAck(Tep.ECDHE_X25519, 0, concat(expected, nonceB)),
                OFF, atA, expected);
        assertThat(ok.outcome()).isInstanceOf(EnoOutcome.Resumed.class);
        assertThat(ok.peerNonce()).isEqualTo(nonceB);
    }

    /** sn = nonce_a | nonce_b changes the session ID and mk[0]; the keys stay with the original roles. */
    @Test
    void theSessionNonceEntersTheSessionIdAndTheMasterKey() {
        byte[] ss = new byte[32];
        var s1 = SessionSecrets8548.resume(cached(Role.A, ss), new byte[0]);
        var s2 = SessionSecrets8548.resume(cached(Role.A, ss), new byte[] {1});
        var sB = SessionSecrets8548.resume(cached(Role.B, ss), new byte[] {1});
        assertThat(s1.sessionId()).isNotEqualTo(s2.sessionId());
        assertThat(s1.masterKey()).isNotEqualTo(s2.masterKey());
        assertThat(s2.sessionId()).isEqualTo(sB.sessionId());
        assertThat(s2.sessionId().firstByte()).isEqualTo(0x23 | 0x80);
        assertThat(s2.keyRole()).isEqualTo(Role.A);
        assertThat(sB.keyRole()).isEqualTo(Role.B);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
