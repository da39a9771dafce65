package dev.tuncrypt.tcpcrypt;

import java.time.Duration;
import java.util.List;

/**
 * Settings of tcpcrypt for a stack.
 *
 * @param mode default (opportunistic), never or always (required)
 * @param teps key-agreement schemes in preference order (offered by role A, accepted by role B)
 * @param ciphers AEAD ciphers in preference order
 * @param appAware set the application-aware bit (the application will authenticate the session ID)
 * @param sessionCache whether to cache sessions for resumption
 * @param cacheSize most cached sessions
 * @param cacheAge how long a cached session may be resumed
 * @param keyRotation how long one ephemeral key pair is used before a new one replaces it
 * @param workers threads for key agreement (never the stack loops)
 * @param dialects wire dialects to offer (role A, in preference order, each its own ENO option)
 *     and to accept (role B, whose order decides when a SYN offers several); default
 *     tcpcrypt-0.5 only
 * @param rekeyAfterBytes rfc8548: plaintext bytes one direction seals under one key before it
 *     re-keys (RFC 8548 §3.8); 0 never re-keys. tcpcrypt-0.5 cannot re-key and ignores it
 * @param roleB rfc8548: set the b bit in the SYN, claiming role B should the SYNs cross
 *     (simultaneous open, RFC 8547 §3.3); exactly one of the two hosts must set it
 */
public record TcpCryptConfig(
        CryptMode mode,
        List<Tep> teps,
        List<SymCipher> ciphers,
        boolean appAware,
        boolean sessionCache,
        int cacheSize,
        Duration cacheAge,
        Duration keyRotation,
        int workers,
        List<Dialect> dialects,
        long rekeyAfterBytes,
        boolean roleB) {

    /** Re-key after this many bytes by default: far below AES-GCM's and ChaCha20-Poly1305's limits. */
    public static final long DEFAULT_REKEY_BYTES = 1L << 36;

    /** tcpcryptd 0.5's defaults: P-256 then P-521, AES-128-GCM then AES-256-GCM, cache on. */
    public static final TcpCryptConfig DEFAULT = new TcpCryptConfig(CryptMode.DEFAULT,
            List.of(Tep.ECDHE_P256, Tep.ECDHE_P521), List.of(SymCipher.AES_128_GCM, SymCipher.AES_256_GCM),
            false, true, 10_000, Duration.ofMinutes(10), Duration.ofSeconds(60),
            Math.max(1, Runtime.getRuntime().availableProcessors()), List.of(Dialect.TCPCRYPT_05),
            DEFAULT_REKEY_BYTES, false);

    /** The settings without the dialect choice and re-key interval: tcpcrypt-0.5 only. */
    public TcpCryptConfig(CryptMode mode, List<Tep> teps, List<SymCipher> ciphers, boolean appAware,
            boolean sessionCache, int cacheSize, Duration cacheAge, Duration keyRotation, int workers) {
        this(mode, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation, workers,
                List.of(Dialect.TCPCRYPT_05), DEFAULT_REKEY_BYTES, false);
    }

    public TcpCryptConfig {
        teps = List.copyOf(teps);
        ciphers = List.copyOf(ciphers);
        if (teps.isEmpty() || ciphers.isEmpty()) {
            throw new IllegalArgumentException("at least one TEP and one cipher are needed");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1");
        }
        dialects = List.copyOf(dialects);
        if (dialects.isEmpty() || dialects.stream().distinct().count() != dialects.size()) {
            throw new IllegalArgumentException("dialects must name at least one dialect, each once");
        }
        if (rekeyAfterBytes < 0) {
            throw new IllegalArgumentException("rekeyAfterBytes must not be negative");
        }
    }

    /**
     * The TEPs offered in {@code dialect}: tcpcrypt-0.5 has only the NIST curves (a dialect left
     * without TEP or cipher is not offered, nor accepted).
     */
    public List<Tep> teps(Dialect dialect) {
        return dialect == Dialect.RFC8548 ? teps : teps.stream().filter(Tep::inDialect05).toList();
    }

    /** The ciphers offered in {@code dialect}: tcpcrypt-0.5 has only AES-GCM. */
    public List<SymCipher> ciphers(Dialect dialect) {
        return dialect == Dialect.RFC8548 ? ciphers : ciphers.stream().filter(SymCipher::inDialect05).toList();
    }

    public TcpCryptConfig withDialects(List<Dialect> d) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation,
                workers, d, rekeyAfterBytes, roleB);
    }

    public TcpCryptConfig withRoleB(boolean b) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation,
                workers, dialects, rekeyAfterBytes, b);
    }

    public TcpCryptConfig withRekeyAfterBytes(long bytes) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation,
                workers, dialects, bytes, roleB);
    }

    public TcpCryptConfig withMode(CryptMode m) {
        return new TcpCryptConfig(m, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation, workers, dialects, rekeyAfterBytes, roleB);
    }

    public TcpCryptConfig withTeps(List<Tep> t) {
        return new TcpCryptConfig(mode, t, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation, workers, dialects, rekeyAfterBytes, roleB);
    }

    public TcpCryptConfig withCiphers(List<SymCipher> c) {
        return new TcpCryptConfig(mode, teps, c, appAware, sessionCache, cacheSize, cacheAge, keyRotation, workers, dialects, rekeyAfterBytes, roleB);
    }

    public TcpCryptConfig withAppAware(boolean a) {
        return new TcpCryptConfig(mode, teps, ciphers, a, sessionCache, cacheSize, cacheAge, keyRotation, workers, dialects, rekeyAfterBytes, roleB);
    }

    public TcpCryptConfig withSessionCache(boolean on) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware, on, cacheSize, cacheAge, keyRotation, workers, dialects, rekeyAfterBytes, roleB);
    }

    public TcpCryptConfig withKeyRotation(Duration d) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, d, workers, dialects,
                rekeyAfterBytes, roleB);
    }
}
