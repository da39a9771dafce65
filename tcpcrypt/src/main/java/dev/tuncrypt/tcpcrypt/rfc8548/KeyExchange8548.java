package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.crypto.AgreementKeyPair;
import dev.tuncrypt.tcpcrypt.crypto.PointError;
import java.util.Arrays;
import java.util.Collection;

/**
 * The full handshake of RFC 8548 §3.3 for both roles: A sends Init1, B answers Init2, both derive
 * ES from the peer's public key and then ss[0] = PRK over the transcript and both messages.
 * Pure computation (run on a worker, never the stack loop).
 */
public final class KeyExchange8548 {
    private KeyExchange8548() {}

    /** B's result: the Init2 to send, the parsed Init1, and the session. */
    public record Accepted(Init1Message init1, Init2Message init2, SessionSecrets8548 secrets) {}

    /** Role B: takes A's Init1 (exactly {@code message_len} bytes) and builds Init2 and the session. */
    public static Result<Accepted, InitError8548> onInit1(Tep tep, byte[] init1Bytes, Collection<SymCipher> supported,
            byte[] transcript, byte[] nonceB, AgreementKeyPair keyPair) {
        Result<Init1Message, InitError8548> parsed = Init1Message.parse(tep, init1Bytes);
        if (parsed instanceof Result.Err<Init1Message, InitError8548> e) {
            return Result.err(e.error());
        }
        Init1Message init1 = parsed.valueOrNull();
        // RFC 8548 §3.3: B selects from A's list in its own order of preference
        SymCipher cipher = init1.chooseCipher(supported);
        if (cipher == null) {
            return Result.err(InitError8548.NO_COMMON_CIPHER);
        }
        Result<byte[], PointError> es = PublicKeys8548.agree(keyPair, init1.publicKey());
        if (es instanceof Result.Err<byte[], PointError> e) {
            return Result.err(map(e.error()));
        }
        Init2Message init2 = Init2Message.create(tep, cipher, nonceB, PublicKeys8548.encode(keyPair));
        byte[] ss = SessionSecrets8548.prk(init1.nonce(), transcript, init1.encodedInternal(), init2.encodedInternal(),
                es.valueOrNull());
        try {
            return Result.ok(new Accepted(init1, init2, SessionSecrets8548.fullHandshake(tep, cipher, ss, Role.B)));
        } finally {
            Arrays.fill(es.valueOrNull(), (byte) 0);
            Arrays.fill(ss, (byte) 0);
        }
    }

    /** Role A: takes B's Init2 (exactly {@code message_len} bytes) after sending {@code init1}. */
    public static Result<SessionSecrets8548, InitError8548> onInit2(Init1Message init1, AgreementKeyPair keyPair,
            byte[] init2Bytes, byte[] transcript, Collection<SymCipher> offered) {
        Result<Init2Message, InitError8548> parsed = Init2Message.parse(init1.tep(), init2Bytes, offered);
        if (parsed instanceof Result.Err<Init2Message, InitError8548> e) {
            return Result.err(e.error());
        }
        Init2Message init2 = parsed.valueOrNull();
        Result<byte[], PointError> es = PublicKeys8548.agree(keyPair, init2.publicKey());
        if (es instanceof Result.Err<byte[], PointError> e) {
            return Result.err(map(e.error()));
        }
        byte[] ss = SessionSecrets8548.prk(init1.nonce(), transcript, init1.encodedInternal(), init2.encodedInternal(),
                es.valueOrNull());
        try {
            return Result.ok(SessionSecrets8548.fullHandshake(init1.tep(), init2.cipher(), ss, Role.A));
        } finally {
            Arrays.fill(es.valueOrNull(), (byte) 0);
            Arrays.fill(ss, (byte) 0);
        }
    }

    private static InitError8548 map(PointError e) {
        return e == PointError.ZERO_SHARED_SECRET ? InitError8548.ZERO_SHARED_SECRET : InitError8548.BAD_PUBLIC_KEY;
    }
}
