package dev.tuncrypt.tcpcrypt.v05;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.crypto.EcdhKeyPair;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Init1/Init2, ES, ss, SID, mk, nk and keys of the full-handshake golden vectors, byte for byte,
 * built from the recorded nonces and private keys and parsed from the recorded messages.
 */
class HandshakeVectorTest {
    static final List<SymCipher> REFERENCE_CIPHERS = List.of(SymCipher.AES_128_GCM, SymCipher.AES_256_GCM);

    static Stream<Vector> full() {
        return Vector.full();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("full")
    void init1IsBuiltFromTheRecordedNonceAndKey(Vector v) {
        try (EcdhKeyPair a = EcdhKeyPair.fromPrivateKey(v.tep(), v.bytes("client_ec_private_key_hex"))) {
            assertThat(Vector.hex(a.publicKey().encoded())).isEqualTo(v.hexString("init1_fields.pubkey_a_point"));
            Init1 init1 = Init1.create(v.tep(), REFERENCE_CIPHERS, v.bytes("init1_fields.nonce_a"), a.publicKey());
            assertThat(Vector.hex(init1.encoded())).isEqualTo(v.hexString("init1_hex"));
            assertThat(init1.length()).isEqualTo(v.node("init1_fields.message_len").asInt())
                    .isEqualTo(v.node("ack_with_init1.payload_len").asInt());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("full")
    void init1IsParsed(Vector v) {
        ByteBuffer src = ByteBuffer.wrap(v.bytes("init1_hex"));
        Init1 init1 = Init1.parse(v.tep(), src).orElseThrow();
        assertThat(src.hasRemaining()).isFalse();
        assertThat(init1.cipherIds()).containsExactly(0x01, 0x02);
        assertThat(v.node("init1_fields.nciphers").asInt()).isEqualTo(2);
        assertThat(Vector.hex(init1.nonce())).isEqualTo(v.hexString("init1_fields.nonce_a"));
        assertThat(Vector.hex(init1.publicKey().encoded())).isEqualTo(v.hexString("init1_fields.pubkey_a_point"));
        assertThat(init1.chooseCipher(REFERENCE_CIPHERS)).isEqualTo(SymCipher.AES_128_GCM);
        assertThat(Init1.declaredLength(ByteBuffer.wrap(v.bytes("init1_hex")))).isEqualTo(init1.length());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("full")
    void init2IsBuiltAndParsed(Vector v) {
        try (EcdhKeyPair b = EcdhKeyPair.fromPrivateKey(v.tep(), v.bytes("server_ec_private_key_hex"))) {
            assertThat(Vector.hex(b.publicKey().encoded())).isEqualTo(v.hexString("init2_fields.pubkey_b_point"));
            Init2 built = Init2.create(v.tep(), SymCipher.AES_128_GCM, v.bytes("init2_fields.nonce_b"), b.publicKey());
            assertThat(Vector.hex(built.encoded())).isEqualTo(v.hexString("init2_hex"));
            assertThat(built.length()).isEqualTo(v.node("init2_fields.message_len").asInt())
                    .isEqualTo(v.node("init2_segment.payload_len").asInt());
        }
        ByteBuffer src = ByteBuffer.wrap(v.bytes("init2_hex"));
        Init2 init2 = Init2.parse(v.tep(), src, REFERENCE_CIPHERS).orElseThrow();
        assertThat(src.hasRemaining()).isFalse();
        assertThat(init2.cipher().id()).isEqualTo(Integer.parseInt(v.hexString("init2_fields.sym_cipher"), 16));
        assertThat(Vector.hex(init2.nonce())).isEqualTo(v.hexString("init2_fields.nonce_b"));
        assertThat(Vector.hex(init2.publicKey().encoded())).isEqualTo(v.hexString("init2_fields.pubkey_b_point"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("full")
    void esFromBothSides(Vector v) {
        try (EcdhKeyPair a = EcdhKeyPair.fromPrivateKey(v.tep(), v.bytes("client_ec_private_key_hex"));
                EcdhKeyPair b = EcdhKeyPair.fromPrivateKey(v.tep(), v.bytes("server_ec_private_key_hex"))) {
            assertThat(Vector.hex(a.agree(b.publicKey()))).isEqualTo(v.hexString("es_hex"));
            assertThat(Vector.hex(b.agree(a.publicKey()))).isEqualTo(v.hexString("es_hex"));
            assertThat(v.bytes("es_hex")).hasSize(v.tep().fieldLength());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("full")
    void keySchedule(Vector v) {
        byte[] ss = KeySchedule.sharedSecret(v.bytes("init1_fields.nonce_a"), v.bytes("eno_transcript_hex"),
                v.bytes("init1_hex"), v.bytes("init2_hex"), v.bytes("es_hex"));
        assertThat(Vector.hex(ss)).isEqualTo(v.hexString("ss_hex"));
        try (SessionSecrets s = SessionSecrets.fullHandshake(v.tep(), v.cipher(), ss)) {
            assertSession(v, s, "");
            assertThat(s.isResumed()).isFalse();
            assertThat(s.sessionId().firstByte()).isEqualTo(v.tep().id());
            assertThat(Vector.hex(KeySchedule.expand(s.mk(), 0x04))).isEqualTo(v.hexString("expand_mk_0x04_hex"));
            assertThat(Vector.hex(KeySchedule.expand(s.mk(), 0x05))).isEqualTo(v.hexString("expand_mk_0x05_hex"));
            assertThat(Vector.hex(s.nextSessionId().bytes())).isEqualTo(v.hexString("next_session.sid_hex"));
            try (SessionSecrets next = SessionSecrets.resumed(v.tep(), v.cipher(), s.nk())) {
                assertSession(v, next, "next_session.");
            }
        }
    }

    /** Both roles run the handshake from the recorded secrets and land on the recorded session. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("full")
    void bothRolesDeriveTheRecordedSession(Vector v) {
        byte[] transcript = v.bytes("eno_transcript_hex");
        EcdhKeyPair a = EcdhKeyPair.fromPrivateKey(v.tep(), v.bytes("client_ec_private_key_hex"));
        try (ClientKeyExchange client = ClientKeyExchange.withSecrets(v.tep(), REFERENCE_CIPHERS,
                v.bytes("init1_fields.nonce_a"), a);
                EcdhKeyPair b = EcdhKeyPair.fromPrivateKey(v.tep(), v.bytes("server_ec_private_key_hex"))) {
            assertThat(Vector.hex(client.init1().encoded())).isEqualTo(v.hexString("init1_hex"));

            Result<ServerKeyExchange.Accepted, InitError> server = ServerKeyExchange.onInit1(v.tep(),
                    ByteBuffer.wrap(client.init1().encoded()), REFERENCE_CIPHERS, transcript,
                    v.bytes("init2_fields.nonce_b"), b);
            ServerKeyExchange.Accepted accepted = server.orElseThrow();
            assertThat(Vector.hex(accepted.init2().encoded())).isEqualTo(v.hexString("init2_hex"));

            try (SessionSecrets bSide = accepted.secrets();
                    SessionSecrets aSide = client.onInit2(ByteBuffer.wrap(v.bytes("init2_hex")), transcript).orElseThrow()) {
                assertThat(Vector.hex(aSide.secret())).isEqualTo(v.hexString("ss_hex"));
                assertThat(Vector.hex(bSide.secret())).isEqualTo(v.hexString("ss_hex"));
                assertSession(v, aSide, "");
                assertSession(v, bSide, "");
            }
        }
    }

    static void assertSession(Vector v, SessionSecrets s, String prefix) {
        assertThat(Vector.hex(s.sessionId().bytes())).as("sid").isEqualTo(v.hexString(prefix + "sid_hex"));
        assertThat(Vector.hex(s.mk())).as("mk").isEqualTo(v.hexString(prefix + "mk_hex"));
        assertThat(Vector.hex(s.nk())).as("nk").isEqualTo(v.hexString(prefix + "nk_hex"));
        assertThat(Vector.hex(s.keyAtoB())).as("key A->B").isEqualTo(v.hexString(prefix + "key_a_to_b_hex"));
        assertThat(Vector.hex(s.keyBtoA())).as("key B->A").isEqualTo(v.hexString(prefix + "key_b_to_a_hex"));
        assertThat(s.trafficKey(Role.A)).isEqualTo(s.keyAtoB());
        assertThat(s.keyAtoB()).hasSize(v.node("sym_key_len").asInt());
    }
}
