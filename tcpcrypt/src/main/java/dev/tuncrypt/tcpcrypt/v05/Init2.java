package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.crypto.EcPublicKey;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collection;

/**
 * Init2, the first bytes of role B's stream. Layout of the reference ({@code struct tc_init2},
 * {@code do_input_pkconf_sent} builds it, {@code process_init2} and {@code ecdhe_decrypt} read
 * it), all big-endian:
 *
 * <pre>
 * magic u32 (09 71 05 e0) | message_len u32 (whole message) | cipher u8 (chosen)
 *   | N_B (32) | key_len u16 (= 2 + point length) | uncompressed point
 * </pre>
 *
 * P-256: 108 bytes ({@code 0x6c}); P-521: 176 ({@code 0xb0}) (golden vectors {@code init2_hex}).
 * The reference accepts an Init2 whose {@code message_len} is anything up to the segment length
 * and ignores bytes after the key; this parser is strict: {@code message_len} must equal the
 * layout's length, as the reference always sends it.
 */
public final class Init2 {
    private final Tep tep;
    private final byte[] encoded;
    private final SymCipher cipher;
    private final byte[] nonce;
    private final EcPublicKey publicKey;

    private Init2(Tep tep, byte[] encoded, SymCipher cipher, byte[] nonce, EcPublicKey publicKey) {
        this.tep = tep;
        this.encoded = encoded;
        this.cipher = cipher;
        this.nonce = nonce;
        this.publicKey = publicKey;
    }

    /** Length of an Init2 for {@code tep}. */
    public static int length(Tep tep) {
        return InitCodec.HEADER + 1 + Tcpcrypt05.NONCE_LENGTH + InitCodec.keyFieldLength(tep);
    }

    /** Builds Init2 announcing {@code cipher}. */
    public static Init2 create(Tep tep, SymCipher cipher, byte[] nonceB, EcPublicKey key) {
        if (key.tep() != tep) {
            throw new IllegalArgumentException("key is for " + key.tep());
        }
        InitCodec.checkNonce(nonceB);
        int len = length(tep);
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putInt(Tcpcrypt05.INIT2_MAGIC).putInt(len).put((byte) cipher.id()).put(nonceB);
        InitCodec.writeKey(b, key);
        return new Init2(tep, b.array(), cipher, nonceB.clone(), key);
    }

    /** {@code message_len} at {@code src}'s position: -1 if fewer than 8 bytes, -2 if not Init2's magic. */
    public static long declaredLength(ByteBuffer src) {
        return InitCodec.declaredLength(src, Tcpcrypt05.INIT2_MAGIC);
    }

    /**
     * Parses the Init2 at {@code src}'s position for the negotiated {@code tep}; the chosen
     * cipher must be one of {@code offered} (the reference's {@code select_sym}). On success the
     * position moves past the message; on failure it stays.
     */
    public static Result<Init2, InitError> parse(Tep tep, ByteBuffer src, Collection<SymCipher> offered) {
        int p = src.position();
        int avail = src.remaining();
        if (avail < InitCodec.HEADER) {
            return Result.err(InitError.TRUNCATED);
        }
        if (src.getInt(p) != Tcpcrypt05.INIT2_MAGIC) {
            return Result.err(InitError.BAD_MAGIC);
        }
        int len = length(tep);
        if (Integer.toUnsignedLong(src.getInt(p + 4)) != len) {
            return Result.err(InitError.BAD_LENGTH);
        }
        if (avail < len) {
            return Result.err(InitError.TRUNCATED);
        }
        byte[] msg = new byte[len];
        src.get(p, msg);
        SymCipher cipher = SymCipher.fromId05(msg[InitCodec.HEADER] & 0xff);
        if (cipher == null) {
            return Result.err(InitError.UNKNOWN_CIPHER);
        }
        if (!offered.contains(cipher)) {
            return Result.err(InitError.CIPHER_NOT_OFFERED);
        }
        int nonceAt = InitCodec.HEADER + 1;
        byte[] nonce = Arrays.copyOfRange(msg, nonceAt, nonceAt + Tcpcrypt05.NONCE_LENGTH);
        Result<EcPublicKey, InitError> key = InitCodec.readKey(tep, msg, nonceAt + Tcpcrypt05.NONCE_LENGTH);
        if (key instanceof Result.Err<EcPublicKey, InitError> e) {
            return Result.err(e.error());
        }
        src.position(p + len);
        return Result.ok(new Init2(tep, msg, cipher, nonce, key.valueOrNull()));
    }

    public Tep tep() {
        return tep;
    }

    /** The whole message (a copy). */
    public byte[] encoded() {
        return encoded.clone();
    }

    byte[] encodedInternal() {
        return encoded;
    }

    public int length() {
        return encoded.length;
    }

    /** The cipher B chose. */
    public SymCipher cipher() {
        return cipher;
    }

    /** N_B (a copy). It enters the key schedule only as part of Init2. */
    public byte[] nonce() {
        return nonce.clone();
    }

    /** B's ephemeral public key, validated. */
    public EcPublicKey publicKey() {
        return publicKey;
    }
}
