package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.crypto.AgreementKeyPair;
import dev.tuncrypt.tcpcrypt.crypto.EcPublicKey;
import dev.tuncrypt.tcpcrypt.crypto.EcdhKeyPair;
import dev.tuncrypt.tcpcrypt.crypto.PointError;
import java.nio.ByteBuffer;

/**
 * Public keys as RFC 8548 §5 puts them in Init1 / Init2:
 *
 * <ul>
 *   <li>ECDHE-P256 / ECDHE-P521: {@code pubkey_len u16 | pubkey}, the point in compressed format
 *       (IEEE 1363 E.2.3: {@code 02|03 || X}, 33 / 67 bytes), validated on receipt (IEEE 1363
 *       A.16.10). {@code pubkey_len} counts the two length bytes too (35 / 69): Figure "byte 0 1 2
 *       .. L-1, pubkey_len = L" spans the whole structure (docs/rfc8548.md, reading R3).
 *   <li>ECDHE-Curve25519 / Curve448: the 32 / 56-byte u-coordinate, no length prefix.
 * </ul>
 */
public final class PublicKeys8548 {
    /** The two-byte big-endian length prefix of a NIST key (RFC 8548 §5). */
    public static final int LENGTH_PREFIX = 2;

    private PublicKeys8548() {}

    /** Bytes the public key takes in an Init message: 35 / 69 / 32 / 56. */
    public static int wireLength(Tep tep) {
        return tep.montgomery() ? tep.fieldLength() : LENGTH_PREFIX + 1 + tep.fieldLength();
    }

    /** {@code keyPair}'s public key as Init1 / Init2 carry it. */
    public static byte[] encode(AgreementKeyPair keyPair) {
        if (!(keyPair instanceof EcdhKeyPair ec)) {
            return keyPair.publicKeyBytes();
        }
        byte[] point = ec.publicKey().compressed();
        int length = LENGTH_PREFIX + point.length;
        return ByteBuffer.allocate(length).putShort((short) length).put(point).array();
    }

    /**
     * ES with the peer's public key in its Init encoding: the length prefix and the compressed
     * point checked and validated first (RFC 8548 §5; a failure aborts the connection, §3.3).
     */
    public static Result<byte[], PointError> agree(AgreementKeyPair keyPair, byte[] peerWire) {
        Tep tep = keyPair.tep();
        if (!(keyPair instanceof EcdhKeyPair ec)) {
            return keyPair.agreeWith(peerWire);
        }
        if (peerWire.length != wireLength(tep)
                || ((peerWire[0] & 0xff) << 8 | (peerWire[1] & 0xff)) != peerWire.length) {
            return Result.err(PointError.BAD_LENGTH);
        }
        Result<EcPublicKey, PointError> key = EcPublicKey.decodeCompressed(tep, peerWire, LENGTH_PREFIX,
                peerWire.length - LENGTH_PREFIX);
        if (key instanceof Result.Err<EcPublicKey, PointError> e) {
            return Result.err(e.error());
        }
        return Result.ok(ec.agree(key.valueOrNull()));
    }
}
