package dev.tuncrypt.tcpcrypt.crypto;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Tep;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A validated EC public key: an uncompressed SEC1 point ({@code 04 || X || Y}) that lies on the
 * TEP's curve and is not the point at infinity. The reference encodes keys with OpenSSL's
 * {@code i2o_ECPublicKey} (uncompressed) and decodes them with {@code o2i_ECPublicKey}, which
 * rejects points off the curve ({@code set_peer_key} in {@code src/crypto_ecdhe.c}). P-256 and
 * P-521 have cofactor 1, so a point on the curve is in the prime-order group.
 */
public final class EcPublicKey {
    private final Tep tep;
    private final ECPoint point;
    private final byte[] encoded;

    EcPublicKey(Tep tep, ECPoint point) {
        this.tep = tep;
        this.point = point.normalize();
        this.encoded = this.point.getEncoded(false);
    }

    /**
     * Decodes and validates an uncompressed point of {@code tep}'s curve from
     * {@code buf[offset, offset + length)}.
     */
    public static Result<EcPublicKey, PointError> decode(Tep tep, byte[] buf, int offset, int length) {
        int fl = tep.fieldLength();
        if (length != tep.pointLength()) {
            return Result.err(PointError.BAD_LENGTH);
        }
        if (buf[offset] != 0x04) {
            return Result.err(PointError.NOT_UNCOMPRESSED);
        }
        ECCurve curve = EcCurves.domain(tep).getCurve();
        BigInteger p = curve.getField().getCharacteristic();
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(buf, offset + 1, offset + 1 + fl));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(buf, offset + 1 + fl, offset + 1 + 2 * fl));
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return Result.err(PointError.COORDINATE_OUT_OF_RANGE);
        }
        ECPoint point = curve.createPoint(x, y);
        if (point.isInfinity() || !point.isValid()) {
            return Result.err(PointError.NOT_ON_CURVE);
        }
        return Result.ok(new EcPublicKey(tep, point));
    }

    /**
     * Decodes and validates a compressed SEC1 point ({@code 02|03 || X}, IEEE 1363 E.2.3 in
     * compressed form, as RFC 8548 §5 sends NIST keys): x below p, y recovered from the curve
     * equation (no square root: not on the curve), not infinity, on the curve (IEEE 1363
     * A.16.10; the cofactor is 1).
     */
    public static Result<EcPublicKey, PointError> decodeCompressed(Tep tep, byte[] buf, int offset, int length) {
        int fl = tep.fieldLength();
        if (length != 1 + fl) {
            return Result.err(PointError.BAD_LENGTH);
        }
        if (buf[offset] != 0x02 && buf[offset] != 0x03) {
            return Result.err(PointError.NOT_COMPRESSED);
        }
        ECCurve curve = EcCurves.domain(tep).getCurve();
        BigInteger p = curve.getField().getCharacteristic();
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(buf, offset + 1, offset + 1 + fl));
        if (x.compareTo(p) >= 0) {
            return Result.err(PointError.COORDINATE_OUT_OF_RANGE);
        }
        ECPoint point;
        try {
            point = curve.decodePoint(Arrays.copyOfRange(buf, offset, offset + length));
        } catch (IllegalArgumentException e) {
            return Result.err(PointError.NOT_ON_CURVE);
        }
        if (point.isInfinity() || !point.isValid()) {
            return Result.err(PointError.NOT_ON_CURVE);
        }
        return Result.ok(new EcPublicKey(tep, point));
    }

    /** The compressed SEC1 point, {@code 02|03 || X} (33 or 67 bytes). */
    public byte[] compressed() {
        return point.getEncoded(true);
    }

    /** Decodes a whole array; see {@link #decode(Tep, byte[], int, int)}. */
    public static Result<EcPublicKey, PointError> decode(Tep tep, byte[] encoded) {
        return decode(tep, encoded, 0, encoded.length);
    }

    public Tep tep() {
        return tep;
    }

    /** The uncompressed point, 65 or 133 bytes (a copy). */
    public byte[] encoded() {
        return encoded.clone();
    }

    ECPoint point() {
        return point;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EcPublicKey other && tep == other.tep && Arrays.equals(encoded, other.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }
}
