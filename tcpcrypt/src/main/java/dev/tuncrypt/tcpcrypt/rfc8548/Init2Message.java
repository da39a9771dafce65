package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collection;

/**
 * Init2, the first bytes of role B's stream (RFC 8548 §4.1), all integers big-endian:
 *
 * <pre>
 * magic u32 (09 71 05 e0) | message_len u32 | sym_cipher u16 (B's choice) | N_B (32) | PK_B | ignored
 * </pre>
 */
public final class Init2Message {
    /** magic + message_len + sym_cipher. */
    static final int FIXED = 10;

    private final Tep tep;
    private final byte[] encoded;
    private final SymCipher cipher;
    private final byte[] nonce;
    private final byte[] publicKey;

    private Init2Message(Tep tep, byte[] encoded, SymCipher cipher, byte[] nonce, byte[] publicKey) {
        this.tep = tep;
        this.encoded = encoded;
        this.cipher = cipher;
        this.nonce = nonce;
        this.publicKey = publicKey;
    }

    /** Length of an Init2 without ignored bytes. */
    public static int length(Tep tep) {
        return FIXED + Rfc8548.NONCE_LENGTH + PublicKeys8548.wireLength(tep);
    }

    public static Init2Message create(Tep tep, SymCipher cipher, byte[] nonceB, byte[] publicKey) {
        if (nonceB.length != Rfc8548.NONCE_LENGTH || publicKey.length != PublicKeys8548.wireLength(tep)) {
            throw new IllegalArgumentException("N_B must be 32 bytes, PK_B " + PublicKeys8548.wireLength(tep));
        }
        int len = length(tep);
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putInt(Rfc8548.INIT2_MAGIC).putInt(len).putShort((short) cipher.id()).put(nonceB).put(publicKey);
        return new Init2Message(tep, b.array(), cipher, nonceB.clone(), publicKey.clone());
    }

    /** Parses the Init2 filling {@code msg}; its cipher must be one of {@code offered}. */
    public static Result<Init2Message, InitError8548> parse(Tep tep, byte[] msg, Collection<SymCipher> offered) {
        if (msg.length < InitCodec8548.HEADER) {
            return Result.err(InitError8548.TRUNCATED);
        }
        ByteBuffer b = ByteBuffer.wrap(msg);
        if (b.getInt(0) != Rfc8548.INIT2_MAGIC) {
            return Result.err(InitError8548.BAD_MAGIC);
        }
        if (Integer.toUnsignedLong(b.getInt(4)) != msg.length || msg.length < length(tep)) {
            return Result.err(InitError8548.BAD_LENGTH);
        }
        SymCipher cipher = SymCipher.fromId(b.getShort(8) & 0xffff);
        if (cipher == null || !offered.contains(cipher)) {
            return Result.err(InitError8548.CIPHER_NOT_OFFERED);
        }
        byte[] nonce = Arrays.copyOfRange(msg, FIXED, FIXED + Rfc8548.NONCE_LENGTH);
        int keyAt = FIXED + Rfc8548.NONCE_LENGTH;
        byte[] key = Arrays.copyOfRange(msg, keyAt, keyAt + PublicKeys8548.wireLength(tep));
        return Result.ok(new Init2Message(tep, msg.clone(), cipher, nonce, key));
    }

    public Tep tep() {
        return tep;
    }

    public byte[] encoded() {
        return encoded.clone();
    }

    byte[] encodedInternal() {
        return encoded;
    }

    public SymCipher cipher() {
        return cipher;
    }

    public byte[] nonce() {
        return nonce.clone();
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }
}
