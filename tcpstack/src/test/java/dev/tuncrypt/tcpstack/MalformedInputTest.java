package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.TestPackets.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.wire.WireError;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Malformed packets are dropped and counted by reason; none escapes the loop as an exception. */
class MalformedInputTest {

    @Test
    void truncatedIpv4HeaderIsCounted() {
        try (StackHarness h = new StackHarness()) {
            byte[] p = Arrays.copyOf(echoRequest4(KERNEL4, STACK4, 1, 1, bytes(8, 0)), 12);
            assertThat(h.exchange(p)).isEmpty();
            assertThat(h.counters().malformedCount(WireError.TRUNCATED)).isEqualTo(1);
        }
    }

    @Test
    void badHeaderChecksumIsCounted() {
        try (StackHarness h = new StackHarness()) {
            byte[] p = echoRequest4(KERNEL4, STACK4, 1, 1, bytes(8, 0));
            p[8] = 1; // TTL changed, checksum not
            assertThat(h.exchange(p)).isEmpty();
            assertThat(h.counters().malformedCount(WireError.BAD_CHECKSUM)).isEqualTo(1);
        }
    }

    @Test
    void totalLengthBeyondPacketIsCounted() {
        try (StackHarness h = new StackHarness()) {
            byte[] p = echoRequest4(KERNEL4, STACK4, 1, 1, bytes(8, 0));
            byte[] cut = Arrays.copyOf(p, p.length - 4);
            assertThat(h.exchange(cut)).isEmpty();
            assertThat(h.counters().malformedCount(WireError.BAD_TOTAL_LENGTH)).isEqualTo(1);
        }
    }

    @Test
    void unknownVersionIsCounted() {
        try (StackHarness h = new StackHarness()) {
            byte[] p = echoRequest4(KERNEL4, STACK4, 1, 1, bytes(8, 0));
            p[0] = 0x55;
            assertThat(h.exchange(p)).isEmpty();
            assertThat(h.counters().drops(DropReason.UNSUPPORTED_IP_VERSION)).isEqualTo(1);
        }
    }

    @Test
    void randomGarbageNeverBreaksTheLoopAndEveryPacketIsAccounted() {
        SplittableRandom rnd = new SplittableRandom(7);
        try (StackHarness h = new StackHarness()) {
            int n = 20_000;
            for (int i = 0; i < n; i++) {
                byte[] p = switch (i % 4) {
                    case 0 -> echoRequest4(KERNEL4, STACK4, 1, i, bytes(rnd.nextInt(64), i));
                    case 1 -> tcp4(KERNEL4, STACK4, 1000, 9, i, 0, 2, new byte[0]);
                    case 2 -> echoRequest6(KERNEL6, STACK6, 1, i, bytes(16, i));
                    default -> udp4(KERNEL4, STACK4, 1, 2, bytes(8, i));
                };
                // flip a few random bits, or truncate
                for (int f = rnd.nextInt(4); f > 0; f--) {
                    p[rnd.nextInt(p.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                if (rnd.nextInt(5) == 0) {
                    p = Arrays.copyOf(p, rnd.nextInt(p.length));
                }
                h.send(p);
                if (i % 64 == 63) {
                    h.poll();
                    h.advance(1_000_000_000L); // keep the ICMP error bucket from mattering
                }
            }
            h.poll();
            h.advance(31_000_000_000L); // let half-reassembled datagrams expire and be counted
            StackCounters c = h.counters();
            assertThat(c.rxPackets()).isEqualTo(n);
            assertThat(c.drops(DropReason.INTERNAL_ERROR)).isZero();
            // every packet was either answered (echo/reset/error) or dropped for a counted reason
            long answeredOrDropped = c.echoReplies() + c.resetsSent() + c.totalDrops();
            assertThat(answeredOrDropped).isGreaterThanOrEqualTo(n);
        }
    }
}
