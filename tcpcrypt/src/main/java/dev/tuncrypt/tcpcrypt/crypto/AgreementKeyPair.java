package dev.tuncrypt.tcpcrypt.crypto;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Tep;

/**
 * An ephemeral key pair of one TEP and its Diffie-Hellman agreement, as RFC 8548 §5 uses it: the
 * public key bytes exactly as Init1/Init2 carry them, and ES from the peer's bytes after they were
 * validated. {@link EcdhKeyPair} for the NIST curves, {@link XdhKeyPair} for X25519 / X448.
 */
public sealed interface AgreementKeyPair extends AutoCloseable permits EcdhKeyPair, XdhKeyPair {

    /** The TEP whose group this key lives in. */
    Tep tep();

    /** The public key: uncompressed SEC1 point (65 / 133 bytes, tcpcrypt-0.5's form) or u-coordinate (32 / 56). */
    byte[] publicKeyBytes();

    /**
     * ES with the peer's public key {@code peer} (its wire bytes): validated first, and an
     * all-zero X25519/X448 result is refused (RFC 7748 §6.1, RFC 8548 §5).
     */
    Result<byte[], PointError> agreeWith(byte[] peer);

    /** A fresh key pair for {@code tep}. */
    static AgreementKeyPair generate(Tep tep, java.security.SecureRandom random) {
        return tep.montgomery() ? XdhKeyPair.generate(tep, random) : EcdhKeyPair.generate(tep, random);
    }

    /** Drops the private key. */
    @Override
    void close();
}
