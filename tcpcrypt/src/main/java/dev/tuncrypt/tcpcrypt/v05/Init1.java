package dev.tuncrypt.tcpcrypt.v05;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.crypto.EcPublicKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Init1, the first bytes of role A's stream. Layout of the reference ({@code struct tc_init1},
 * {@code do_output_pkconf_rcvd} builds it, {@code process_init1} reads it), all big-endian:
 *
 * <pre>
 * magic u32 (15 10 1a 0e) | message_len u32 (whole message) | nciphers u8 | cipher u8 × nciphers
 *   | N_A (32) | key_len u16 (= 2 + point length, counts itself) | uncompressed point
 * </pre>
 *
 * P-256 with ciphers {@code 01 02}: 110 bytes ({@code 0x6e}); P-521: 178 ({@code 0xb2}) (golden
 * vectors {@code init1_hex}, {@code init1_fields}). Strict as the reference ("strict len for
 * now"): {@code message_len} must equal the layout's length; no trailing bytes are accepted.
 * Cipher ids this side does not know are kept (A may list more than B knows).
 */
public final class Init1 {
    private final Tep tep;
    private final byte[] encoded;
    private final int[] cipherIds;
    private final byte[] nonce;
    private final EcPublicKey publicKey;

    private Init1(Tep tep, byte[] encoded, int[] cipherIds, byte[] nonce, EcPublicKey publicKey) {
        this.tep = tep;
        this.encoded = encoded;
        this.cipherIds = cipherIds;
        this.nonce = nonce;
        this.publicKey = publicKey;
    }

    /** Length of an Init1 for {@code tep} listing {@code nciphers} ciphers. */
    public static int length(Tep tep, int nciphers) {
        return InitCodec.HEADER + 1 + nciphers + Tcpcrypt05.NONCE_LENGTH + InitCodec.keyFieldLength(tep);
    }

    /** Builds Init1 offering {@code ciphers} in preference order (the reference sends {@code 01 02}). */
    public static Init1 create(Tep tep, List<SymCipher> ciphers, byte[] nonceA, EcPublicKey key) {
        if (ciphers.isEmpty() || ciphers.size() > 255) {
            throw new IllegalArgumentException("Init1 lists 1..255 ciphers");
        }
        if (key.tep() != tep) {
            throw new IllegalArgumentException("key is for " + key.tep());
        }
        InitCodec.checkNonce(nonceA);
        int len = length(tep, ciphers.size());
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putInt(Tcpcrypt05.INIT1_MAGIC).putInt(len).put((byte) ciphers.size());
        int[] ids = new int[ciphers.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = ciphers.get(i).id();
            b.put((byte) ids[i]);
        }
        b.put(nonceA);
        InitCodec.writeKey(b, key);
        return new Init1(tep, b.array(), ids, nonceA.clone(), key);
    }

    /**
     * {@code message_len} of an Init1 starting at {@code src}'s position: -1 if fewer than 8 bytes
     * are there, -2 if the magic is not Init1's.
     */
    public static long declaredLength(ByteBuffer src) {
        return InitCodec.declaredLength(src, Tcpcrypt05.INIT1_MAGIC);
    }

    /**
     * Parses the Init1 at {@code src}'s position for the negotiated {@code tep}. On success the
     * position moves past the message (exactly {@code message_len} bytes); on failure it stays.
     */
    public static Result<Init1, InitError> parse(Tep tep, ByteBuffer src) {
        int p = src.position();
        int avail = src.remaining();
        if (avail < InitCodec.HEADER) {
            return Result.err(InitError.TRUNCATED);
        }
        if (src.getInt(p) != Tcpcrypt05.INIT1_MAGIC) {
            return Result.err(InitError.BAD_MAGIC);
        }
        long declared = Integer.toUnsignedLong(src.getInt(p + 4));
        if (avail < InitCodec.HEADER + 1) {
            return declared < length(tep, 1) || declared > length(tep, 255)
                    ? Result.err(InitError.BAD_LENGTH)
                    : Result.err(InitError.TRUNCATED);
        }
        int n = src.get(p + InitCodec.HEADER) & 0xff;
        if (n == 0) {
            return Result.err(InitError.NO_CIPHERS);
        }
        int len = length(tep, n);
        if (declared != len) {
            return Result.err(InitError.BAD_LENGTH);
        }
        if (avail < len) {
            return Result.err(InitError.TRUNCATED);
        }
        byte[] msg = new byte[len];
        src.get(p, msg);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = msg[InitCodec.HEADER + 1 + i] & 0xff;
        }
        int nonceAt = InitCodec.HEADER + 1 + n;
        byte[] nonce = Arrays.copyOfRange(msg, nonceAt, nonceAt + Tcpcrypt05.NONCE_LENGTH);
        Result<EcPublicKey, InitError> key = InitCodec.readKey(tep, msg, nonceAt + Tcpcrypt05.NONCE_LENGTH);
        if (key instanceof Result.Err<EcPublicKey, InitError> e) {
            return Result.err(e.error());
        }
        src.position(p + len);
        return Result.ok(new Init1(tep, msg, ids, nonce, key.valueOrNull()));
    }

    /**
     * Role B's cipher choice ({@code negotiate_sym_cipher}): the first cipher in A's list that
     * {@code supported} contains, or null.
     */
    public SymCipher chooseCipher(Collection<SymCipher> supported) {
        for (int id : cipherIds) {
            SymCipher c = SymCipher.fromId05(id);
            if (c != null && supported.contains(c)) {
                return c;
            }
        }
        return null;
    }

    public Tep tep() {
        return tep;
    }

    /** The whole message (a copy): the bytes the transcript hash covers. */
    public byte[] encoded() {
        return encoded.clone();
    }

    byte[] encodedInternal() {
        return encoded;
    }

    public int length() {
        return encoded.length;
    }

    /** The listed cipher ids, in A's order, known or not. */
    public List<Integer> cipherIds() {
        List<Integer> l = new ArrayList<>(cipherIds.length);
        for (int id : cipherIds) {
            l.add(id);
        }
        return l;
    }

    /** N_A (a copy). */
    public byte[] nonce() {
        return nonce.clone();
    }

    byte[] nonceInternal() {
        return nonce;
    }

    /** A's ephemeral public key, validated. */
    public EcPublicKey publicKey() {
        return publicKey;
    }
}
