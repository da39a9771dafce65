package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** ADDR:PORT, [IPv6]:PORT and bare addresses with a default port; one clear sentence for the rest. */
class HostPortTest {

    @Test
    void parsesTheForms() throws Exception {
        assertThat(HostPort.parse("127.0.0.1:9464", 0)).isEqualTo(new HostPort(InetAddress.ofLiteral("127.0.0.1"), 9464));
        assertThat(HostPort.parse("[::1]:9464", 0)).isEqualTo(new HostPort(InetAddress.ofLiteral("::1"), 9464));
        assertThat(HostPort.parse("198.18.7.2", 7777).port()).isEqualTo(7777);
        assertThat(HostPort.parse("2001:2::1", 7777)).isEqualTo(new HostPort(InetAddress.ofLiteral("2001:2::1"), 7777));
        assertThat(HostPort.parse("[2001:2::1]", 7777).port()).isEqualTo(7777);
        assertThat(HostPort.parse("[::1]:9464", 0)).hasToString("[::1]:9464");
        assertThat(HostPort.parse("127.0.0.1:80", 0)).hasToString("127.0.0.1:80");
    }

    @Test
    void rejectsWithASentence() {
        assertThatThrownBy(() -> HostPort.parse("127.0.0.1", 0)).isInstanceOf(UsageException.class)
                .hasMessageContaining("a port is required");
        assertThatThrownBy(() -> HostPort.parse("127.0.0.1:0", 0)).hasMessageContaining("is not a port");
        assertThatThrownBy(() -> HostPort.parse("127.0.0.1:65536", 0)).hasMessageContaining("is not a port");
        assertThatThrownBy(() -> HostPort.parse("127.0.0.1:x", 0)).hasMessageContaining("is not a port");
        assertThatThrownBy(() -> HostPort.parse("localhost:80", 0)).hasMessageContaining("is not an IPv4 or IPv6");
        assertThatThrownBy(() -> HostPort.parse("[::1:80", 0)).hasMessageContaining("missing ']'");
        assertThatThrownBy(() -> HostPort.parse("[127.0.0.1]:80", 0)).hasMessageContaining("IPv6 addresses only");
        assertThatThrownBy(() -> HostPort.parse(":80", 0)).hasMessageContaining("an address is needed");
    }
}
