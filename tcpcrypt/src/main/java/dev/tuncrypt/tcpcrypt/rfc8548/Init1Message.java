package dev.tuncrypt.tcpcrypt.rfc8548;

import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Init1, the first bytes of role A's stream (RFC 8548 §4.1), all integers big-endian:
 *
 * <pre>
 * magic u32 (15 10 1a 0e) | message_len u32 (the whole message) | nciphers u8
 *   | sym_cipher u16 × nciphers | N_A (32) | Pub_A ({@link PublicKeys8548}: 35 / 69 / 32 / 56 bytes)
 *   | ignored (message_len - the fixed part)
 * </pre>
 *
 * A receiver accepts trailing "ignored" bytes, which still count in the transcript the key
 * schedule hashes (the whole message as received). Cipher ids this side does not know are kept.
 */
public final class Init1Message {
    /** magic + message_len + nciphers. */
    static final int FIXED = 9;

    private final Tep tep;
    private final byte[] encoded;
    private final int[] cipherIds;
    private final byte[] nonce;
    private final byte[] publicKey;

    private Init1Message(Tep tep, byte[] encoded, int[] cipherIds, byte[] nonce, byte[] publicKey) {
        this.tep = tep;
        this.encoded = encoded;
        this.cipherIds = cipherIds;
        this.nonce = nonce;
        this.publicKey = publicKey;
    }

    /** Length of an Init1 without ignored bytes. */
    public static int length(Tep tep, int nciphers) {
        return FIXED + 2 * nciphers + Rfc8548.NONCE_LENGTH + PublicKeys8548.wireLength(tep);
    }

    /** Builds Init1 offering {@code ciphers} in preference order. */
    public static Init1Message create(Tep tep, List<SymCipher> ciphers, byte[] nonceA, byte[] publicKey) {
        if (ciphers.isEmpty() || ciphers.size() > 255) {
            throw new IllegalArgumentException("Init1 lists 1..255 ciphers");
        }
        if (nonceA.length != Rfc8548.NONCE_LENGTH || publicKey.length != PublicKeys8548.wireLength(tep)) {
            throw new IllegalArgumentException("N_A must be 32 bytes, PK_A " + PublicKeys8548.wireLength(tep));
        }
        int len = length(tep, ciphers.size());
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putInt(Rfc8548.INIT1_MAGIC).putInt(len).put((byte) ciphers.size());
        int[] ids = new int[ciphers.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = ciphers.get(i).id();
            b.putShort((short) ids[i]);
        }
        b.put(nonceA).put(publicKey);
        return new Init1Message(tep, b.array(), ids, nonceA.clone(), publicKey.clone());
    }

    /**
     * Parses the Init1 filling {@code msg} (exactly {@code message_len} bytes, as the stream
     * delimited it) for the negotiated {@code tep}. The public key is checked by the key agreement.
     */
    public static Result<Init1Message, InitError8548> parse(Tep tep, byte[] msg) {
        if (msg.length < InitCodec8548.HEADER) {
            return Result.err(InitError8548.TRUNCATED);
        }
        ByteBuffer b = ByteBuffer.wrap(msg);
        if (b.getInt(0) != Rfc8548.INIT1_MAGIC) {
            return Result.err(InitError8548.BAD_MAGIC);
        }
        if (Integer.toUnsignedLong(b.getInt(4)) != msg.length) {
            return Result.err(InitError8548.BAD_LENGTH);
        }
        if (msg.length < FIXED) {
            return Result.err(InitError8548.BAD_LENGTH);
        }
        int n = msg[8] & 0xff;
        if (n == 0) {
            return Result.err(InitError8548.NO_CIPHERS);
        }
        if (msg.length < length(tep, n)) {
            return Result.err(InitError8548.BAD_LENGTH);
        }
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = b.getShort(FIXED + 2 * i) & 0xffff;
        }
        int nonceAt = FIXED + 2 * n;
        byte[] nonce = Arrays.copyOfRange(msg, nonceAt, nonceAt + Rfc8548.NONCE_LENGTH);
        int keyAt = nonceAt + Rfc8548.NONCE_LENGTH;
        byte[] key = Arrays.copyOfRange(msg, keyAt, keyAt + PublicKeys8548.wireLength(tep));
        return Result.ok(new Init1Message(tep, msg.clone(), ids, nonce, key));
    }

    /**
     * B's choice (RFC 8548 §3.3: B's "order of preference to use when selecting an algorithm
     * from those offered"): the first of {@code supported} that A's list holds, or null.
     */
    public SymCipher chooseCipher(Collection<SymCipher> supported) {
        for (SymCipher c : supported) {
            for (int id : cipherIds) {
                if (SymCipher.fromId(id) == c) {
                    return c;
                }
            }
        }
        return null;
    }

    public Tep tep() {
        return tep;
    }

    /** The whole message as sent or received (a copy). */
    public byte[] encoded() {
        return encoded.clone();
    }

    byte[] encodedInternal() {
        return encoded;
    }

    public List<Integer> cipherIds() {
        List<Integer> l = new ArrayList<>();
        for (int id : cipherIds) {
            l.add(id);
        }
        return l;
    }

    /** N_A (a copy). */
    public byte[] nonce() {
        return nonce.clone();
    }

    /** PK_A as received (a copy). */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** Bytes after PK_A. */
    public int ignoredLength() {
        return encoded.length - length(tep, cipherIds.length);
    }
}
