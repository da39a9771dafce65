package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpcrypt.CryptMode;
import dev.tuncrypt.tcpcrypt.Dialect;
import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --dialect} and {@code --dialect-for}: the default, per-prefix rules, usage errors. */
class DialectsTest {

    @Test
    void theDefaultDialectIsRfc8548() throws Exception {
        assertThat(Dialects.parse(Dialects.DEFAULT)).containsExactly(Dialect.RFC8548);
        assertThat(TcpCryptConfig.DEFAULT.dialects()).containsExactly(Dialect.RFC8548);
    }

    @Test
    void aPrefixRuleSelectsTheLegacyDialectForItsPeersOnly() throws Exception {
        TcpCryptConfig c = Dialects.config(CryptMode.DEFAULT, Dialects.parse("rfc8548"),
                Dialects.parseRules(List.of("198.18.5.0/24=tcpcrypt-0.5", "198.18.5.7=rfc8548", "2001:2::/32=tcpcrypt-0.5")));
        assertThat(c.forPeer(InetAddress.getByName("198.18.5.1")).dialects()).containsExactly(Dialect.TCPCRYPT_05);
        assertThat(c.forPeer(InetAddress.getByName("198.18.5.7")).dialects()).as("most specific wins")
                .containsExactly(Dialect.RFC8548);
        assertThat(c.forPeer(InetAddress.getByName("198.18.6.1")).dialects()).containsExactly(Dialect.RFC8548);
        assertThat(c.forPeer(InetAddress.getByName("2001:2::9")).offered()).isEqualTo(Dialect.TCPCRYPT_05);
        assertThat(c.withMode(CryptMode.ALWAYS).forPeer(InetAddress.getByName("198.18.5.1")).dialects())
                .as("rules survive per-connection settings").containsExactly(Dialect.TCPCRYPT_05);
    }

    @Test
    void badRulesAreUsageErrors() {
        assertThatThrownBy(() -> Dialects.parseRules(List.of("198.18.5.0/24"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("PREFIX=DIALECT");
        assertThatThrownBy(() -> Dialects.parseRules(List.of("198.18.5.0/24=tls"))).hasMessageContaining("unknown dialect 'tls'");
        assertThatThrownBy(() -> Dialects.parseRules(List.of("example.org=rfc8548"))).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> Dialects.parseRules(List.of("198.18.5.0/24=rfc8548", "198.18.5.9/24=tcpcrypt-0.5")))
                .hasMessageContaining("prefix given twice");
    }
}
