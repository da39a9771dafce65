package dev.tuncrypt.tcpcrypt.rfc8548;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.crypto.AgreementKeyPair;
import dev.tuncrypt.tcpcrypt.v05.CachedSession;
import dev.tuncrypt.tcpcrypt.v05.EnoError;
import dev.tuncrypt.tcpcrypt.v05.EnoNegotiation.ResumeLookup;
import dev.tuncrypt.tcpcrypt.v05.EnoOutcome;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The rfc8548 wire codecs against hand-built bytes, each case citing the RFC section it follows. */
class Rfc8548CodecTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    private static EnoOption8547 eno(String hex) {
        return EnoOption8547.parse(hex(hex)).orElseThrow();
    }

    // ------------------------------------------------------------------ RFC 8547 §4.1 option

    @Test
    void synOptionListsGeneralThenTepsThenResumption() {
        assertThat(EnoOption8547.syn(List.of(Tep.ECDHE_P256, Tep.ECDHE_X25519), 0, null, null).toString()).isEqualTo("45042123");
        assertThat(EnoOption8547.syn(List.of(Tep.ECDHE_P256), Rfc8548.GENERAL_AA_AWARE, null, null).toString())
                .isEqualTo("45040221");
        byte[] half = hex("010203040506070809");
        // the resumption suboption last (its data runs to the end); the TEP keeps its place as well
        assertThat(EnoOption8547.syn(List.of(Tep.ECDHE_X25519, Tep.ECDHE_P256), 0, Tep.ECDHE_X25519, half).toString())
                .isEqualTo("450e2321a3010203040506070809");
        assertThat(EnoOption8547.synAck(Tep.ECDHE_X448, 0, null).toString()).isEqualTo("450324");
        assertThat(EnoOption8547.synAck(Tep.ECDHE_X448, 0, half).toString()).isEqualTo("450ca4010203040506070809");
        assertThat(EnoOption8547.MINIMAL.toString()).isEqualTo("4502");
    }

    @Test
    void parseReadsEveryKindOfSuboption() {
        EnoOption8547 o = eno("4509 07 21 22 81 a3 aabb");
        assertThat(o.roleB()).isTrue(); // 0x07: b = 1, aa = 11
        assertThat(o.applicationAware()).isEqualTo(3);
        assertThat(o.tepIds()).containsExactly(0x21, 0x22, 0x23);
        assertThat(o.suboptions().get(3).data()).containsExactly(0xaa, 0xbb);
        assertThat(o.suboptions().get(3).lengthByte()).isTrue();
        assertThat(eno("4502").isMinimal()).isTrue();
        assertThat(eno("4506 a1 0102 03").suboptions().getFirst().data()).containsExactly(1, 2, 3);
    }

    @Test
    void malformedOptionsAreTypedErrors() {
        assertThat(EnoOption8547.parse(hex("4503")).errorOrNull()).isEqualTo(EnoError.BAD_OPTION_LENGTH);
        assertThat(EnoOption8547.parse(hex("4601")).errorOrNull()).isEqualTo(EnoError.BAD_OPTION_LENGTH);
        assertThat(EnoOption8547.parse(hex("4602")).errorOrNull()).isEqualTo(EnoError.NOT_EXPERIMENTAL_KIND);
        assertThat(EnoOption8547.parse(hex("45048121")).errorOrNull()).isEqualTo(EnoError.LENGTH_BYTE_WITHOUT_TEP);
        assertThat(EnoOption8547.parse(hex("450583a101")).errorOrNull()).isEqualTo(EnoError.LENGTH_BYTE_OVERRUN);
        byte[] tooLong = new byte[41];
        tooLong[0] = 0x45;
        tooLong[1] = 41;
        assertThat(EnoOption8547.parse(tooLong).errorOrNull()).isEqualTo(EnoError.TOO_LONG);
    }

    // ------------------------------------------------------------------ RFC 8547 §4.6 negotiation

    @Test
    void roleBPicksTheFirstOfAsTepsItSupports() {
        var o = Negotiation8547.onSyn(eno("4505 24 23 21"), List.of(Tep.ECDHE_P256, Tep.ECDHE_X25519), false, ResumeLookup.NONE);
        assertThat(o).isEqualTo(new EnoOutcome.Negotiated(Tep.ECDHE_X25519, false));
        assertThat(Negotiation8547.onSyn(eno("4503 7f"), List.of(Tep.ECDHE_P256), false, ResumeLookup.NONE))
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_COMMON_TEP));
        assertThat(Negotiation8547.onSyn(null, List.of(Tep.ECDHE_P256), false, ResumeLookup.NONE))
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION));
    }

    @Test
    void roleATakesTheLastValidTepOfBsOption() {
        EnoOption8547 sent = eno("4505 21 22 23");
        // RFC 8547: the last TEP suboption of B's option that A also offered; 0x24 was not offered
        assertThat(Negotiation8547.onSynAck(sent, eno("4506 21 23 22 24"), false, null, null))
                .isEqualTo(new EnoOutcome.Negotiated(Tep.ECDHE_P521, false));
        assertThat(Negotiation8547.onSynAck(sent, eno("4503 24"), false, null, null))
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_COMMON_TEP));
        // the aa bits of B's general suboption
        assertThat(Negotiation8547.onSynAck(sent, eno("4504 02 21"), false, null, null))
                .isEqualTo(new EnoOutcome.Negotiated(Tep.ECDHE_P256, true));
    }

    @Test
    void mandatoryApplicationAwareDisablesEnoForAnUnawareApplication() {
        assertThat(Negotiation8547.onSyn(eno("4504 06 21"), List.of(Tep.ECDHE_P256), false, ResumeLookup.NONE))
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MANDATORY_APP_AWARE));
        assertThat(Negotiation8547.onSyn(eno("4504 06 21"), List.of(Tep.ECDHE_P256), true, ResumeLookup.NONE))
                .isEqualTo(new EnoOutcome.Negotiated(Tep.ECDHE_P256, true));
    }

    @Test
    void simultaneousOpenRolesFollowTheBBit() {
        EnoOption8547 withB = eno("4504 01 21");
        EnoOption8547 without = eno("4503 21");
        assertThat(Negotiation8547.simultaneousRoles(withB, without)).isEqualTo(Role.B);
        assertThat(Negotiation8547.simultaneousRoles(without, withB)).isEqualTo(Role.A);
        assertThat(Negotiation8547.simultaneousRoles(withB, withB)).isNull();
        assertThat(Negotiation8547.simultaneousRoles(without, without)).isNull();
    }

    @Test
    void transcriptIsAsOptionThenBsOptionWhole() {
        assertThat(HEX.formatHex(Negotiation8547.transcript(eno("4505212223"), eno("450322")))).isEqualTo("4505212223450322");
    }

    @Test
    void resumptionUsesTheHalvesOfResume() {
        byte[] ss = new byte[32];
        Arrays.fill(ss, (byte) 7);
        byte[] resume = Hkdf.cprf(ss, 0x06, 18); // RFC 8548 §3.5: CPRF(ss[i], CONST_RESUME, 18)
        byte[] aHalf = Arrays.copyOfRange(resume, 0, 9);
        byte[] bHalf = Arrays.copyOfRange(resume, 9, 18);
        assertThat(SessionSecrets8548.aHalf(ss)).isEqualTo(aHalf);
        assertThat(SessionSecrets8548.bHalf(ss)).isEqualTo(bHalf);
        CachedSession cached = new CachedSession(Tep.ECDHE_X25519, SymCipher.AES_128_GCM, Role.B, ss.clone(), aHalf);
        ResumeLookup lookup = id -> Arrays.equals(id, aHalf) ? cached : null;
        EnoOption8547 syn = EnoOption8547.syn(List.of(Tep.ECDHE_X25519), 0, Tep.ECDHE_X25519, aHalf);
        assertThat(Negotiation8547.onSyn(syn, List.of(Tep.ECDHE_X25519), false, lookup)).isInstanceOf(EnoOutcome.Resumed.class);
        // role A: B's echo must be the second half, anything else is not a resumption A offered
        CachedSession offered = new CachedSession(Tep.ECDHE_X25519, SymCipher.AES_128_GCM, Role.A, ss.clone(), aHalf);
        assertThat(Negotiation8547.onSynAck(syn, EnoOption8547.synAck(Tep.ECDHE_X25519, 0, bHalf), false, offered, bHalf))
                .isInstanceOf(EnoOutcome.Resumed.class);
        assertThat(Negotiation8547.onSynAck(syn, EnoOption8547.synAck(Tep.ECDHE_X25519, 0, aHalf), false, offered, bHalf))
                .isEqualTo(new EnoOutcome.NotNegotiated(EnoOutcome.Reason.UNSOLICITED_RESUME));
        // a resumed session ID starts with TEP|0x80 (RFC 8547 §5.1: the v bit as B sent it)
        try (SessionSecrets8548 s = SessionSecrets8548.resume(offered)) {
            assertThat(s.sessionId().firstByte()).isEqualTo(0xa3);
        }
        assertThat(offered.isClosed()).isTrue();
    }

    // ------------------------------------------------------------------ RFC 8548 §4.1 Init messages

    @Test
    void init1LayoutByHand() {
        byte[] na = new byte[32];
        Arrays.fill(na, (byte) 0xaa);
        byte[] pk = new byte[32];
        Arrays.fill(pk, (byte) 0x55);
        Init1Message m = Init1Message.create(Tep.ECDHE_X25519, List.of(SymCipher.AES_128_GCM, SymCipher.CHACHA20_POLY1305), na, pk);
        String expected = "15101a0e" + "0000004d" + "02" + "0001" + "0010" + "aa".repeat(32) + "55".repeat(32);
        assertThat(HEX.formatHex(m.encoded())).isEqualTo(expected);
        assertThat(Init1Message.length(Tep.ECDHE_P256, 1)).isEqualTo(9 + 2 + 32 + 65);
        assertThat(Init1Message.length(Tep.ECDHE_P521, 1)).isEqualTo(9 + 2 + 32 + 133);
        assertThat(Init1Message.length(Tep.ECDHE_X448, 1)).isEqualTo(9 + 2 + 32 + 56);
        // trailing "ignored" bytes are accepted when message_len counts them
        byte[] longer = Arrays.copyOf(hex(expected), 77 + 5);
        ByteBuffer.wrap(longer).putInt(4, longer.length);
        Init1Message parsed = Init1Message.parse(Tep.ECDHE_X25519, longer).orElseThrow();
        assertThat(parsed.ignoredLength()).isEqualTo(5);
        assertThat(parsed.cipherIds()).containsExactly(0x0001, 0x0010);
        assertThat(parsed.publicKey()).isEqualTo(pk);
        assertThat(parsed.nonce()).isEqualTo(na);
        assertThat(parsed.chooseCipher(List.of(SymCipher.CHACHA20_POLY1305))).isEqualTo(SymCipher.CHACHA20_POLY1305);
    }

    @Test
    void init1RejectionsAreTyped() {
        byte[] good = Init1Message.create(Tep.ECDHE_X25519, List.of(SymCipher.AES_128_GCM), new byte[32], new byte[32]).encoded();
        byte[] badMagic = good.clone();
        badMagic[0] = 0;
        assertThat(Init1Message.parse(Tep.ECDHE_X25519, badMagic).errorOrNull()).isEqualTo(InitError8548.BAD_MAGIC);
        byte[] wrongLen = good.clone();
        ByteBuffer.wrap(wrongLen).putInt(4, good.length + 1);
        assertThat(Init1Message.parse(Tep.ECDHE_X25519, wrongLen).errorOrNull()).isEqualTo(InitError8548.BAD_LENGTH);
        byte[] noCiphers = good.clone();
        noCiphers[8] = 0;
        assertThat(Init1Message.parse(Tep.ECDHE_X25519, noCiphers).errorOrNull()).isEqualTo(InitError8548.NO_CIPHERS);
        // a P-256 key does not fit an X25519-sized message
        assertThat(Init1Message.parse(Tep.ECDHE_P256, good).errorOrNull()).isEqualTo(InitError8548.BAD_LENGTH);
        assertThat(Init1Message.parse(Tep.ECDHE_X25519, Arrays.copyOf(good, 6)).errorOrNull()).isEqualTo(InitError8548.TRUNCATED);
    }

    @Test
    void init2LayoutByHand() {
        byte[] nb = new byte[32];
        Arrays.fill(nb, (byte) 0xbb);
        byte[] pk = new byte[56];
        Arrays.fill(pk, (byte) 0x66);
        Init2Message m = Init2Message.create(Tep.ECDHE_X448, SymCipher.AES_256_GCM, nb, pk);
        assertThat(HEX.formatHex(m.encoded())).isEqualTo("097105e0" + "00000062" + "0002" + "bb".repeat(32) + "66".repeat(56));
        assertThat(Init2Message.parse(Tep.ECDHE_X448, m.encoded(), List.of(SymCipher.AES_256_GCM)).orElseThrow().cipher())
                .isEqualTo(SymCipher.AES_256_GCM);
        assertThat(Init2Message.parse(Tep.ECDHE_X448, m.encoded(), List.of(SymCipher.AES_128_GCM)).errorOrNull())
                .isEqualTo(InitError8548.CIPHER_NOT_OFFERED);
    }

    /** Full handshake both ways with a real key pair per side: equal secrets, and the PRK as RFC 8548 §3.3 defines it. */
    @Test
    void keyExchangeAgreesAndFollowsTheKeySchedule() throws Exception {
        SecureRandom random = new SecureRandom();
        for (Tep tep : Tep.values()) {
            AgreementKeyPair a = AgreementKeyPair.generate(tep, random);
            AgreementKeyPair b = AgreementKeyPair.generate(tep, random);
            byte[] na = new byte[32];
            byte[] nb = new byte[32];
            random.nextBytes(na);
            random.nextBytes(nb);
            byte[] transcript = hex("4503" + Integer.toHexString(tep.id()) + "4503" + Integer.toHexString(tep.id()));
            Init1Message init1 = Init1Message.create(tep, List.of(SymCipher.CHACHA20_POLY1305), na, a.publicKeyBytes());
            var accepted = KeyExchange8548.onInit1(tep, init1.encoded(), List.of(SymCipher.CHACHA20_POLY1305), transcript, nb, b)
                    .orElseThrow();
            var secretsA = KeyExchange8548.onInit2(init1, a, accepted.init2().encoded(), transcript,
                    List.of(SymCipher.CHACHA20_POLY1305)).orElseThrow();
            assertThat(secretsA.sessionId()).isEqualTo(accepted.secrets().sessionId());
            assertThat(secretsA.trafficKey(Role.A)).isEqualTo(accepted.secrets().trafficKey(Role.A));
            assertThat(secretsA.trafficKey(Role.A)).isNotEqualTo(secretsA.trafficKey(Role.B));
            // recompute independently: PRK = HMAC(N_A, transcript | Init1 | Init2 | ES), SID = T(1) of Expand(PRK, 02)
            byte[] es = a.agreeWith(b.publicKeyBytes()).orElseThrow();
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(na, "HmacSHA256"));
            mac.update(transcript);
            mac.update(init1.encoded());
            mac.update(accepted.init2().encoded());
            byte[] prk = mac.doFinal(es);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            byte[] sid = mac.doFinal(new byte[] {0x02, 0x01});
            byte[] expectedSid = new byte[33];
            expectedSid[0] = (byte) tep.id();
            System.arraycopy(sid, 0, expectedSid, 1, 32);
            assertThat(secretsA.sessionId().bytes()).isEqualTo(expectedSid);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            assertThat(secretsA.trafficKey(Role.B)).isEqualTo(mac.doFinal(new byte[] {0x05, 0x01}));
            secretsA.close();
            assertThatThrownBy(() -> secretsA.trafficKey(Role.A)).isInstanceOf(IllegalStateException.class);
        }
    }

    // ------------------------------------------------------------------ RFC 8548 §4.2 frames

    @Test
    void nonceIsDataThenOffsetBigEndian() {
        assertThat(HEX.formatHex(FrameAead8548.nonce(0x0102030405060708L))).isEqualTo("444154410102030405060708");
        assertThat(HEX.formatHex(FrameAead8548.nonce(77))).isEqualTo("44415441000000000000004d");
    }

    /** RFC 8548 §4.2-4.3: control | length | AEAD(flags | data), AAD = control | length. */
    @Test
    void aFrameIsControlLengthThenAeadOutputWithTheHeaderAsAad() throws Exception {
        byte[] key = new byte[16];
        Arrays.fill(key, (byte) 0x11);
        ByteBuffer frame = ByteBuffer.allocate(64);
        try (FrameSealer8548 sealer = new FrameSealer8548(SymCipher.AES_128_GCM, key, 0)) {
            assertThat(sealer.seal(ByteBuffer.wrap("hello".getBytes()), 1000, frame)).isEqualTo(3 + 1 + 5 + 16);
        }
        frame.flip();
        assertThat(HEX.formatHex(frame.array(), 0, 3)).isEqualTo("000016");
        // the same with the JDK directly: AES-GCM, nonce DATA || offset, AAD = the 3 header bytes,
        // plaintext = flags byte 00 then the data
        javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        c.init(javax.crypto.Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"),
                new javax.crypto.spec.GCMParameterSpec(128, FrameAead8548.nonce(1000)));
        c.updateAAD(hex("000016"));
        assertThat(Arrays.copyOfRange(frame.array(), 3, 25)).isEqualTo(c.doFinal(hex("00" + "68656c6c6f")));
        try (FrameOpener8548 opener = new FrameOpener8548(SymCipher.AES_128_GCM, key)) {
            ByteBuffer out = ByteBuffer.allocate(64);
            assertThat(opener.open(frame.duplicate(), 1000, out)).isEqualTo(FrameStatus8548.OK);
            assertThat(new String(out.array(), 0, out.position())).isEqualTo("hello");
            // any other offset, any changed header bit: the tag fails and nothing is released
            assertThat(opener.open(frame.duplicate(), 1001, out.clear())).isEqualTo(FrameStatus8548.TAG_MISMATCH);
            assertThat(out.position()).isZero();
            ByteBuffer flipped = ByteBuffer.wrap(frame.array().clone(), 0, frame.limit());
            flipped.put(0, (byte) 0x80);
            assertThat(opener.open(flipped, 1000, out.clear())).isEqualTo(FrameStatus8548.TAG_MISMATCH);
            assertThat(opener.open(ByteBuffer.wrap(frame.array(), 0, 10), 1000, out.clear())).isEqualTo(FrameStatus8548.BAD_LENGTH);
        }
    }

    @Test
    void chachaFramesUseTheSameNonceAndAad() throws Exception {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 0x22);
        ByteBuffer frame = ByteBuffer.allocate(64);
        try (FrameSealer8548 sealer = new FrameSealer8548(SymCipher.CHACHA20_POLY1305, key, 0)) {
            sealer.seal(ByteBuffer.wrap("abc".getBytes()), Rfc8548.FLAG_FINAL, 5, frame);
        }
        javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("ChaCha20-Poly1305");
        c.init(javax.crypto.Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"),
                new javax.crypto.spec.IvParameterSpec(FrameAead8548.nonce(5)));
        c.updateAAD(hex("000014"));
        assertThat(Arrays.copyOfRange(frame.array(), 0, 3)).isEqualTo(hex("000014"));
        // FINAL (0x01) in the flags byte
        assertThat(Arrays.copyOfRange(frame.array(), 3, 23)).isEqualTo(c.doFinal(hex("01" + "616263")));
        frame.flip();
        try (FrameOpener8548 opener = new FrameOpener8548(SymCipher.CHACHA20_POLY1305, key)) {
            ByteBuffer out = ByteBuffer.allocate(64);
            assertThat(opener.open(frame, 5, out)).isEqualTo(FrameStatus8548.OK);
            assertThat(opener.fin()).isTrue();
            assertThat(new String(out.array(), 0, out.position())).isEqualTo("abc");
        }
    }

    /** §4.3: URGENT carries a u16 urgent offset after the flags byte; the data follows it. */
    @Test
    void urgentOffsetAndMissingFlagsByHand() throws Exception {
        byte[] key = new byte[16];
        javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        c.init(javax.crypto.Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"),
                new javax.crypto.spec.GCMParameterSpec(128, FrameAead8548.nonce(0)));
        c.updateAAD(hex("000014"));
        byte[] body = c.doFinal(hex("02" + "0005" + "64")); // URGENT, offset 5, data "d"
        ByteBuffer frame = ByteBuffer.allocate(3 + body.length).put(hex("000014")).put(body).flip();
        try (FrameOpener8548 opener = new FrameOpener8548(SymCipher.AES_128_GCM, key)) {
            ByteBuffer out = ByteBuffer.allocate(64);
            assertThat(opener.open(frame, 0, out)).isEqualTo(FrameStatus8548.OK);
            assertThat(opener.urgentOffset()).isEqualTo(5);
            assertThat(opener.fin()).isFalse();
            assertThat(new String(out.array(), 0, out.position())).isEqualTo("d");
            // an authentic frame with an empty plaintext has no flags byte
            c.init(javax.crypto.Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new javax.crypto.spec.GCMParameterSpec(128, FrameAead8548.nonce(100)));
            c.updateAAD(hex("000010"));
            byte[] tagOnly = c.doFinal(new byte[0]);
            ByteBuffer empty = ByteBuffer.allocate(19).put(hex("000010")).put(tagOnly).flip();
            assertThat(opener.open(empty, 100, out.clear())).isEqualTo(FrameStatus8548.MISSING_FLAGS);
            assertThat(out.position()).isZero();
        }
    }

    @Test
    void aSealerNeverReusesAnOffset() {
        try (FrameSealer8548 sealer = new FrameSealer8548(SymCipher.AES_128_GCM, new byte[16], 0)) {
            ByteBuffer dst = ByteBuffer.allocate(256);
            sealer.seal(ByteBuffer.wrap(new byte[10]), 0, dst); // 3 + 1 + 10 + 16 = 30 bytes
            assertThatThrownBy(() -> sealer.seal(ByteBuffer.wrap(new byte[10]), 29, dst)).isInstanceOf(IllegalStateException.class);
            sealer.seal(ByteBuffer.wrap(new byte[10]), 30, dst);
        }
    }

    /** RFC 8548 §3.8: the rekey bit marks the first frame under CPRF(key, CONST_REKEY, keylen). */
    @Test
    void rekeyBitMovesBothEndsToTheNextKey() throws Exception {
        byte[] key = new byte[16];
        Arrays.fill(key, (byte) 0x33);
        try (FrameSealer8548 sealer = new FrameSealer8548(SymCipher.AES_128_GCM, key, 20);
                FrameOpener8548 opener = new FrameOpener8548(SymCipher.AES_128_GCM, key)) {
            long offset = 0;
            int[] controls = new int[4];
            for (int i = 0; i < 4; i++) {
                ByteBuffer f = ByteBuffer.allocate(64);
                int n = sealer.seal(ByteBuffer.wrap(new byte[15]), offset, f);
                f.flip();
                controls[i] = f.get(0);
                ByteBuffer out = ByteBuffer.allocate(64);
                assertThat(opener.open(f, offset, out)).isEqualTo(FrameStatus8548.OK);
                offset += n;
            }
            // 15 + 15 >= 20: the third frame re-keys, then again after two more
            assertThat(controls).containsExactly(0, 0, 1, 0);
            assertThat(sealer.rekeys()).isEqualTo(1);
            assertThat(opener.rekeys()).isEqualTo(1);
            // the frame after a re-key is sealed under CPRF(k, 0x03, 16)
            byte[] next = Hkdf.cprf(key, 0x03, 16);
            ByteBuffer f = ByteBuffer.allocate(64);
            sealer.requestRekey();
            sealer.seal(ByteBuffer.wrap("x".getBytes()), offset, f);
            f.flip();
            byte[] third = Hkdf.cprf(next, 0x03, 16);
            javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
            c.init(javax.crypto.Cipher.DECRYPT_MODE, new SecretKeySpec(third, "AES"),
                    new javax.crypto.spec.GCMParameterSpec(128, FrameAead8548.nonce(offset)));
            c.updateAAD(Arrays.copyOfRange(f.array(), 0, 3));
            assertThat(c.doFinal(f.array(), 3, f.limit() - 3)).containsExactly(0, 'x');
            assertThat(f.get(0)).isEqualTo((byte) 1);
        }
    }

    /** A forged rekey bit fails the tag and leaves the opener on its current key. */
    @Test
    void aForgedRekeyBitDoesNotMoveTheOpener() {
        byte[] key = new byte[16];
        try (FrameSealer8548 sealer = new FrameSealer8548(SymCipher.AES_128_GCM, key, 0);
                FrameOpener8548 opener = new FrameOpener8548(SymCipher.AES_128_GCM, key)) {
            ByteBuffer f = ByteBuffer.allocate(64);
            int n = sealer.seal(ByteBuffer.wrap(new byte[5]), 0, f);
            f.flip();
            ByteBuffer forged = ByteBuffer.wrap(f.array().clone(), 0, n);
            forged.put(0, (byte) 1);
            assertThat(opener.open(forged, 0, ByteBuffer.allocate(64))).isEqualTo(FrameStatus8548.TAG_MISMATCH);
            assertThat(opener.rekeys()).isZero();
            assertThat(opener.open(f, 0, ByteBuffer.allocate(64))).isEqualTo(FrameStatus8548.OK);
        }
    }
}
