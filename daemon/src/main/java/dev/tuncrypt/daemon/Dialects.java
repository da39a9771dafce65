package dev.tuncrypt.daemon;

import dev.tuncrypt.tcpcrypt.CryptMode;
import dev.tuncrypt.tcpcrypt.Dialect;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import dev.tuncrypt.tcpcrypt.Tep;
import java.util.ArrayList;
import java.util.List;

/** {@code --dialect} of {@code tuncryptd} and {@code tuncrypt nc}: parsing and the tcpcrypt settings it implies. */
final class Dialects {
    private Dialects() {}

    /**
     * The dialects of {@code --dialect}: one name or a comma-separated list, each once.
     *
     * @throws UsageException naming the bad entry
     */
    static List<Dialect> parse(String value) throws UsageException {
        List<Dialect> list = new ArrayList<>();
        for (String name : value.split(",", -1)) {
            Dialect d = Dialect.byName(name.strip());
            if (d == null) {
                throw new UsageException("--dialect " + value + ": unknown dialect '" + name.strip()
                        + "' (known: tcpcrypt-0.5, rfc8548)");
            }
            if (list.contains(d)) {
                throw new UsageException("--dialect " + value + ": " + d + " named twice");
            }
            list.add(d);
        }
        return list;
    }

    /**
     * tcpcrypt settings for {@code dialects}: with rfc8548 among them every TEP and AEAD it has is
     * offered (the tcpcrypt-0.5 offer keeps to P-256/P-521 and AES-GCM by itself).
     */
    static TcpCryptConfig config(CryptMode mode, List<Dialect> dialects) {
        TcpCryptConfig c = TcpCryptConfig.DEFAULT.withMode(mode).withDialects(dialects);
        if (dialects.contains(Dialect.RFC8548)) {
            c = c.withTeps(List.of(Tep.ECDHE_P256, Tep.ECDHE_X25519, Tep.ECDHE_P521, Tep.ECDHE_X448))
                    .withCiphers(List.of(SymCipher.AES_128_GCM, SymCipher.CHACHA20_POLY1305, SymCipher.AES_256_GCM));
        }
        return c;
    }
}
