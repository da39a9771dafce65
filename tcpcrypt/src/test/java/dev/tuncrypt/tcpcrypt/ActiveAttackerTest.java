package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.sim.AcceptAll;
import dev.tuncrypt.tcpstack.sim.Simulation;
import dev.tuncrypt.tcpstack.tcp.ListenEndpoint;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import dev.tuncrypt.tcpstack.testsupport.StreamSink;
import dev.tuncrypt.tcpstack.wire.Checksum;
import dev.tuncrypt.tcpstack.wire.IpProtocol;
import dev.tuncrypt.tcpstack.wire.Ipv4View;
import dev.tuncrypt.tcpstack.wire.TcpOptions;
import dev.tuncrypt.tcpstack.wire.TcpView;
import dev.tuncrypt.tun.FaultModel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * An attacker on the wire who recomputes checksums, so TCP accepts what it changes: flipped
 * ciphertext bits, a FIN forged inside a frame, forged segments inside the window, replayed and
 * truncated segments, and a stripped ENO answer (a downgrade). The connection aborts (or, for
 * the downgrade, refuses or fails its handshake), or TCP repairs the damage; no forged or
 * altered byte ever reaches the application. (A FIN forged exactly at a frame boundary cannot
 * be told from a real one in this dialect: tcpcrypt-0.5 authenticates FIN only inside a frame.)
 */
class ActiveAttackerTest {
    /** This class tests the tcpcrypt-0.5 dialect (the default is rfc8548). */
    private static final TcpCryptConfig DEFAULT_05 = TcpCryptConfig.DEFAULT.withDialects(java.util.List.of(Dialect.TCPCRYPT_05));

    private static final byte[] SECRET = new byte[200_000];

    static {
        for (int i = 0; i < SECRET.length; i++) {
            SECRET[i] = (byte) ("tcpcrypt protects this stream " .charAt(i % 30));
        }
    }

    private static TcpCrypt crypt(CryptMode mode) {
        return TcpCrypt.create(DEFAULT_05.withMode(mode), new SecureRandom(), Runnable::run,
                InstantSource.system());
    }

    /** Views over one IPv4/TCP packet, with the checksum fixed after a change. */
    private static final class Packet {
        final ByteBuffer b;
        final Ipv4View ip = new Ipv4View();
        final TcpView tcp = new TcpView();

        Packet(ByteBuffer b) {
            this.b = b;
            ip.wrap(b, 0, b.limit());
            tcp.wrap(b, ip.payloadOffset(), ip.payloadLength());
        }

        int payloadLength() {
            return tcp.payloadLength();
        }

        int payloadOffset() {
            return tcp.payloadOffset();
        }

        void refresh() {
            b.putShort(2, (short) b.limit());
            b.putShort(10, (short) 0);
            b.putShort(10, (short) Checksum.compute(b, 0, 20));
            int len = b.limit() - 20;
            TcpView.fillChecksum(b, 20, len, Checksum.pseudoHeaderIpv4(ip.source(), ip.destination(), IpProtocol.TCP, len));
        }
    }

    private record Run(Simulation sim, TcpConnection a, TcpConnection b, StreamSink aSink, StreamSink bSink) {}

    /** B listens, A connects and streams {@link #SECRET} with the attacker in place. */
    private static Run run(long seed, TcpCrypt ca, TcpCrypt cb, Simulation.Tamper aToB, Simulation.Tamper bToA) {
        Simulation.Builder builder = Simulation.builder(seed).faults(FaultModel.NONE)
                .stackA(s -> s.protection(ca.protections())).stackB(s -> s.protection(cb.protections()));
        if (aToB != null) {
            builder.tamperAToB(aToB);
        }
        if (bToA != null) {
            builder.tamperBToA(bToA);
        }
        Simulation sim = builder.build();
        StreamSink aSink = new StreamSink();
        StreamSink bSink = new StreamSink();
        TcpConnection[] accepted = new TcpConnection[1];
        TcpLayer bl = sim.b().tcp(0);
        bl.addListener(new ListenEndpoint(7777, false, bl.config(), AcceptAll.calling(c -> {
            c.setListener(bSink);
            accepted[0] = c;
        })));
        TcpConnection a = sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7777),
                sim.a().tcp(0).config(), aSink);
        ByteBuffer data = ByteBuffer.wrap(SECRET);
        try {
            sim.runUntil(() -> {
                if (data.hasRemaining() && a.send(data) >= 0 && !data.hasRemaining()) {
                    a.shutdownOutput();
                }
                return bSink.closed || bSink.eof || aSink.closed;
            }, 60 * Simulation.SECOND, "the connection to end");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n  A " + a + " " + a.stats() + "\n  B "
                    + (accepted[0] == null ? "none" : accepted[0] + " " + accepted[0].stats()) + "\n  B got "
                    + bSink.data.size() + " bytes, A sent " + data.position(), e);
        }
        return new Run(sim, a, accepted[0], aSink, bSink);
    }

    /** What B's application got must be a prefix of what A sent: nothing altered, nothing invented. */
    private static void nothingForged(StreamSink sink) {
        byte[] got = sink.data.toByteArray();
        assertThat(got.length).isLessThan(SECRET.length);
        assertThat(got).isEqualTo(Arrays.copyOf(SECRET, got.length));
    }

    /** Tampers with the {@code n}th data segment A sends after its Init1. */
    private static Simulation.Tamper onDataSegment(int n, java.util.function.Consumer<Packet> change) {
        int[] seen = {0};
        return (packet, inject) -> {
            Packet p = new Packet(packet);
            if (p.payloadLength() > 0 && seen[0]++ == n) {
                change.accept(p);
                p.refresh();
            }
            return true;
        };
    }

    @Test
    void aFlippedCiphertextBitAbortsTheConnection() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            Run r = run(41, ca, cb, onDataSegment(3, p -> {
                int at = p.payloadOffset() + 10;
                p.b.put(at, (byte) (p.b.get(at) ^ 0x04));
            }), null);
            assertThat(r.bSink().closedWith).isEqualTo(TcpError.PROTECTION_FAILED);
            nothingForged(r.bSink());
            assertThat(r.sim().b().tcp(0).counters().protectionFailures()).isEqualTo(1);
            r.sim().close();
        }
    }

    @Test
    void aTruncatedSegmentIsOnlyALossThatTcpRepairs() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            // cutting a segment short leaves a hole TCP fills from the sender's intact copy
            Run r = run(42, ca, cb, onDataSegment(2, p -> p.b.limit(p.b.limit() - 7)), null);
            assertThat(r.bSink().eof).isTrue();
            assertThat(r.bSink().data.toByteArray()).isEqualTo(SECRET);
            r.sim().close();
        }
    }

    @Test
    void aForgedFinInsideAFrameAbortsTheConnection() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            int[] seen = {0};
            Simulation.Tamper truncate = (packet, inject) -> {
                Packet p = new Packet(packet);
                if (p.payloadLength() > 200 && seen[0]++ == 3) {
                    // the segment cut to its first 100 bytes, with a FIN: "the stream ends here",
                    // in the middle of a frame
                    packet.limit(p.payloadOffset() + 100);
                    packet.put(20 + 13, (byte) (packet.get(20 + 13) | TcpView.FIN));
                    p.refresh();
                }
                return true;
            };
            Run r = run(47, ca, cb, truncate, null);
            assertThat(r.bSink().closedWith).isEqualTo(TcpError.PROTECTION_FAILED);
            nothingForged(r.bSink());
            r.sim().close();
        }
    }

    @Test
    void aForgedSegmentInsideTheWindowAbortsTheConnection() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            int[] seen = {0};
            Simulation.Tamper forge = (packet, inject) -> {
                Packet p = new Packet(packet);
                if (p.payloadLength() > 0 && seen[0]++ == 3) {
                    // the attacker sends its own bytes for the next sequence range first, with a
                    // plausible frame header, and lets the real segment follow
                    ByteBuffer f = ByteBuffer.allocate(packet.limit());
                    f.put(packet.duplicate()).flip();
                    Packet fp = new Packet(f);
                    long seq = fp.tcp.sequenceNumber();
                    f.putInt(20 + 4, (int) (seq + p.payloadLength()));
                    int body = p.payloadLength() - 3;
                    f.put(fp.payloadOffset(), (byte) 0).putShort(fp.payloadOffset() + 1, (short) body);
                    for (int i = 3; i < fp.payloadLength(); i++) {
                        f.put(fp.payloadOffset() + i, (byte) 'X');
                    }
                    fp.refresh();
                    inject.accept(f);
                }
                return true;
            };
            Run r = run(43, ca, cb, forge, null);
            assertThat(r.bSink().closedWith).isEqualTo(TcpError.PROTECTION_FAILED);
            nothingForged(r.bSink());
            assertThat(new String(r.bSink().data.toByteArray())).doesNotContain("XXXX");
            r.sim().close();
        }
    }

    @Test
    void aReplayedSegmentChangesNothing() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            ByteBuffer[] kept = new ByteBuffer[1];
            int[] seen = {0};
            Simulation.Tamper replay = (packet, inject) -> {
                Packet p = new Packet(packet);
                if (p.payloadLength() > 0) {
                    seen[0]++;
                    if (seen[0] == 3) {
                        kept[0] = ByteBuffer.allocate(packet.limit()).put(packet.duplicate()).flip();
                    } else if (seen[0] % 10 == 0 && kept[0] != null) {
                        inject.accept(kept[0].duplicate()); // the old frame again, later in the stream
                    }
                }
                return true;
            };
            Run r = run(44, ca, cb, replay, null);
            assertThat(r.bSink().eof).isTrue();
            assertThat(r.bSink().data.toByteArray()).isEqualTo(SECRET);
            r.sim().close();
        }
    }

    /** Replaces the ENO option (kind 253, ExID 0x454E) of a SYN-ACK with NOPs. */
    private static Simulation.Tamper stripEnoFromSynAck() {
        return (packet, inject) -> {
            Packet p = new Packet(packet);
            if ((p.tcp.flags() & (TcpView.SYN | TcpView.ACK)) == (TcpView.SYN | TcpView.ACK)) {
                TcpOptions o = new TcpOptions();
                p.tcp.parseOptions(o);
                int i = o.findExperimental(TcpOptions.EXID_ENO);
                if (i >= 0) {
                    int start = o.experimentalOffset(i) - 4;
                    int end = o.experimentalOffset(i) + o.experimentalLength(i);
                    for (int k = start; k < end; k++) {
                        packet.put(k, (byte) 1);
                    }
                    p.refresh();
                }
            }
            return true;
        };
    }

    @Test
    void aStrippedEnoAnswerNeverYieldsAPlaintextSessionBTakesForEncrypted() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            Run r = run(45, ca, cb, null, stripEnoFromSynAck());
            // A fell back to plain TCP, B expected Init1: B's handshake fails and it resets,
            // delivering none of A's plaintext to its application as if it were protected
            assertThat(r.bSink().closedWith).isEqualTo(TcpError.PROTECTION_FAILED);
            assertThat(r.bSink().data.size()).isZero();
            r.sim().close();
        }
    }

    @Test
    void aStrippedEnoAnswerMakesARequiringClientRefuse() {
        try (TcpCrypt ca = crypt(CryptMode.ALWAYS); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            Run r = run(46, ca, cb, null, stripEnoFromSynAck());
            assertThat(r.aSink().closedWith).isEqualTo(TcpError.NOT_PROTECTED);
            assertThat(r.bSink().data.size()).isZero();
            r.sim().close();
        }
    }
}
