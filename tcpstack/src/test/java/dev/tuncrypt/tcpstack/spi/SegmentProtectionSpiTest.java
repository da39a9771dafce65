package dev.tuncrypt.tcpstack.spi;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.tuncrypt.tcpstack.TestPackets.KERNEL4;
import static dev.tuncrypt.tcpstack.TestPackets.STACK4;

import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.SegmentBuilder;
import dev.tuncrypt.tcpstack.StackHarness;
import dev.tuncrypt.tcpstack.sim.AcceptAll;
import dev.tuncrypt.tcpstack.sim.Simulation;
import dev.tuncrypt.tcpstack.wire.Ipv4View;
import dev.tuncrypt.tcpstack.wire.TcpView;
import dev.tuncrypt.tcpstack.testsupport.StreamSink;
import dev.tuncrypt.tcpstack.tcp.ListenEndpoint;
import dev.tuncrypt.tcpstack.tcp.SegmentProtection;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tun.FaultModel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The {@link SegmentProtection} SPI end to end between two stacks, with a toy protection:
 * negotiation in the SYNs, opening messages, frames sealed once and resent unchanged under
 * loss, one frame per segment, failures resetting the connection, fallback and "required".
 */
class SegmentProtectionSpiTest {


    private static Simulation sim(long seed, FaultModel faults, SegmentProtection.Factory a, SegmentProtection.Factory b) {
        return Simulation.builder(seed).faults(faults).stackA(s -> s.protection(a)).stackB(s -> s.protection(b)).build();
    }

    /** B listens on 7777; A connects; returns [A's connection, B's accepted connection holder]. */
    private static TcpConnection[] connect(Simulation sim, StreamSink aSink, StreamSink bSink) {
        TcpConnection[] accepted = new TcpConnection[1];
        TcpLayer bl = sim.b().tcp(0);
        bl.addListener(new ListenEndpoint(7777, false, bl.config(), AcceptAll.calling(connection -> {
            connection.setListener(bSink);
            accepted[0] = connection;
        })));
        TcpConnection a = sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7777),
                sim.a().tcp(0).config(), aSink);
        sim.runUntil(() -> accepted[0] != null && a.state() == TcpState.ESTABLISHED, 5 * Simulation.SECOND);
        return new TcpConnection[] {a, accepted[0]};
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void framesCarryTheStreamBothWaysUnderLossAndCloseCleanly() {
        FaultModel lossy = FaultModel.NONE.withLoss(0.05).withReorder(0.05, 3 * Simulation.MILLISECOND)
                .withDuplicate(0.02).withDelay(2 * Simulation.MILLISECOND, 0);
        try (Simulation sim = sim(11, lossy, ToyProtection.factory(true, false), ToyProtection.factory(true, false))) {
            StreamSink aSink = new StreamSink();
            StreamSink bSink = new StreamSink();
            TcpConnection[] c = connect(sim, aSink, bSink);
            byte[] up = random(3 << 20, 1);
            byte[] down = random(1 << 20, 2);
            ByteBuffer upBuf = ByteBuffer.wrap(up);
            ByteBuffer downBuf = ByteBuffer.wrap(down);
            sim.runUntil(() -> {
                if (upBuf.hasRemaining()) {
                    c[0].send(upBuf);
                    if (!upBuf.hasRemaining()) {
                        c[0].shutdownOutput();
                    }
                }
                if (downBuf.hasRemaining()) {
                    c[1].send(downBuf);
                    if (!downBuf.hasRemaining()) {
                        c[1].shutdownOutput();
                    }
                }
                return aSink.eof && bSink.eof;
            }, 600 * Simulation.SECOND, "both streams delivered");
            assertThat(bSink.data.toByteArray()).isEqualTo(up);
            assertThat(aSink.data.toByteArray()).isEqualTo(down);
            assertThat(c[0].stats().retransmits()).isPositive();
        }
    }

    @Test
    void everyDataSegmentCarriesExactlyOneWholeFrame() {
        // the test plays the peer by hand, so it sees every segment the stack sends
        try (StackHarness h = new StackHarness(NetStack.builder().protection(ToyProtection.factory(true, false)))) {
            TcpConnection c = h.stack.tcp(0).connect(null, new InetSocketAddress("198.18.7.1", 7777),
                    h.stack.tcp(0).config(), new StreamSink());
            TcpView syn = segment(h.poll().get(0));
            long iss = syn.sequenceNumber();
            int port = syn.sourcePort();
            byte[] exp = {(byte) 253, 4, 0x7E, 0x57};
            List<byte[]> out = h.exchange(SegmentBuilder.v4(KERNEL4, STACK4, 7777, port).seq(9000).ack(iss + 1)
                    .flags(TcpView.SYN | TcpView.ACK).mss(1460).options(exp).build());
            assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
            // the opening message went out as its own segment
            byte[] helo = payloadOf(out.getLast());
            assertThat(new String(helo)).isEqualTo("HELO");
            h.exchange(SegmentBuilder.v4(KERNEL4, STACK4, 7777, port).seq(9001).ack(iss + 5).payload("HELO".getBytes())
                    .build());
            c.setNoDelay(true);
            c.send(ByteBuffer.wrap(random(10_000, 4)));
            List<byte[]> data = h.poll();
            int total = 0;
            for (byte[] p : data) {
                byte[] payload = payloadOf(p);
                if (payload.length == 0) {
                    continue;
                }
                int len = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
                assertThat(payload.length).as("one whole frame per segment").isEqualTo(3 + len + 4);
                total += len;
            }
            assertThat(total).isGreaterThan(0);
        }
    }

    private static TcpView segment(byte[] packet) {
        ByteBuffer b = ByteBuffer.wrap(packet);
        Ipv4View ip = new Ipv4View();
        assertThat(ip.wrap(b, 0, packet.length)).isNull();
        TcpView t = new TcpView();
        assertThat(t.wrap(b, ip.payloadOffset(), ip.payloadLength())).isNull();
        return t;
    }

    private static byte[] payloadOf(byte[] packet) {
        TcpView t = segment(packet);
        byte[] p = new byte[t.payloadLength()];
        ByteBuffer.wrap(packet).get(t.payloadOffset(), p);
        return p;
    }

    @Test
    void aCorruptedFrameResetsTheConnectionAndDeliversNothingForged() {
        try (Simulation sim = sim(13, FaultModel.NONE, ToyProtection.factory(true, false), ToyProtection.factory(true, false))) {
            StreamSink aSink = new StreamSink();
            StreamSink bSink = new StreamSink();
            TcpConnection[] c = connect(sim, aSink, bSink);
            c[0].send(ByteBuffer.wrap("good".getBytes()));
            sim.runUntil(() -> bSink.data.size() == 4, Simulation.SECOND);
            // A seals a frame with a wrong checksum: B must refuse it and deliver none of it
            ToyProtection.Stream.sabotageNext = true;
            c[0].send(ByteBuffer.wrap("evil".getBytes()));
            sim.runUntil(() -> bSink.closed, Simulation.SECOND);
            assertThat(bSink.closedWith).isEqualTo(TcpError.PROTECTION_FAILED);
            assertThat(new String(bSink.data.toByteArray())).isEqualTo("good");
            sim.runUntil(() -> aSink.closed, Simulation.SECOND);
            assertThat(aSink.closedWith).isEqualTo(TcpError.RESET);
            assertThat(sim.b().tcp(0).counters().protectionFailures()).isEqualTo(1);
        }
    }

    @Test
    void aPeerWithoutTheProtectionGetsPlainTcp() {
        try (Simulation sim = sim(14, FaultModel.NONE, ToyProtection.factory(true, false), ToyProtection.factory(false, false))) {
            StreamSink aSink = new StreamSink();
            StreamSink bSink = new StreamSink();
            TcpConnection[] c = connect(sim, aSink, bSink);
            c[0].send(ByteBuffer.wrap("plain".getBytes()));
            sim.runUntil(() -> bSink.data.size() == 5, Simulation.SECOND);
            assertThat(new String(bSink.data.toByteArray())).isEqualTo("plain");
            assertThat(c[0].protection().transformsStream()).isFalse();
        }
    }

    @Test
    void requiredProtectionRefusesAPlainPeer() {
        try (Simulation sim = sim(15, FaultModel.NONE, ToyProtection.factory(true, true), ToyProtection.factory(false, false))) {
            StreamSink aSink = new StreamSink();
            TcpLayer bl = sim.b().tcp(0);
            bl.addListener(new ListenEndpoint(7777, false, bl.config(), new ListenEndpoint.AcceptSink() {
                @Override
                public boolean full() {
                    return false;
                }

                @Override
                public void accept(TcpConnection connection, TcpLayer layer) {}
            }));
            TcpConnection a = sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7777),
                    sim.a().tcp(0).config(), aSink);
            sim.runUntil(() -> aSink.closed, 5 * Simulation.SECOND);
            assertThat(aSink.closedWith).isEqualTo(TcpError.NOT_PROTECTED);
            assertThat(a.state()).isEqualTo(TcpState.CLOSED);
            assertThat(sim.a().tcp(0).counters().refusedUnprotected()).isEqualTo(1);
        }
    }
}
