package dev.tuncrypt.daemon.splice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.SessionId;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ConnectionLogTest {
    static final InetSocketAddress APP = new InetSocketAddress("198.18.1.1", 51962);
    static final InetSocketAddress DEST = new InetSocketAddress("198.18.0.2", 5000);
    static final byte[] PUBLIC_KEY = HexFormat.of().parseHex("04aabbccddeeff00112233445566778899");

    static TcpCryptInfo info() {
        byte[] sid = new byte[SessionId.LENGTH];
        sid[0] = 0x21;
        sid[1] = (byte) 0xAB;
        return new TcpCryptInfo("rfc8548", SessionId.of(sid), Tep.ECDHE_P256, SymCipher.AES_128_GCM, false, false,
                PUBLIC_KEY, PUBLIC_KEY);
    }

    @Test
    void openLineOfAnEncryptedConnection() {
        String line = ConnectionLog.open(Direction.OUTBOUND, APP, DEST, info(), null);
        assertThat(line).isEqualTo("open outbound 198.18.1.1:51962 -> 198.18.0.2:5000 encrypted dialect rfc8548 tep "
                + Tep.ECDHE_P256 + " cipher " + SymCipher.AES_128_GCM + " sid " + info().sessionId());
        assertThat(line).contains("sid 21AB00");
    }

    @Test
    void closeLineHasSessionBytesDurationAndReason() {
        String line = ConnectionLog.close(Direction.OUTBOUND, APP, DEST, "encrypted", info(), 12, 345,
                Duration.ofMillis(1204), "finished");
        assertThat(line).startsWith("close outbound 198.18.1.1:51962 -> 198.18.0.2:5000 encrypted sid 21AB00")
                .endsWith(" in 12 out 345 duration 1.204s reason finished");
    }

    @Test
    void plainAndRefusedLinesQuoteReasonsOfSeveralWords() {
        assertThat(ConnectionLog.open(Direction.INBOUND, DEST, APP, null, "no common TEP"))
                .isEqualTo("open inbound 198.18.0.2:5000 -> 198.18.1.1:51962 plain reason \"no common TEP\"");
        assertThat(ConnectionLog.refused(Direction.OUTBOUND, APP, DEST, "refused", "tcpcrypt required"))
                .isEqualTo("close outbound 198.18.1.1:51962 -> 198.18.0.2:5000 refused in 0 out 0 duration 0.000s"
                        + " reason \"tcpcrypt required\"");
    }

    @Test
    void addressesHaveNoSlashAndIpv6IsBracketed() {
        assertThat(ConnectionLog.address(APP)).isEqualTo("198.18.1.1:51962");
        assertThat(ConnectionLog.address(new InetSocketAddress("2001:2::1", 443))).isEqualTo("[2001:2:0:0:0:0:0:1]:443");
        String line = ConnectionLog.open(Direction.OUTBOUND, APP, DEST, info(), null);
        assertThat(line).doesNotContain("/");
    }

    @Test
    void neverKeyMaterial() {
        String open = ConnectionLog.open(Direction.OUTBOUND, APP, DEST, info(), null);
        String close = ConnectionLog.close(Direction.OUTBOUND, APP, DEST, "encrypted", info(), 1, 1, Duration.ZERO, "x");
        for (String line : new String[] {open, close}) {
            assertThat(line.toLowerCase()).doesNotContain("aabbccddeeff").doesNotContain("key");
        }
    }
}
