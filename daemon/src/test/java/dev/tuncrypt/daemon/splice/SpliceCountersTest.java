package dev.tuncrypt.daemon.splice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class SpliceCountersTest {
    @Test
    void outcomesAreCountedOnceInTotalAndPerPeer() throws Exception {
        SpliceCounters c = new SpliceCounters(InstantSource.fixed(Instant.ofEpochMilli(1_234)));
        InetAddress b = InetAddress.getByName("198.18.0.2");
        c.countEncrypted(b, "rfc8548");
        c.countPlain(b);
        c.countRefused(b);
        c.countEnded(b, 10, 20);
        assertThat(c.encrypted()).isEqualTo(1);
        assertThat(c.plain()).isEqualTo(1);
        assertThat(c.refused()).isEqualTo(1);
        PeerCounters p = c.peers().get(b);
        assertThat(p.encrypted() + p.plain() + p.refused()).isEqualTo(3);
        assertThat(p.lastHandshakeMillis()).isEqualTo(1_234);
        assertThat(p.dialect()).isEqualTo("rfc8548");
        assertThat(p.bytesIn()).isEqualTo(10);
        assertThat(p.bytesOut()).isEqualTo(20);
    }

    @Test
    void peersBeyondTheBoundAreSummedUnderTheWildcardAddress() throws Exception {
        SpliceCounters c = new SpliceCounters();
        for (int i = 0; i < SpliceCounters.MAX_PEERS + 10; i++) {
            c.countPlain(InetAddress.getByAddress(new byte[] {(byte) 198, 19, (byte) (i >> 8), (byte) i}));
        }
        assertThat(c.peers()).hasSizeLessThanOrEqualTo(SpliceCounters.MAX_PEERS + 1);
        assertThat(c.peers().get(SpliceCounters.OTHER_PEERS).plain()).isEqualTo(10);
        assertThat(c.plain()).isEqualTo(SpliceCounters.MAX_PEERS + 10);
    }
}
