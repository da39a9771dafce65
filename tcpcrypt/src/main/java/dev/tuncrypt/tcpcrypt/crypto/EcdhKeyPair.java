package dev.tuncrypt.tcpcrypt.crypto;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Tep;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.util.BigIntegers;

/**
 * An ephemeral ECDH key pair on a TEP's curve (Bouncy Castle lightweight API) and the agreement
 * that yields tcpcrypt's ES.
 *
 * <p>ES is the x-coordinate of {@code d * peer}, big-endian, left-padded to the field size (32
 * bytes P-256, 66 bytes P-521), as OpenSSL's {@code ECDH_compute_key} returns it in the
 * reference ({@code ecdhe_compute_key}, {@code src/crypto_ecdhe.c}); golden vectors
 * {@code es_hex}.
 *
 * <p>{@link #close()} drops the private scalar. Bouncy Castle keeps it in an immutable
 * {@link BigInteger}, which cannot be wiped in place.
 */
public final class EcdhKeyPair implements AgreementKeyPair {
    private final Tep tep;
    private ECPrivateKeyParameters privateKey;
    private final EcPublicKey publicKey;

    private EcdhKeyPair(Tep tep, ECPrivateKeyParameters privateKey, ECPoint publicPoint) {
        this.tep = tep;
        this.privateKey = privateKey;
        this.publicKey = new EcPublicKey(tep, publicPoint);
    }

    /** A fresh key pair drawn from {@code random}. */
    public static EcdhKeyPair generate(Tep tep, SecureRandom random) {
        Objects.requireNonNull(random, "random");
        ECDomainParameters domain = EcCurves.domain(tep);
        ECKeyPairGenerator gen = new ECKeyPairGenerator();
        gen.init(new ECKeyGenerationParameters(domain, random));
        AsymmetricCipherKeyPair kp = gen.generateKeyPair();
        ECPrivateKeyParameters priv = (ECPrivateKeyParameters) kp.getPrivate();
        ECPublicKeyParameters pub = (ECPublicKeyParameters) kp.getPublic();
        return new EcdhKeyPair(tep, priv, pub.getQ());
    }

    /**
     * The key pair of a given private scalar (big-endian, any length; the vectors pad it to the
     * field size). For replaying recorded handshakes; the scalar must be in [1, n-1].
     */
    public static EcdhKeyPair fromPrivateKey(Tep tep, byte[] scalar) {
        ECDomainParameters domain = EcCurves.domain(tep);
        BigInteger d = new BigInteger(1, scalar);
        if (d.signum() <= 0 || d.compareTo(domain.getN()) >= 0) {
            throw new IllegalArgumentException("private scalar out of range [1, n-1]");
        }
        ECPoint q = new FixedPointCombMultiplier().multiply(domain.getG(), d).normalize();
        return new EcdhKeyPair(tep, new ECPrivateKeyParameters(d, domain), q);
    }

    @Override
    public Tep tep() {
        return tep;
    }

    @Override
    public byte[] publicKeyBytes() {
        return publicKey.encoded();
    }

    /** Decodes and validates the peer's uncompressed point, then {@link #agree(EcPublicKey)}. */
    @Override
    public Result<byte[], PointError> agreeWith(byte[] peer) {
        Result<EcPublicKey, PointError> key = EcPublicKey.decode(tep, peer);
        if (key instanceof Result.Err<EcPublicKey, PointError> e) {
            return Result.err(e.error());
        }
        return Result.ok(agree(key.valueOrNull()));
    }

    public EcPublicKey publicKey() {
        return publicKey;
    }

    /** ES = x(d * peer), field-size bytes. The peer key was validated when it was decoded. */
    public byte[] agree(EcPublicKey peer) {
        if (peer.tep() != tep) {
            throw new IllegalArgumentException("peer key is on " + peer.tep() + ", ours on " + tep);
        }
        ECPrivateKeyParameters d = privateKey;
        if (d == null) {
            throw new IllegalStateException("key pair closed");
        }
        ECPoint s = peer.point().multiply(d.getD()).normalize();
        if (s.isInfinity()) {
            // impossible for a valid point of prime order and d in [1, n-1]
            throw new IllegalStateException("shared point at infinity");
        }
        return BigIntegers.asUnsignedByteArray(tep.fieldLength(), s.getAffineXCoord().toBigInteger());
    }

    @Override
    public void close() {
        privateKey = null;
    }
}
