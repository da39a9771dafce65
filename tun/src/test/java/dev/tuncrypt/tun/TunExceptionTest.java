package dev.tuncrypt.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TunExceptionTest {

    @Test
    void permissionErrorsSayHowToGetPermission() {
        for (Errno errno : new Errno[] {Errno.EPERM, Errno.EACCES}) {
            TunException e = TunException.of("open /dev/net/tun", "/dev/net/tun", errno.code());
            assertEquals("/dev/net/tun: permission denied — run as root or give CAP_NET_ADMIN", e.sentence());
            assertEquals("/dev/net/tun: permission denied — run as root or give CAP_NET_ADMIN (open /dev/net/tun: "
                    + errno.name() + ")", e.getMessage());
            assertTrue(e.is(errno));
            assertEquals(errno.code(), e.errno());
        }
    }

    @Test
    void otherErrorsCarryTheKernelsText() {
        TunException e = TunException.of("SIOCSIFMTU", "tt0", Errno.ENODEV.code());
        assertEquals("tt0: No such device (SIOCSIFMTU: ENODEV)", e.getMessage());
        assertEquals("SIOCSIFMTU", e.operation());
    }

    @Test
    void unlistedErrnoValuesAreNamedByNumber() {
        assertEquals("errno 12345", Errno.nameOf(12345));
        assertEquals("EBUSY", Errno.nameOf(16));
    }
}
