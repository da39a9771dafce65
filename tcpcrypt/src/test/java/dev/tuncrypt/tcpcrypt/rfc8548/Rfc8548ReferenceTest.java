package dev.tuncrypt.tcpcrypt.rfc8548;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.crypto.AgreementKeyPair;
import dev.tuncrypt.tcpcrypt.crypto.EcdhKeyPair;
import dev.tuncrypt.tcpcrypt.crypto.XdhKeyPair;
import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import dev.tuncrypt.tcpstack.testsupport.Requirements;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java engine against an independent reading of RFC 8547/8548:
 * {@code tools/rfc8548-reference/rfc8548_reference.py}, written from the RFC text with Debian's
 * python3-cryptography. For every TEP × AEAD it checks, byte for byte: the ENO options, the
 * public-key encodings, Init1/Init2, ES, ss[0], session IDs, mk[0], mk[1] and the traffic keys,
 * frames in both directions across a key update (A initiates, B answers with rekey = 1), ss[1],
 * resume[1], the resumption suboptions with 8-byte nonces and the resumed session, then ss[2]
 * resumed with empty nonces. In CI ({@code CI=true}) a missing python3 or cryptography fails.
 */
class Rfc8548ReferenceTest {
    private static final HexFormat HEX = HexFormat.of();
    private static Map<String, byte[]> ref;

    @BeforeAll
    static void runReference() throws Exception {
        Path script = findScript();
        String problem = null;
        if (!Files.isExecutable(Path.of(Requirements.PYTHON3))) {
            problem = "needs " + Requirements.PYTHON3 + " (apt-get install python3)";
        } else if (!runs(Requirements.PYTHON3, "-c", "import cryptography")) {
            problem = "needs python3-cryptography (apt-get install python3-cryptography)";
        }
        if (problem != null) {
            if (Requirements.inCi()) {
                fail(problem);
            }
            Assumptions.abort(problem);
        }
        Process p = new ProcessBuilder(Requirements.PYTHON3, script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("reference exit status").isZero();
        ref = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                int eq = line.indexOf('=');
                ref.put(line.substring(0, eq), HEX.parseHex(line.substring(eq + 1)));
            }
        }
        assertThat(ref).hasSizeGreaterThan(700);
    }

    private static Path findScript() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("tools/rfc8548-reference/rfc8548_reference.py");
            if (Files.exists(s)) {
                return s;
            }
        }
        throw new AssertionError("tools/rfc8548-reference/rfc8548_reference.py not found above " + Path.of("").toAbsolutePath());
    }

    private static boolean runs(String... cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] ref(String name) {
        byte[] v = ref.get(name);
        assertThat(v).as("reference value " + name).isNotNull();
        return v;
    }

    private static void same(String name, byte[] actual) {
        assertThat(HEX.formatHex(actual)).as(name).isEqualTo(HEX.formatHex(ref(name)));
    }

    private static final List<Tep> TEPS = List.of(Tep.ECDHE_P256, Tep.ECDHE_P521, Tep.ECDHE_X25519, Tep.ECDHE_X448);
    private static final Map<SymCipher, String> AEADS = Map.of(SymCipher.AES_128_GCM, "AES128GCM",
            SymCipher.AES_256_GCM, "AES256GCM", SymCipher.CHACHA20_POLY1305, "CHACHA20POLY1305");
    private static final Map<Tep, String> SCHEMES = Map.of(Tep.ECDHE_P256, "P256", Tep.ECDHE_P521, "P521",
            Tep.ECDHE_X25519, "X25519", Tep.ECDHE_X448, "X448");

    @Test
    void everyTepAndAeadMatchesTheReference() {
        int cases = 0;
        for (Tep tep : TEPS) {
            for (SymCipher aead : List.of(SymCipher.AES_128_GCM, SymCipher.AES_256_GCM, SymCipher.CHACHA20_POLY1305)) {
                checkCase(tep, aead, SCHEMES.get(tep) + "." + AEADS.get(aead));
                cases++;
            }
        }
        assertThat(cases).isEqualTo(12);
    }

    private static AgreementKeyPair keyPair(Tep tep, byte[] priv) {
        return tep.montgomery() ? XdhKeyPair.fromPrivateKey(tep, priv) : EcdhKeyPair.fromPrivateKey(tep, priv);
    }

    private static void checkCase(Tep tep, SymCipher aead, String p) {
        assertThat(ref(p + ".tep")[0] & 0xff).isEqualTo(tep.id());
        AgreementKeyPair a = keyPair(tep, ref(p + ".private_a"));
        AgreementKeyPair b = keyPair(tep, ref(p + ".private_b"));
        byte[] nA = ref(p + ".n_a");
        byte[] nB = ref(p + ".n_b");

        // RFC 8547: A's SYN (implicit global suboption), B's SYN-ACK (b = 1, the one TEP)
        EnoOption8547 aSyn = EnoOption8547.syn(List.of(Tep.ECDHE_X25519, Tep.ECDHE_X448, Tep.ECDHE_P256, Tep.ECDHE_P521),
                0, null, null);
        EnoOption8547 bSyn = EnoOption8547.synAck(tep, 0, null);
        same(p + ".a_syn", aSyn.encode());
        same(p + ".b_syn", bSyn.encode());
        byte[] transcript = Negotiation8547.transcript(aSyn, bSyn);

        // RFC 8548 §4.1, §5: Init messages and public keys
        same(p + ".pub_a", PublicKeys8548.encode(a));
        same(p + ".pub_b", PublicKeys8548.encode(b));
        Init1Message init1 = Init1Message.create(tep,
                List.of(SymCipher.AES_128_GCM, SymCipher.CHACHA20_POLY1305, SymCipher.AES_256_GCM), nA,
                PublicKeys8548.encode(a));
        same(p + ".init1", init1.encoded());
        var accepted = KeyExchange8548.onInit1(tep, init1.encoded(), List.of(aead), transcript, nB, b).valueOrNull();
        assertThat(accepted).as(p + " Init1 accepted").isNotNull();
        same(p + ".init2", accepted.init2().encoded());
        same(p + ".es", PublicKeys8548.agree(a, PublicKeys8548.encode(b)).valueOrNull());
        SessionSecrets8548 sa = KeyExchange8548.onInit2(init1, a, accepted.init2().encoded(), transcript,
                List.of(SymCipher.AES_128_GCM, SymCipher.CHACHA20_POLY1305, SymCipher.AES_256_GCM)).valueOrNull();
        SessionSecrets8548 sb = accepted.secrets();
        assertThat(sa).as(p + " Init2 accepted").isNotNull();
        same(p + ".ss0", sa.secret());
        same(p + ".ss0", sb.secret());
        checkSession(p + ".fresh", sa, sb, init1.encoded().length, accepted.init2().encoded().length);

        // RFC 8548 §3.5: ss[1], resume[1], the resumption suboptions with nonces, the resumed session
        CachedSession ca = sa.toCacheEntry();
        CachedSession cb = sb.toCacheEntry();
        same(p + ".ss1", ca.secret());
        same(p + ".ss1", cb.secret());
        same(p + ".resume1", SessionSecrets8548.resumeIdentifier(ca.secret()));
        assertThat(cb.resumeId()).as("B looks the session up by A's half").isEqualTo(SessionSecrets8548.aHalf(ca.secret()));
        byte[] nonceA = ref(p + ".nonce_a");
        byte[] nonceB = ref(p + ".nonce_b");
        same(p + ".resumed.a_syn", EnoOption8547.syn(List.of(tep), 0, tep,
                concat(SessionSecrets8548.half(ca.secret(), ca.role()), nonceA)).encode());
        same(p + ".resumed.b_syn", EnoOption8547.synAck(tep, 0,
                concat(SessionSecrets8548.half(cb.secret(), cb.role()), nonceB)).encode());
        byte[] sn = SessionSecrets8548.sessionNonce(nonceA, nonceB);
        SessionSecrets8548 ra = SessionSecrets8548.resume(ca, sn);
        SessionSecrets8548 rb = SessionSecrets8548.resume(cb, sn);
        checkSession(p + ".resumed", ra, rb, 0, 0);

        // ss[2] with empty nonces
        CachedSession ca2 = ra.toCacheEntry();
        CachedSession cb2 = rb.toCacheEntry();
        same(p + ".ss2", ca2.secret());
        same(p + ".resume2", SessionSecrets8548.resumeIdentifier(cb2.secret()));
        same(p + ".resumed0.a_syn", EnoOption8547.syn(List.of(), 0, tep,
                SessionSecrets8548.half(ca2.secret(), Role.A)).encode());
        same(p + ".resumed0.b_syn", EnoOption8547.synAck(tep, 0, SessionSecrets8548.half(cb2.secret(), Role.B)).encode());
        checkSession(p + ".resumed0", SessionSecrets8548.resume(ca2, new byte[0]),
                SessionSecrets8548.resume(cb2, new byte[0]), 0, 0);
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] r = java.util.Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }

    /** Keys, session ID and the frames of both directions across a key update. */
    private static void checkSession(String p, SessionSecrets8548 sa, SessionSecrets8548 sb, long aOffset, long bOffset) {
        same(p + ".session_id", sa.sessionId().bytes());
        same(p + ".session_id", sb.sessionId().bytes());
        byte[] mk0 = sa.masterKey();
        same(p + ".mk0", mk0);
        same(p + ".mk0", sb.masterKey());
        byte[] mk1 = FrameAead8548.nextMasterKey(mk0);
        same(p + ".mk1", mk1);
        SymCipher c = sa.cipher();
        same(p + ".k_ab0", FrameAead8548.trafficKey(mk0, Role.A, c));
        same(p + ".k_ba0", FrameAead8548.trafficKey(mk0, Role.B, c));
        same(p + ".k_ab1", FrameAead8548.trafficKey(mk1, Role.A, c));
        same(p + ".k_ba1", FrameAead8548.trafficKey(mk1, Role.B, c));

        FrameSealer8548 sealA = sa.newSealer(0);
        FrameSealer8548 sealB = sb.newSealer(0);
        FrameOpener8548 openA = sa.newOpener();
        FrameOpener8548 openB = sb.newOpener();
        // A: generation 0, then initiates re-keying, then its FINp frame
        long oa = aOffset;
        byte[] f1 = seal(sealA, "data from A under generation 0", 0, oa);
        same(p + ".a_frame1", f1);
        sealA.requestRekey();
        byte[] f2 = seal(sealA, "A after its key update", 0, oa += f1.length);
        same(p + ".a_frame2", f2);
        byte[] f3 = seal(sealA, "", Rfc8548.FLAG_FINAL, oa += f2.length);
        same(p + ".a_frame3", f3);
        // B: generation 0; opening A's rekey = 1 frame moves its remote generation to 1, so it owes
        // a frame with rekey = 1 under generation 1 (RFC 8548 §3.8), sent empty
        long ob = bOffset;
        byte[] g1 = seal(sealB, "data from B under generation 0", 0, ob);
        same(p + ".b_frame1", g1);
        assertThat(open(openB, f1, aOffset)).isEqualTo("data from A under generation 0");
        assertThat(sealB.followRemote(openB.generation())).isFalse();
        assertThat(open(openB, f2, aOffset + f1.length)).isEqualTo("A after its key update");
        assertThat(openB.generation()).isEqualTo(1);
        assertThat(sealB.followRemote(openB.generation())).as("rekey answered").isTrue();
        byte[] g2 = seal(sealB, "", 0, ob += g1.length);
        same(p + ".b_frame2", g2);
        assertThat(sealB.rekeyOwed()).isFalse();
        assertThat(open(openB, f3, aOffset + f1.length + f2.length)).isEmpty();
        assertThat(openB.fin()).isTrue();
        byte[] g3 = seal(sealB, "bye", Rfc8548.FLAG_FINAL, ob += g2.length);
        same(p + ".b_frame3", g3);
        // A opens B's frames; B's answer moves A's remote generation to 1, equal to its local one
        assertThat(open(openA, g1, bOffset)).isEqualTo("data from B under generation 0");
        assertThat(open(openA, g2, bOffset + g1.length)).isEmpty();
        assertThat(openA.generation()).isEqualTo(1);
        assertThat(sealA.followRemote(openA.generation())).as("no answer to an answer").isFalse();
        assertThat(open(openA, g3, bOffset + g1.length + g2.length)).isEqualTo("bye");
        assertThat(openA.fin()).isTrue();
    }

    private static byte[] seal(FrameSealer8548 s, String data, int flags, long offset) {
        byte[] d = data.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer dst = ByteBuffer.allocate(FrameSealer8548.frameLength(d.length));
        s.seal(ByteBuffer.wrap(d), flags, offset, dst);
        return dst.array();
    }

    private static String open(FrameOpener8548 o, byte[] frame, long offset) {
        ByteBuffer dst = ByteBuffer.allocate(frame.length);
        FrameStatus8548 st = o.open(ByteBuffer.wrap(frame), offset, dst);
        assertThat(st).isEqualTo(FrameStatus8548.OK);
        return new String(dst.array(), 0, dst.position(), StandardCharsets.US_ASCII);
    }
}
