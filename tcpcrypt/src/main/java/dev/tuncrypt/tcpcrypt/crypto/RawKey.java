package dev.tuncrypt.tcpcrypt.crypto;

import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * A secret key whose bytes this module owns and can wipe: {@link #destroy()} zeroes them, unlike
 * {@code SecretKeySpec}. {@link #getEncoded()} returns a copy, which the JDK providers wipe after
 * use.
 */
public final class RawKey implements SecretKey {
    private static final long serialVersionUID = 1L;

    private final String algorithm;
    private final byte[] key;
    private boolean destroyed;

    /** Copies {@code key[offset, offset + length)}. */
    public RawKey(String algorithm, byte[] key, int offset, int length) {
        this.algorithm = algorithm;
        this.key = Arrays.copyOfRange(key, offset, offset + length);
    }

    public RawKey(String algorithm, byte[] key) {
        this(algorithm, key, 0, key.length);
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    @Override
    public byte[] getEncoded() {
        if (destroyed) {
            throw new IllegalStateException("key destroyed");
        }
        return key.clone();
    }

    /** Key length in bytes. */
    public int length() {
        return key.length;
    }

    @Override
    public void destroy() {
        Arrays.fill(key, (byte) 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }
}
