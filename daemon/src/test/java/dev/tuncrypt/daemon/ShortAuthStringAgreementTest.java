package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.SessionId;
import org.junit.jupiter.api.Test;

/** The embedded stack's examples and the daemon's tools show one string for one session. */
class ShortAuthStringAgreementTest {
    @Test
    void tcpcryptAndClientLibraryAgree() {
        byte[] sid = new byte[33];
        for (int i = 0; i < sid.length; i++) {
            sid[i] = (byte) (i * 7 + 0x21);
        }
        sid[0] = 0x21;
        assertThat(dev.tuncrypt.tcpcrypt.ShortAuthString.of(SessionId.of(sid)))
                .isEqualTo(dev.tuncrypt.client.ShortAuthString.hexGroups(sid, 4));
    }
}
