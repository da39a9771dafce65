package dev.tuncrypt.daemon.splice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class PendingConnectsTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void aFloodFromOneSourceStopsAtThePerSourceBoundOthersStillGetIn() throws Exception {
        PendingConnects p = new PendingConnects();
        for (int i = 0; i < 4; i++) {
            assertThat(p.tryAcquire(ip("198.18.9.1"), 10, 4)).isNull();
        }
        assertThat(p.tryAcquire(ip("198.18.9.1"), 10, 4)).isEqualTo(PendingConnects.Refusal.PER_SOURCE);
        assertThat(p.tryAcquire(ip("198.18.9.2"), 10, 4)).isNull();
        assertThat(p.pending()).isEqualTo(5);
        p.release(ip("198.18.9.1"));
        assertThat(p.tryAcquire(ip("198.18.9.1"), 10, 4)).as("a slot given back is free again").isNull();
    }

    @Test
    void spoofedSourcesStopAtTheGlobalBoundAndEveryReleaseFreesExactlyOne() throws Exception {
        PendingConnects p = new PendingConnects();
        int taken = 0;
        for (int i = 0; i < 10_000; i++) { // every SYN from another (spoofed) address
            if (p.tryAcquire(ip("198.18." + (i >> 8 & 0xff) + "." + (i & 0xff)), 512, 4) == null) {
                taken++;
            }
        }
        assertThat(taken).isEqualTo(512);
        assertThat(p.pending()).isEqualTo(512);
        assertThat(p.tryAcquire(ip("198.19.0.1"), 512, 4)).isEqualTo(PendingConnects.Refusal.GLOBAL);
        for (int i = 0; i < 512; i++) {
            p.release(ip("198.18." + (i >> 8 & 0xff) + "." + (i & 0xff)));
        }
        p.release(ip("198.19.0.1")); // never taken: no effect
        assertThat(p.pending()).isZero();
        assertThat(p.sources()).isZero();
    }
}
