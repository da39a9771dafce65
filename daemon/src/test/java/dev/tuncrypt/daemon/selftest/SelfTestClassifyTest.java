package dev.tuncrypt.daemon.selftest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.SessionId;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import org.junit.jupiter.api.Test;

/** Every verdict from what this end saw and what the server answered. */
class SelfTestClassifyTest {
    private static final SessionId MINE = sid(0xAB);
    private static final TcpCryptInfo INFO = new TcpCryptInfo("tcpcrypt-0.5", MINE, Tep.ECDHE_P256,
            SymCipher.AES_128_GCM, false, false, new byte[0], new byte[0]);

    private static SessionId sid(int fill) {
        byte[] b = new byte[SessionId.LENGTH];
        java.util.Arrays.fill(b, (byte) fill);
        b[0] = 0x21;
        return SessionId.of(b);
    }

    @Test
    void sameSessionIdPasses() {
        SelfTestResult r = SelfTest.classify(true, INFO, MINE + "\n");
        assertThat(r).isEqualTo(new SelfTestResult.Passed(MINE));
        assertThat(r.passed()).isTrue();
    }

    @Test
    void anotherSessionIdIsAMismatch() {
        SelfTestResult r = SelfTest.classify(true, INFO, sid(2) + "\n");
        assertThat(r).isInstanceOf(SelfTestResult.SidMismatch.class);
        assertThat(r.describe()).contains(MINE.toString()).contains(sid(2).toString());
        assertThat(SelfTest.classify(true, INFO, "plain\n")).isInstanceOf(SelfTestResult.SidMismatch.class);
    }

    @Test
    void plainConnectionIsNotNegotiatedWhateverTheServerSays() {
        assertThat(SelfTest.classify(false, null, "plain\n")).isInstanceOf(SelfTestResult.NotNegotiated.class)
                .extracting(SelfTestResult::describe).asString().contains("confirms plain");
        SelfTestResult garbage = SelfTest.classify(false, null, "HTTP/1.0 400 Bad\r\n");
        assertThat(garbage).isInstanceOf(SelfTestResult.NotNegotiated.class);
        assertThat(garbage.describe()).contains("HTTP/1.0 400 Bad\\r\\n");
        assertThat(SelfTest.classify(true, null, "")).isInstanceOf(SelfTestResult.NotNegotiated.class);
    }

    @Test
    void encryptedButNoSessionLineIsABadAnswer() {
        assertThat(SelfTest.classify(true, INFO, "hello\u0001\n")).isEqualTo(new SelfTestResult.BadAnswer("'hello\\x01\\n'"));
        assertThat(SelfTest.classify(true, INFO, MINE.toHex() + "\n")).as("lower case is not the format")
                .isInstanceOf(SelfTestResult.BadAnswer.class);
        assertThat(SelfTest.classify(true, INFO, "").describe()).contains("closed without answering");
    }

    @Test
    void sessionLineRoundTrip() {
        assertThat(SessionLine.format(INFO)).isEqualTo(MINE + "\n").hasSize(67);
        assertThat(SessionLine.format(null)).isEqualTo("plain\n");
        assertThat(SessionLine.parse(SessionLine.format(INFO))).isEqualTo(new SessionLine.Answer.Sid(MINE));
        assertThat(SessionLine.parse("plain")).isEqualTo(new SessionLine.Answer.Plain());
    }
}
