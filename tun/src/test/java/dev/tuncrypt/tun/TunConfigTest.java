package dev.tuncrypt.tun;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Checks made before the kernel is asked: no root needed. */
class TunConfigTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "has space", "tab\there", "sixteen-chars-xx", ".", "..", "tun:0", "tun%s",
        "t%d%d"})
    void openRejectsBadNamesBeforeTheKernel(String name) {
        TunException e = assertThrows(TunException.class, () -> TunDevice.open(TunConfig.of(name)));
        assertEquals(0, e.errno(), "found before any system call");
        assertEquals("validate name", e.operation());
        assertTrue(e.getMessage().contains("name"), e.getMessage());
    }

    @Test
    void messagesSayWhatIsWrong() {
        TunException slash = assertThrows(TunException.class, () -> TunDevice.validateName("a/b"));
        assertEquals("interface name 'a/b' must not contain '/', ':' or whitespace", slash.sentence());
        TunException tooLong = assertThrows(TunException.class, () -> TunDevice.validateName("sixteen-chars-xx"));
        assertTrue(tooLong.getMessage().contains("at most 15 bytes"), tooLong.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"t", "tun0", "fifteen-chars-x", "tun%d"})
    void acceptsNamesTheKernelAccepts(String name) {
        assertDoesNotThrow(() -> TunDevice.validateName(name));
    }

    @Test
    void moreThanOneQueueImpliesMultiQueue() {
        assertTrue(TunConfig.of("t").withQueues(2).multiQueue());
        assertEquals(1500, TunConfig.of("t").mtu());
    }

    @Test
    void offloadsNeedTheVnetHeaderAndTsoNeedsChecksums() {
        assertThrows(IllegalArgumentException.class, () -> TunConfig.of("t").withOffloads(TunConfig.TUN_F_CSUM));
        assertThrows(IllegalArgumentException.class,
                () -> TunConfig.of("t").withVnetHdr(true).withOffloads(TunConfig.TUN_F_TSO4));
        TunConfig ok = TunConfig.of("t").withVnetHdr(true).withOffloads(TunConfig.TUN_F_CSUM | TunConfig.TUN_F_TSO4);
        assertTrue(ok.segmentationOffload());
        assertThrows(IllegalArgumentException.class, () -> TunConfig.of("t").withQueues(0));
        assertThrows(IllegalArgumentException.class, () -> TunConfig.of("t").withMtu(67));
    }
}
