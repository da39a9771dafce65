package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.crypto.EcPublicKey;
import dev.tuncrypt.tcpcrypt.crypto.PointError;
import java.nio.ByteBuffer;

/** Pieces shared by {@link Init1} and {@link Init2}. */
final class InitCodec {
    /** magic u32 + message_len u32. */
    static final int HEADER = 8;

    private InitCodec() {}

    /** Bytes of the length-prefixed key: u16 (counts itself) + point. */
    static int keyFieldLength(Tep tep) {
        return 2 + tep.pointLength();
    }

    /** message_len at {@code src}'s position if the magic matches, -1 if fewer than 8 bytes, -2 on another magic. */
    static long declaredLength(ByteBuffer src, int magic) {
        if (src.remaining() < HEADER) {
            return -1;
        }
        int p = src.position();
        if (src.getInt(p) != magic) {
            return -2;
        }
        return Integer.toUnsignedLong(src.getInt(p + 4));
    }

    /** Validates the key field at {@code msg[offset]}: the reference's {@code set_peer_key} plus point checks. */
    static Result<EcPublicKey, InitError> readKey(Tep tep, byte[] msg, int offset) {
        int declared = (msg[offset] & 0xff) << 8 | (msg[offset + 1] & 0xff);
        if (declared != keyFieldLength(tep)) {
            return Result.err(InitError.BAD_KEY_LENGTH);
        }
        Result<EcPublicKey, PointError> r = EcPublicKey.decode(tep, msg, offset + 2, tep.pointLength());
        if (r instanceof Result.Err<EcPublicKey, PointError> e) {
            return Result.err(switch (e.error()) {
                case BAD_LENGTH -> InitError.BAD_KEY_LENGTH;
                case NOT_UNCOMPRESSED, NOT_COMPRESSED -> InitError.POINT_NOT_UNCOMPRESSED;
                case COORDINATE_OUT_OF_RANGE -> InitError.POINT_COORDINATE_OUT_OF_RANGE;
                case NOT_ON_CURVE, ZERO_SHARED_SECRET -> InitError.POINT_NOT_ON_CURVE;
            });
        }
        return Result.ok(r.valueOrNull());
    }

    static void writeKey(ByteBuffer out, EcPublicKey key) {
        byte[] point = key.encoded();
        out.putShort((short) (2 + point.length));
        out.put(point);
    }

    static void checkNonce(byte[] nonce) {
        if (nonce.length != Tcpcrypt05.NONCE_LENGTH) {
            throw new IllegalArgumentException("nonce must be " + Tcpcrypt05.NONCE_LENGTH + " bytes");
        }
    }
}
