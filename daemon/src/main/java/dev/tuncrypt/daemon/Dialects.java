package dev.tuncrypt.daemon;

import dev.tuncrypt.tcpcrypt.CryptMode;
import dev.tuncrypt.tcpcrypt.Dialect;
import dev.tuncrypt.tcpcrypt.DialectRule;
import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --dialect} and {@code --dialect-for} of {@code tuncryptd} and {@code tuncrypt nc}:
 * parsing and the tcpcrypt settings they imply. The default dialect is rfc8548 (RFC 8547 §11:
 * current implementations MUST use option 69); tcpcrypt-0.5 is for legacy tcpcryptd peers, chosen
 * globally or per destination prefix. A list names what a listening side accepts; a connecting
 * side offers its first only (one ENO option per segment, RFC 8547 §4.1, §11).
 */
public final class Dialects {
    private Dialects() {}

    /** What {@code --dialect} means when not given. */
    public static final String DEFAULT = "rfc8548";

    /**
     * The dialects of {@code --dialect}: one name or a comma-separated list, each once.
     *
     * @throws UsageException naming the bad entry
     */
    public static List<Dialect> parse(String value) throws UsageException {
        return parse("--dialect", value);
    }

    private static List<Dialect> parse(String option, String value) throws UsageException {
        List<Dialect> list = new ArrayList<>();
        for (String name : value.split(",", -1)) {
            Dialect d = Dialect.byName(name.strip());
            if (d == null) {
                throw new UsageException(option + " " + value + ": unknown dialect '" + name.strip()
                        + "' (known: rfc8548, tcpcrypt-0.5)");
            }
            if (list.contains(d)) {
                throw new UsageException(option + " " + value + ": " + d + " named twice");
            }
            list.add(d);
        }
        return list;
    }

    /**
     * The rules of {@code --dialect-for PREFIX=NAME[,NAME]} (repeatable): the peers in PREFIX use
     * these dialects instead of {@code --dialect}'s.
     *
     * @throws UsageException naming the bad entry
     */
    public static List<DialectRule> parseRules(List<String> values) throws UsageException {
        List<DialectRule> rules = new ArrayList<>();
        for (String v : values) {
            int eq = v.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--dialect-for " + v + ": expected PREFIX=DIALECT, e.g. 198.18.5.0/24=tcpcrypt-0.5");
            }
            Cidr prefix;
            try {
                prefix = Cidr.parse(v.substring(0, eq).strip());
            } catch (UsageException e) {
                throw new UsageException("--dialect-for " + v + ": " + e.getMessage());
            }
            DialectRule rule = new DialectRule(prefix.address(), prefix.prefixLength(),
                    parse("--dialect-for", v.substring(eq + 1).strip()));
            for (DialectRule r : rules) {
                if (r.prefixLength() == rule.prefixLength() && r.matches(rule.network())) {
                    throw new UsageException("--dialect-for " + v + ": prefix given twice");
                }
            }
            rules.add(rule);
        }
        return rules;
    }

    /** tcpcrypt settings for {@code dialects}: every TEP and AEAD (tcpcrypt-0.5 keeps to its own by itself). */
    static TcpCryptConfig config(CryptMode mode, List<Dialect> dialects) {
        return TcpCryptConfig.DEFAULT.withMode(mode).withDialects(dialects);
    }

    /** {@link #config(CryptMode, List)} with per-prefix rules. */
    public static TcpCryptConfig config(CryptMode mode, List<Dialect> dialects, List<DialectRule> rules) {
        return config(mode, dialects).withDialectRules(rules);
    }
}
