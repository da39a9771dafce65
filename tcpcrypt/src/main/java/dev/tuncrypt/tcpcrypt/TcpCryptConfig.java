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
 * @param dialects wire dialects: role A offers the first only (one ENO option per segment, RFC
 *     8547 §4.1 and §11: never kind 69 and kind 253/0x454E together); role B accepts any of them
 *     (answering in the one the SYN offers). Default rfc8548 (RFC 8547 §11: current
 *     implementations MUST use option 69); tcpcrypt-0.5 for legacy tcpcryptd peers
 * @param rekeyAfterBytes rfc8548: plaintext bytes one direction seals under one key before it
 *     re-keys (RFC 8548 §3.8); 0 never re-keys. tcpcrypt-0.5 cannot re-key and ignores it
 * @param roleB rfc8548: set the b bit in the SYN, claiming role B should the SYNs cross
 *     (simultaneous open, RFC 8547 §4.2, §4.3); exactly one of the two hosts must set it
 * @param appAwareMandatory rfc8548: mandatory application-aware mode (RFC 8547 §4.2): set a and
 *     disable TCP-ENO unless the peer sets a too
 * @param resumeNonceLength rfc8548: bytes of the resumption nonce this side sends, 0 to 8 (RFC
 *     8548 §3.5, default 8); fewer are sent when the SYN's option space cannot take them
 * @param dialectRules per-prefix dialects ({@link DialectRule}), overriding {@code dialects} for
 *     the peers they match; none by default
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
        boolean roleB,
        boolean appAwareMandatory,
        int resumeNonceLength,
        List<DialectRule> dialectRules) {

    /** Re-key after this many bytes by default: far below AES-GCM's and ChaCha20-Poly1305's limits. */
    public static final long DEFAULT_REKEY_BYTES = 1L << 36;

    /**
     * The defaults: dialect rfc8548; X25519 (REQUIRED by RFC 8548 §5), P-256, X448, P-521;
     * AES-128-GCM (REQUIRED, §6), ChaCha20-Poly1305, AES-256-GCM; cache on. For tcpcrypt-0.5 the
     * lists keep to what tcpcryptd 0.5 has, in its order: P-256, P-521 and AES-128-GCM,
     * AES-256-GCM ({@link #teps(Dialect)}, {@link #ciphers(Dialect)}).
     */
    public static final TcpCryptConfig DEFAULT = new TcpCryptConfig(CryptMode.DEFAULT,
            List.of(Tep.ECDHE_X25519, Tep.ECDHE_P256, Tep.ECDHE_X448, Tep.ECDHE_P521),
            List.of(SymCipher.AES_128_GCM, SymCipher.CHACHA20_POLY1305, SymCipher.AES_256_GCM),
            false, true, 10_000, Duration.ofMinutes(10), Duration.ofSeconds(60),
            Math.max(1, Runtime.getRuntime().availableProcessors()), List.of(Dialect.RFC8548),
            DEFAULT_REKEY_BYTES, false, false, 8, List.of());

    /** The settings without the dialect choice and the rfc8548 options: tcpcrypt-0.5 only. */
    public TcpCryptConfig(CryptMode mode, List<Tep> teps, List<SymCipher> ciphers, boolean appAware,
            boolean sessionCache, int cacheSize, Duration cacheAge, Duration keyRotation, int workers) {
        this(mode, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation, workers,
                List.of(Dialect.TCPCRYPT_05), DEFAULT_REKEY_BYTES, false, false, 8, List.of());
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
        dialectRules = List.copyOf(dialectRules);
        if (resumeNonceLength < 0 || resumeNonceLength > 8) {
            throw new IllegalArgumentException("resumeNonceLength is 0 to 8 bytes (RFC 8548 §3.5)");
        }
    }

    /**
     * The settings for a connection with {@code peer}: the dialects of the most specific
     * {@link DialectRule} that matches it, or these settings unchanged.
     */
    public TcpCryptConfig forPeer(java.net.InetAddress peer) {
        DialectRule best = null;
        for (DialectRule r : dialectRules) {
            if (r.matches(peer) && (best == null || r.prefixLength() > best.prefixLength())) {
                best = r;
            }
        }
        return best == null || best.dialects().equals(dialects) ? this : withDialects(best.dialects());
    }

    public TcpCryptConfig withDialectRules(List<DialectRule> rules) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation,
                workers, dialects, rekeyAfterBytes, roleB, appAwareMandatory, resumeNonceLength, rules);
    }

    /** The dialect role A offers: the first of {@link #dialects()}. */
    public Dialect offered() {
        return dialects.get(0);
    }

    public TcpCryptConfig withAppAwareMandatory(boolean m) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware || m, sessionCache, cacheSize, cacheAge, keyRotation,
                workers, dialects, rekeyAfterBytes, roleB, m, resumeNonceLength, dialectRules);
    }

    public TcpCryptConfig withResumeNonceLength(int n) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation,
                workers, dialects, rekeyAfterBytes, roleB, appAwareMandatory, n, dialectRules);
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
                workers, d, rekeyAfterBytes, roleB, appAwareMandatory, resumeNonceLength, dialectRules);
    }

    public TcpCryptConfig withRoleB(boolean b) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation,
                workers, dialects, rekeyAfterBytes, b, appAwareMandatory, resumeNonceLength, dialectRules);
    }

    public TcpCryptConfig withRekeyAfterBytes(long bytes) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation,
                workers, dialects, bytes, roleB, appAwareMandatory, resumeNonceLength, dialectRules);
    }

    public TcpCryptConfig withMode(CryptMode m) {
        return new TcpCryptConfig(m, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation, workers, dialects, rekeyAfterBytes, roleB, appAwareMandatory, resumeNonceLength, dialectRules);
    }

    public TcpCryptConfig withTeps(List<Tep> t) {
        return new TcpCryptConfig(mode, t, ciphers, appAware, sessionCache, cacheSize, cacheAge, keyRotation, workers, dialects, rekeyAfterBytes, roleB, appAwareMandatory, resumeNonceLength, dialectRules);
    }

    public TcpCryptConfig withCiphers(List<SymCipher> c) {
        return new TcpCryptConfig(mode, teps, c, appAware, sessionCache, cacheSize, cacheAge, keyRotation, workers, dialects, rekeyAfterBytes, roleB, appAwareMandatory, resumeNonceLength, dialectRules);
    }

    public TcpCryptConfig withAppAware(boolean a) {
        return new TcpCryptConfig(mode, teps, ciphers, a, sessionCache, cacheSize, cacheAge, keyRotation, workers, dialects, rekeyAfterBytes, roleB, appAwareMandatory, resumeNonceLength, dialectRules);
    }

    public TcpCryptConfig withSessionCache(boolean on) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware, on, cacheSize, cacheAge, keyRotation, workers, dialects, rekeyAfterBytes, roleB, appAwareMandatory, resumeNonceLength, dialectRules);
    }

    public TcpCryptConfig withKeyRotation(Duration d) {
        return new TcpCryptConfig(mode, teps, ciphers, appAware, sessionCache, cacheSize, cacheAge, d, workers, dialects,
                rekeyAfterBytes, roleB, appAwareMandatory, resumeNonceLength, dialectRules);
    }
}
