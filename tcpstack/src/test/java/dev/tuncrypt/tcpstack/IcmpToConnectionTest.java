package dev.tuncrypt.tcpstack;

import static dev.tuncrypt.tcpstack.TestPackets.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.tcp.ConnectionListener;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.tcp.TcpState;
import dev.tuncrypt.tcpstack.wire.Ipv4View;
import dev.tuncrypt.tcpstack.wire.TcpView;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** ICMP errors reaching connections: RFC 1122 §4.2.3.9, RFC 5927 §4.1, RFC 1191. */
class IcmpToConnectionTest {
    private final Ipv4View ip = new Ipv4View();
    private final TcpView tcp = new TcpView();

    private static byte[] destinationUnreachable(int code, int mtu, byte[] quotedPacket) {
        byte[] quoted = Arrays.copyOf(quotedPacket, Math.min(quotedPacket.length, 28));
        ByteBuffer b = ByteBuffer.allocate(8 + quoted.length);
        b.put(0, (byte) 3).put(1, (byte) code).putShort(6, (short) mtu).put(8, quoted);
        b.putShort(2, (short) dev.tuncrypt.tcpstack.wire.Checksum.compute(b, 0, b.capacity(), 0));
        return ipv4(KERNEL4, STACK4, 1, 77, b.array());
    }

    private TcpView parse(byte[] p) {
        ByteBuffer b = ByteBuffer.wrap(p);
        assertThat(ip.wrap(b, 0, p.length)).isNull();
        assertThat(tcp.wrap(b, ip.payloadOffset(), ip.payloadLength())).isNull();
        return tcp;
    }

    @Test
    void portUnreachableDuringHandshakeRefusesTheConnect() {
        try (StackHarness h = new StackHarness()) {
            AtomicReference<TcpError> closed = new AtomicReference<>();
            TcpConnection c = h.stack.tcp(0).connect(null, new InetSocketAddress("198.18.7.1", 80),
                    h.stack.tcp(0).config(), new ConnectionListener() {
                        @Override
                        public void onClosed(TcpConnection conn, TcpError reason) {
                            closed.set(reason);
                        }
                    });
            List<byte[]> out = h.poll();
            assertThat(out).hasSize(1);
            byte[] syn = out.get(0);
            assertThat(h.exchange(destinationUnreachable(3, 0, syn))).isEmpty();
            assertThat(c.state()).isEqualTo(TcpState.CLOSED);
            assertThat(closed.get()).isEqualTo(TcpError.REFUSED);
        }
    }

    @Test
    void errorQuotingASequenceNumberOutsideTheWindowIsIgnored() {
        try (StackHarness h = new StackHarness()) {
            TcpConnection c = h.stack.tcp(0).connect(null, new InetSocketAddress("198.18.7.1", 80),
                    h.stack.tcp(0).config(), new ConnectionListener() {});
            byte[] syn = h.poll().get(0);
            ByteBuffer forged = ByteBuffer.wrap(syn.clone());
            forged.putInt(20 + 4, forged.getInt(20 + 4) + 100_000); // a sequence number we never sent
            h.exchange(destinationUnreachable(3, 0, forged.array()));
            assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        }
    }

    @Test
    void fragmentationNeededShrinksSegmentsAndResends() {
        try (StackHarness h = new StackHarness()) {
            TcpConnection c = h.stack.tcp(0).connect(null, new InetSocketAddress("198.18.7.1", 80),
                    h.stack.tcp(0).config(), new ConnectionListener() {});
            TcpView syn = parse(h.poll().get(0));
            int local = syn.sourcePort();
            long iss = syn.sequenceNumber();
            // SYN-ACK without options: MSS 536 default would be too small to show the change, so offer 1460
            byte[] synAck = SegmentBuilder.v4(KERNEL4, STACK4, 80, local).seq(5000).ack(iss + 1)
                    .flags(TcpView.SYN | TcpView.ACK).mss(1460).build();
            h.exchange(synAck);
            assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
            c.send(ByteBuffer.wrap(bytes(4000, 1)));
            List<byte[]> data = h.poll();
            assertThat(data).isNotEmpty();
            assertThat(data.get(0).length).isEqualTo(1500);
            List<byte[]> resent = h.exchange(destinationUnreachable(4, 1000, data.get(0)));
            assertThat(resent).isNotEmpty();
            for (byte[] p : resent) {
                assertThat(p.length).isLessThanOrEqualTo(1000);
            }
            assertThat(parse(resent.get(0)).sequenceNumber()).isEqualTo(iss + 1);
        }
    }
}
