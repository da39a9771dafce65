package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.crypto.EcdhKeyPair;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Collection;

/**
 * Role B's side of the full handshake: receives Init1, answers with Init2 and derives the
 * session ({@code process_init1}, {@code do_input_pkconf_sent}, {@code compute_ss}). The cipher
 * is the first in A's list that B supports ({@code negotiate_sym_cipher}).
 */
public final class ServerKeyExchange {
    private ServerKeyExchange() {}

    /** Init1 accepted: the Init2 to send and the session's secrets. */
    public record Accepted(Init1 init1, Init2 init2, SessionSecrets secrets) {}

    /** With a fresh key pair and nonce from {@code random}. */
    public static Result<Accepted, InitError> onInit1(Tep tep, ByteBuffer src, Collection<SymCipher> supported,
            byte[] transcript, SecureRandom random) {
        byte[] nonce = new byte[Tcpcrypt05.NONCE_LENGTH];
        random.nextBytes(nonce);
        try (EcdhKeyPair kp = EcdhKeyPair.generate(tep, random)) {
            return onInit1(tep, src, supported, transcript, nonce, kp);
        }
    }

    /** With a given N_B and key pair (replaying recorded handshakes). */
    public static Result<Accepted, InitError> onInit1(Tep tep, ByteBuffer src, Collection<SymCipher> supported,
            byte[] transcript, byte[] nonceB, EcdhKeyPair keyPair) {
        if (keyPair.tep() != tep) {
            throw new IllegalArgumentException("key pair is for " + keyPair.tep());
        }
        int start = src.position();
        Result<Init1, InitError> parsed = Init1.parse(tep, src);
        if (parsed instanceof Result.Err<Init1, InitError> e) {
            return Result.err(e.error());
        }
        Init1 init1 = parsed.valueOrNull();
        SymCipher cipher = init1.chooseCipher(supported);
        if (cipher == null) {
            src.position(start);
            return Result.err(InitError.NO_COMMON_CIPHER);
        }
        Init2 init2 = Init2.create(tep, cipher, nonceB, keyPair.publicKey());
        byte[] es = keyPair.agree(init1.publicKey());
        byte[] ss = KeySchedule.sharedSecret(init1.nonceInternal(), transcript, init1.encodedInternal(),
                init2.encodedInternal(), es);
        try {
            return Result.ok(new Accepted(init1, init2, SessionSecrets.fullHandshake(tep, cipher, ss)));
        } finally {
            Arrays.fill(es, (byte) 0);
            Arrays.fill(ss, (byte) 0);
        }
    }
}
