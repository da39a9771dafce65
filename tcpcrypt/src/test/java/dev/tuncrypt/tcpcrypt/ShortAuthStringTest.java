package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The short authentication string against a value computed independently (Python hashlib). */
class ShortAuthStringTest {

    private static SessionId sid(int first) {
        byte[] b = new byte[SessionId.LENGTH];
        b[0] = (byte) first;
        for (int i = 1; i < b.length; i++) {
            b[i] = (byte) (i - 1);
        }
        return SessionId.of(b);
    }

    @Test
    void fourGroupsOfFourHexDigitsOfSha256() {
        // python3: h = sha256(b'tuncrypt-sas' + bytes([0x21]) + bytes(range(32))).hexdigest().upper()[:16]
        assertThat(ShortAuthString.of(sid(0x21))).isEqualTo("FD67-3197-D882-504F");
    }

    @Test
    void differsForAnotherSession() {
        assertThat(ShortAuthString.of(sid(0xA1))).isNotEqualTo(ShortAuthString.of(sid(0x21)))
                .matches("[0-9A-F]{4}(-[0-9A-F]{4}){3}");
    }
}
