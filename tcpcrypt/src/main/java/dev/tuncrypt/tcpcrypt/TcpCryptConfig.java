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
        int workers) {

    /** tcpcryptd 0.5's defaults: P-256 then P-521, AES-128-GCM then AES-256-GCM, cache on. */
    public static final TcpCryptConfig DEFAULT = new TcpCryptConfig(CryptMode.DEFAULT,
            List.of(Tep.ECDHE_P256, Tep.ECDHE_P521), List.of(SymCipher.AES_128_GCM, SymCipher.AES_256_GCM),
            false, true, 10_000, Duration.ofMinutes(10), Duration.ofSeconds(60),
            Math.max(1, Runtime.getRuntime().availableProcessors()));

    public TcpCryptConfig {
        teps = List.copyOf(teps);
        ciphers = List.copyOf(ciphers);
        if (teps.isEmpty() || ciphers.isEmpty()) {
            throw new IllegalArgumentException("at least one TEP and one cipher are needed");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1");
        }
    }

    public TcpCryptConfig withMode(CryptMode m) {
        return new TcpCryptConfig(m, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation, workers);
    }

    public TcpCryptConfig withTeps(List<Tep> t) {
        return new TcpCryptConfig(mode, t, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation, workers);
    }

    public TcpCryptConfig withCiphers(List<SymCipher> c) {
        return new TcpCryptConfig(mode, teps, c, appAware, sessionCache, cacheSize, cacheAge, keyRotation, workers);
    }

    public TcpCryptConfig withAppAware(boolean a) {
        return new TcpCryptConfig(mode, teps, ciphers, a, sessionCache, cacheSize, cacheAge, keyRotation, workers);
    }

    public TcpCryptConfig withSessionCache(boolean on) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware, on, cacheSize, cacheAge, keyRotation, workers);
    }

    public TcpCryptConfig withKeyRotation(Duration d) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, d, workers);
    }
}
