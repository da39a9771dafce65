package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TcpCrypt#dialects}: a reload's dialects reach the settings of the next connections; the rest stays. */
class DialectsReloadTest {
    @Test
    void newDialectsAndRulesReplaceTheOldOnesOnly() throws Exception {
        TcpCryptConfig start = TcpCryptConfig.DEFAULT.withDialects(List.of(Dialect.RFC8548)).withSessionCache(false);
        TcpCrypt crypt = TcpCrypt.create(start, new SecureRandom(), Runnable::run, InstantSource.system());
        InetAddress legacy = InetAddress.getByName("198.18.5.7");
        assertThat(crypt.config().forPeer(legacy).offered()).isEqualTo(Dialect.RFC8548);

        crypt.dialects(List.of(Dialect.RFC8548, Dialect.TCPCRYPT_05),
                List.of(new DialectRule(InetAddress.getByName("198.18.5.0"), 24, List.of(Dialect.TCPCRYPT_05))));

        assertThat(crypt.config().dialects()).containsExactly(Dialect.RFC8548, Dialect.TCPCRYPT_05);
        assertThat(crypt.config().forPeer(legacy).offered()).isEqualTo(Dialect.TCPCRYPT_05);
        assertThat(crypt.config().forPeer(InetAddress.getByName("198.18.6.7")).offered()).isEqualTo(Dialect.RFC8548);
        assertThat(crypt.config().sessionCache()).isFalse(); // the rest as it was
    }
}
