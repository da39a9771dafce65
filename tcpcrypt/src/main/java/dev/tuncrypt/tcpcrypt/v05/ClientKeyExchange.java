package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.crypto.EcdhKeyPair;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * Role A's side of the full handshake: sends Init1, receives Init2, derives the session
 * ({@code do_output_pkconf_rcvd}, {@code process_init2}, {@code compute_ss},
 * {@code enable_encryption}). The ephemeral key pair and N_A come from an injected
 * {@link SecureRandom} (the reference draws nonces from {@code rand()}; this class does not).
 */
public final class ClientKeyExchange implements AutoCloseable {
    private final Tep tep;
    private final List<SymCipher> offered;
    private final EcdhKeyPair keyPair;
    private final Init1 init1;

    private ClientKeyExchange(Tep tep, List<SymCipher> offered, byte[] nonceA, EcdhKeyPair keyPair) {
        this.tep = tep;
        this.offered = List.copyOf(offered);
        this.keyPair = keyPair;
        this.init1 = Init1.create(tep, this.offered, nonceA, keyPair.publicKey());
    }

    /** Starts with a fresh key pair and nonce; {@code offered} in preference order (the reference: AES-128-GCM, AES-256-GCM). */
    public static ClientKeyExchange start(Tep tep, List<SymCipher> offered, SecureRandom random) {
        byte[] nonce = new byte[Tcpcrypt05.NONCE_LENGTH];
        random.nextBytes(nonce);
        return new ClientKeyExchange(tep, offered, nonce, EcdhKeyPair.generate(tep, random));
    }

    /** Starts with a given nonce and key pair (replaying recorded handshakes). */
    public static ClientKeyExchange withSecrets(Tep tep, List<SymCipher> offered, byte[] nonceA, EcdhKeyPair keyPair) {
        if (keyPair.tep() != tep) {
            throw new IllegalArgumentException("key pair is for " + keyPair.tep());
        }
        return new ClientKeyExchange(tep, offered, nonceA.clone(), keyPair);
    }

    /** The Init1 to send as the first bytes of A's stream. */
    public Init1 init1() {
        return init1;
    }

    /**
     * Reads Init2 at {@code src}'s position and derives the session.
     *
     * @param transcript {@link EnoTranscript} of this connection's SYN and SYN-ACK
     */
    public Result<SessionSecrets, InitError> onInit2(ByteBuffer src, byte[] transcript) {
        Result<Init2, InitError> parsed = Init2.parse(tep, src, offered);
        if (parsed instanceof Result.Err<Init2, InitError> e) {
            return Result.err(e.error());
        }
        Init2 init2 = parsed.valueOrNull();
        byte[] es = keyPair.agree(init2.publicKey());
        byte[] ss = KeySchedule.sharedSecret(init1.nonceInternal(), transcript, init1.encodedInternal(),
                init2.encodedInternal(), es);
        try {
            return Result.ok(SessionSecrets.fullHandshake(tep, init2.cipher(), ss));
        } finally {
            Arrays.fill(es, (byte) 0);
            Arrays.fill(ss, (byte) 0);
        }
    }

    /** Drops the ephemeral private key. */
    @Override
    public void close() {
        keyPair.close();
    }
}
