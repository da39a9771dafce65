package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.TestPackets.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.ip.Ipv4Reassembler;
import dev.tuncrypt.tcpstack.wire.Ipv4View;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 791 §3.2 reassembly, and the limits that keep it from being a memory or overlap attack. */
class Ipv4ReassemblyTest {

    private static byte[] bigEcho(int dataLength, int seq) {
        return echoRequest4(KERNEL4, STACK4, 0x4242, seq, bytes(dataLength, seq));
    }

    /** Joins the reply fragments the stack sent back into the ICMP message they carry. */
    private static byte[] reassembleReply(List<byte[]> fragments) {
        Ipv4View ip = new Ipv4View();
        byte[] whole = new byte[65535];
        int end = 0;
        for (byte[] f : fragments) {
            ByteBuffer b = ByteBuffer.wrap(f);
            assertThat(ip.wrap(b, 0, f.length)).isNull();
            assertThat(f.length).isLessThanOrEqualTo(1500);
            b.get(ip.payloadOffset(), whole, ip.fragmentOffset(), ip.payloadLength());
            if (!ip.moreFragments()) {
                end = ip.fragmentOffset() + ip.payloadLength();
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(whole, 0, end);
        return out.toByteArray();
    }

    @Test
    void fragmentedEchoInAnyOrderIsReassembledAndTheReplyFragmentedToTheMtu() {
        byte[] request = bigEcho(4000, 1);
        List<byte[]> frags = new ArrayList<>(fragment(request, 1480));
        Collections.shuffle(frags, new Random(3));
        try (StackHarness h = new StackHarness()) {
            for (byte[] f : frags) {
                h.send(f);
            }
            List<byte[]> reply = h.poll();
            assertThat(reply).hasSize(3);
            byte[] icmp = reassembleReply(reply);
            assertThat(icmp).hasSize(4008);
            assertThat(icmp[0]).isEqualTo((byte) 0);
            byte[] data = new byte[4000];
            System.arraycopy(icmp, 8, data, 0, 4000);
            assertThat(data).isEqualTo(bytes(4000, 1));
            assertThat(h.counters().datagramsReassembled()).isEqualTo(1);
            assertThat(h.stack.loop(0).reassembler().memoryInUse()).isZero();
        }
    }

    @Test
    void exactDuplicateFragmentsAreHarmless() {
        List<byte[]> frags = fragment(bigEcho(3000, 2), 1000);
        try (StackHarness h = new StackHarness()) {
            h.send(frags.get(0));
            h.send(frags.get(0));
            h.send(frags.get(1));
            h.send(frags.get(2));
            h.send(frags.get(3));
            assertThat(h.poll()).isNotEmpty();
            assertThat(h.counters().echoReplies()).isEqualTo(1);
        }
    }

    @Test
    void overlappingFragmentDiscardsTheWholeDatagram() {
        byte[] request = bigEcho(3000, 3);
        List<byte[]> frags = fragment(request, 1000);
        // a forged fragment at offset 496 overlapping the first one
        List<byte[]> evil = fragment(request, 496);
        try (StackHarness h = new StackHarness()) {
            h.send(frags.get(0));
            h.send(evil.get(1));
            for (int i = 1; i < frags.size(); i++) {
                h.send(frags.get(i));
            }
            h.poll();
            assertThat(h.counters().echoReplies()).isZero();
            assertThat(h.counters().drops(DropReason.FRAGMENT_OVERLAP)).isEqualTo(1);
        }
    }

    @Test
    void incompleteDatagramTimesOutWithTimeExceeded() {
        List<byte[]> frags = fragment(bigEcho(3000, 4), 1000);
        try (StackHarness h = new StackHarness()) {
            h.send(frags.get(0));
            h.send(frags.get(2));
            assertThat(h.poll()).isEmpty();
            assertThat(h.stack.loop(0).nextDeadline()).isLessThan(Long.MAX_VALUE);
            assertThat(h.advance(29_000_000_000L)).isEmpty();
            List<byte[]> out = h.advance(2_000_000_000L);
            assertThat(out).hasSize(1);
            assertThat(out.get(0)[20]).isEqualTo((byte) 11); // time exceeded
            assertThat(out.get(0)[21]).isEqualTo((byte) 1); // reassembly
            assertThat(h.counters().drops(DropReason.FRAGMENT_TIMEOUT)).isEqualTo(1);
            assertThat(h.stack.loop(0).reassembler().memoryInUse()).isZero();
        }
    }

    @Test
    void memoryLimitBoundsWhatAFloodOfFirstFragmentsCanHold() {
        StackConfig small = StackConfig.DEFAULT.withReassembly(new Ipv4Reassembler.Limits(8, 16_000, 30_000_000_000L, 64));
        try (StackHarness h = new StackHarness(NetStack.builder().config(small))) {
            for (int i = 0; i < 100; i++) {
                byte[] p = bigEcho(3000, i);
                ByteBuffer.wrap(p).putShort(4, (short) i); // distinct IP ids
                byte[] first = fragment(fixChecksum(p), 1000).get(0);
                h.send(first);
            }
            h.poll();
            assertThat(h.stack.loop(0).reassembler().memoryInUse()).isLessThanOrEqualTo(16_000);
            assertThat(h.stack.loop(0).reassembler().inProgress()).isLessThanOrEqualTo(8);
            assertThat(h.counters().drops(DropReason.FRAGMENT_LIMIT)).isGreaterThanOrEqualTo(92);
        }
    }

    private static byte[] fixChecksum(byte[] p) {
        ByteBuffer b = ByteBuffer.wrap(p);
        b.putShort(10, (short) 0);
        b.putShort(10, (short) dev.tuncrypt.tcpstack.wire.Checksum.compute(b, 0, 20));
        return p;
    }
}
