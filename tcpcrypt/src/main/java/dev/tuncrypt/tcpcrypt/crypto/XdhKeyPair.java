package dev.tuncrypt.tcpcrypt.crypto;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Tep;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.agreement.X448Agreement;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.bouncycastle.crypto.params.X448PrivateKeyParameters;
import org.bouncycastle.crypto.params.X448PublicKeyParameters;

/**
 * An ephemeral X25519 or X448 key pair (RFC 7748, Bouncy Castle lightweight API) for the TEPs
 * TCPCRYPT_ECDHE_Curve25519 (0x23) and TCPCRYPT_ECDHE_Curve448 (0x24). Public keys are the raw
 * u-coordinates (32 / 56 bytes) and ES is the raw function output (RFC 8548 §5). Every byte
 * string of the right length is a valid u-coordinate (RFC 7748 §5 masks the top bits of X25519
 * input), so the only check on a peer key is its length, and then the all-zero output of
 * a small-order point, which {@link #agreeWith} refuses (RFC 7748 §6.1 "check").
 */
public final class XdhKeyPair implements AgreementKeyPair {
    private final Tep tep;
    private X25519PrivateKeyParameters x25519;
    private X448PrivateKeyParameters x448;
    private final byte[] publicKey;

    private XdhKeyPair(Tep tep, X25519PrivateKeyParameters a, X448PrivateKeyParameters b) {
        this.tep = tep;
        this.x25519 = a;
        this.x448 = b;
        this.publicKey = a != null ? a.generatePublicKey().getEncoded() : b.generatePublicKey().getEncoded();
    }

    /** A fresh key pair for {@code tep} (X25519 or X448). */
    public static XdhKeyPair generate(Tep tep, SecureRandom random) {
        Objects.requireNonNull(random, "random");
        return switch (tep) {
            case ECDHE_X25519 -> new XdhKeyPair(tep, new X25519PrivateKeyParameters(random), null);
            case ECDHE_X448 -> new XdhKeyPair(tep, null, new X448PrivateKeyParameters(random));
            default -> throw new IllegalArgumentException(tep + " is not an RFC 7748 curve");
        };
    }

    /** The key pair of a given private scalar (32 / 56 bytes, RFC 7748 test vectors). */
    public static XdhKeyPair fromPrivateKey(Tep tep, byte[] scalar) {
        if (scalar.length != tep.fieldLength()) {
            throw new IllegalArgumentException(tep + " private keys are " + tep.fieldLength() + " bytes");
        }
        return switch (tep) {
            case ECDHE_X25519 -> new XdhKeyPair(tep, new X25519PrivateKeyParameters(scalar, 0), null);
            case ECDHE_X448 -> new XdhKeyPair(tep, null, new X448PrivateKeyParameters(scalar, 0));
            default -> throw new IllegalArgumentException(tep + " is not an RFC 7748 curve");
        };
    }

    @Override
    public Tep tep() {
        return tep;
    }

    @Override
    public byte[] publicKeyBytes() {
        return publicKey.clone();
    }

    @Override
    public Result<byte[], PointError> agreeWith(byte[] peer) {
        if (peer.length != tep.fieldLength()) {
            return Result.err(PointError.BAD_LENGTH);
        }
        byte[] es = new byte[tep.fieldLength()];
        try {
            if (x25519 != null) {
                X25519Agreement a = new X25519Agreement();
                a.init(x25519);
                a.calculateAgreement(new X25519PublicKeyParameters(peer, 0), es, 0);
            } else if (x448 != null) {
                X448Agreement a = new X448Agreement();
                a.init(x448);
                a.calculateAgreement(new X448PublicKeyParameters(peer, 0), es, 0);
            } else {
                throw new IllegalStateException("key pair closed");
            }
        } catch (IllegalStateException e) {
            if (x25519 == null && x448 == null) {
                throw e;
            }
            // Bouncy Castle refuses an all-zero result (a small-order peer key) this way
            Arrays.fill(es, (byte) 0);
            return Result.err(PointError.ZERO_SHARED_SECRET);
        }
        int acc = 0;
        for (byte b : es) {
            acc |= b;
        }
        if (acc == 0) {
            return Result.err(PointError.ZERO_SHARED_SECRET);
        }
        return Result.ok(es);
    }

    /** Drops the private key (Bouncy Castle keeps it in an array it does not expose; this drops the reference). */
    @Override
    public void close() {
        x25519 = null;
        x448 = null;
    }
}
