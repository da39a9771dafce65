package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.rfc8548.Rfc8548;
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
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An attacker on the wire against the rfc8548 dialect, recomputing checksums so TCP accepts what
 * it changes: a flipped ciphertext bit, a frame truncated by a forged FIN, a frame replayed at a
 * later position, a forged segment inside the window, a stripped ENO answer. The connection
 * aborts with a counted reason (or, for a stripped answer, fails or refuses its handshake); no
 * forged or altered byte reaches the application.
 */
class Rfc8548ActiveAttackerTest {
    static final byte[] SECRET = new byte[200_000];
    private static final TcpCryptConfig RFC = TcpCryptConfig.DEFAULT.withDialects(List.of(Dialect.RFC8548))
            .withTeps(List.of(Tep.ECDHE_X25519)).withCiphers(List.of(SymCipher.CHACHA20_POLY1305, SymCipher.AES_128_GCM));

    static {
        for (int i = 0; i < SECRET.length; i++) {
            SECRET[i] = (byte) ("rfc8548 protects this stream ".charAt(i % 29));
        }
    }

    private static TcpCrypt crypt(CryptMode mode) {
        return TcpCrypt.create(RFC.withMode(mode), new SecureRandom(), Runnable::run, InstantSource.system());
    }

    /** Views over one IPv4/TCP packet, with the checksums fixed after a change. */
    static final class Packet {
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

    record Run(Simulation sim, TcpConnection a, TcpConnection b, StreamSink aSink, StreamSink bSink) {}

    static Run run(long seed, TcpCrypt ca, TcpCrypt cb, Simulation.Tamper aToB, Simulation.Tamper bToA) {
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
        sim.runUntil(() -> {
            if (data.hasRemaining() && a.send(data) >= 0 && !data.hasRemaining()) {
                a.shutdownOutput();
            }
            return bSink.closed || bSink.eof || aSink.closed;
        }, 60 * Simulation.SECOND, "the connection to end");
        return new Run(sim, a, accepted[0], aSink, bSink);
    }

    /** What B's application got is a strict prefix of what A sent: nothing altered, nothing invented. */
    private static void nothingForged(StreamSink sink) {
        byte[] got = sink.data.toByteArray();
        assertThat(got.length).isLessThan(SECRET.length);
        assertThat(got).isEqualTo(Arrays.copyOf(SECRET, got.length));
    }

    /** Tampers with the {@code n}th data segment A sends (Init1 is the first). */
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
    void untouchedTheStreamArrivesInFramesSpanningSegmentsUnderKind69() {
        int[] biggest = {0};
        long[] total = {0};
        boolean[] kind69 = {false};
        Simulation.Tamper watch = (packet, inject) -> {
            Packet p = new Packet(packet);
            if ((p.tcp.flags() & TcpView.SYN) != 0) {
                TcpOptions o = new TcpOptions();
                p.tcp.parseOptions(o);
                kind69[0] = o.hasEno() && o.findExperimental(TcpOptions.EXID_ENO) < 0;
            }
            biggest[0] = Math.max(biggest[0], p.payloadLength());
            total[0] += p.payloadLength();
            return true;
        };
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            Run r = run(60, ca, cb, watch, null);
            assertThat(r.bSink().eof).isTrue();
            assertThat(r.bSink().data.toByteArray()).isEqualTo(SECRET);
            assertThat(kind69[0]).isTrue();
            // frames are 4096 bytes on the wire, segments smaller: frames spanned segments
            assertThat(biggest[0]).isLessThan(Rfc8548.MAX_FRAME_LENGTH);
            assertThat(total[0]).isGreaterThan(SECRET.length);
            r.sim().close();
        }
    }

    /**
     * Never the same nonce for other bytes: every 7th data segment is dropped once, and each
     * retransmission carries exactly the bytes of the first transmission at that sequence number
     * (frames are sealed once into the send buffer, not sealed again).
     */
    @Test
    void retransmissionsResendTheIdenticalCiphertext() {
        java.util.Map<Long, byte[]> firstSent = new java.util.HashMap<>();
        int[] compared = {0};
        int[] seen = {0};
        Simulation.Tamper dropSome = (packet, inject) -> {
            Packet p = new Packet(packet);
            if (p.payloadLength() == 0) {
                return true;
            }
            long seq = p.tcp.sequenceNumber();
            byte[] payload = new byte[p.payloadLength()];
            packet.get(p.payloadOffset(), payload);
            byte[] earlier = firstSent.putIfAbsent(seq, payload);
            if (earlier != null) {
                int n = Math.min(earlier.length, payload.length);
                assertThat(Arrays.copyOf(payload, n)).as("retransmission at seq " + seq).isEqualTo(Arrays.copyOf(earlier, n));
                compared[0]++;
                return true;
            }
            return ++seen[0] % 7 != 0;
        };
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            Run r = run(69, ca, cb, dropSome, null);
            assertThat(r.bSink().eof).isTrue();
            assertThat(r.bSink().data.toByteArray()).isEqualTo(SECRET);
            assertThat(compared[0]).as("retransmissions compared").isGreaterThan(5);
            r.sim().close();
        }
    }

    @Test
    void aFlippedCiphertextBitAbortsTheConnection() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            Run r = run(61, ca, cb, onDataSegment(5, p -> {
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
    void aFrameTruncatedByAForgedFinAbortsTheConnection() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            int[] seen = {0};
            Simulation.Tamper truncate = (packet, inject) -> {
                Packet p = new Packet(packet);
                if (p.payloadLength() > 200 && seen[0]++ == 4) {
                    packet.limit(p.payloadOffset() + 100); // the stream "ends" 100 bytes in, inside a frame
                    packet.put(20 + 13, (byte) (packet.get(20 + 13) | TcpView.FIN));
                    p.refresh();
                }
                return true;
            };
            Run r = run(62, ca, cb, truncate, null);
            assertThat(r.bSink().closedWith).isEqualTo(TcpError.PROTECTION_FAILED);
            nothingForged(r.bSink());
            r.sim().close();
        }
    }

    /**
     * A FIN forged exactly at a frame boundary (after A's "hello" frame; A has not closed): no
     * frame said FINAL, so the end of the stream is not authentic and B resets instead of
     * reporting end-of-stream (RFC 8547 §5, RFC 8548 §4.3).
     */
    @Test
    void aFinForgedAtAFrameBoundaryAbortsInsteadOfEndingTheStream() {
        int frame = 3 + 1 + 5 + 16; // "hello" in one frame
        Simulation.Tamper forgeFin = (packet, inject) -> {
            Packet p = new Packet(packet);
            if (p.payloadLength() == frame) {
                ByteBuffer f = ByteBuffer.allocate(p.payloadOffset());
                f.put(packet.duplicate().limit(p.payloadOffset())).flip();
                Packet fp = new Packet(f);
                f.putInt(20 + 4, (int) (p.tcp.sequenceNumber() + frame));
                f.put(20 + 13, (byte) (f.get(20 + 13) | TcpView.FIN));
                fp.refresh();
                inject.accept(f);
            }
            return true;
        };
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            Simulation sim = Simulation.builder(70).faults(FaultModel.NONE).stackA(s -> s.protection(ca.protections()))
                    .stackB(s -> s.protection(cb.protections())).tamperAToB(forgeFin).build();
            StreamSink aSink = new StreamSink();
            StreamSink bSink = new StreamSink();
            TcpLayer bl = sim.b().tcp(0);
            bl.addListener(new ListenEndpoint(7777, false, bl.config(), AcceptAll.calling(c -> c.setListener(bSink))));
            TcpConnection a = sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7777),
                    sim.a().tcp(0).config(), aSink);
            ByteBuffer hello = ByteBuffer.wrap("hello".getBytes());
            sim.runUntil(() -> {
                if (hello.hasRemaining()) {
                    a.send(hello);
                }
                return bSink.closed || bSink.eof;
            }, 30 * Simulation.SECOND, "B to end");
            assertThat(bSink.eof).as("a forged FIN must not read as the end of the stream").isFalse();
            assertThat(bSink.closedWith).isEqualTo(TcpError.PROTECTION_FAILED);
            assertThat(new String(bSink.data.toByteArray())).isEqualTo("hello");
            sim.close();
        }
    }

    /** Closing with nothing pending still ends the stream authentically: an empty frame carries FINAL. */
    @Test
    void aCloseWithNothingPendingSendsAnEmptyFinalFrame() {
        int[] finSegmentsWithData = {0};
        Simulation.Tamper watch = (packet, inject) -> {
            Packet p = new Packet(packet);
            if ((p.tcp.flags() & TcpView.FIN) != 0 && p.payloadLength() == 3 + 1 + 16) {
                finSegmentsWithData[0]++; // an empty frame: header, flags byte, tag
            }
            return true;
        };
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            Simulation sim = Simulation.builder(71).faults(FaultModel.NONE).stackA(s -> s.protection(ca.protections()))
                    .stackB(s -> s.protection(cb.protections())).tamperAToB(watch).build();
            StreamSink aSink = new StreamSink();
            StreamSink bSink = new StreamSink();
            TcpLayer bl = sim.b().tcp(0);
            bl.addListener(new ListenEndpoint(7777, false, bl.config(), AcceptAll.calling(c -> c.setListener(bSink))));
            TcpConnection a = sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7777),
                    sim.a().tcp(0).config(), aSink);
            ByteBuffer hello = ByteBuffer.wrap("hello".getBytes());
            boolean[] closed = {false};
            sim.runUntil(() -> {
                if (hello.hasRemaining()) {
                    a.send(hello);
                } else if (!closed[0] && bSink.data.size() == 5) {
                    closed[0] = true;
                    a.shutdownOutput(); // everything was sealed and delivered already
                }
                return bSink.closed || bSink.eof;
            }, 30 * Simulation.SECOND, "B to end");
            assertThat(bSink.eof).isTrue();
            assertThat(bSink.closedWith).isNull();
            assertThat(new String(bSink.data.toByteArray())).isEqualTo("hello");
            assertThat(finSegmentsWithData[0]).isEqualTo(1);
            sim.close();
        }
    }

    @Test
    void aShortenedSegmentIsOnlyALossThatTcpRepairs() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            Run r = run(63, ca, cb, onDataSegment(3, p -> p.b.limit(p.b.limit() - 7)), null);
            assertThat(r.bSink().eof).isTrue();
            assertThat(r.bSink().data.toByteArray()).isEqualTo(SECRET);
            r.sim().close();
        }
    }

    @Test
    void aReplayedSegmentIsADuplicateTcpDrops() {
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
                        inject.accept(kept[0].duplicate());
                    }
                }
                return true;
            };
            Run r = run(64, ca, cb, replay, null);
            assertThat(r.bSink().eof).isTrue();
            assertThat(r.bSink().data.toByteArray()).isEqualTo(SECRET);
            r.sim().close();
        }
    }

    /**
     * A replay at a new stream position: the segment that carried the start of A's first frame
     * (its header and first ciphertext bytes, right after Init1) is sent again in place of a
     * later segment, whose genuine copy the attacker drops. B takes the old bytes in order; the
     * nonce holds the offset and the frame's bytes changed, so the tag fails and the connection
     * aborts before any byte of that frame is delivered.
     */
    @Test
    void aFrameReplayedAtALaterOffsetAbortsTheConnection() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            ByteBuffer[] firstFrame = new ByteBuffer[1];
            int[] seen = {0};
            Simulation.Tamper replay = (packet, inject) -> {
                Packet p = new Packet(packet);
                if (p.payloadLength() == 0) {
                    return true;
                }
                seen[0]++;
                if (seen[0] == 2) { // Init1 went alone; this one starts with frame 0's header
                    firstFrame[0] = ByteBuffer.allocate(packet.limit()).put(packet.duplicate()).flip();
                } else if (seen[0] == 12) {
                    ByteBuffer f = ByteBuffer.allocate(firstFrame[0].limit()).put(firstFrame[0].duplicate()).flip();
                    f.putInt(20 + 4, (int) p.tcp.sequenceNumber());
                    Packet fp = new Packet(f);
                    fp.refresh();
                    inject.accept(f);
                    return false;
                }
                return true;
            };
            Run r = run(65, ca, cb, replay, null);
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
                if (p.payloadLength() > 0 && seen[0]++ == 4) {
                    // the attacker's own bytes for the next sequence range, sent first
                    ByteBuffer f = ByteBuffer.allocate(packet.limit());
                    f.put(packet.duplicate()).flip();
                    Packet fp = new Packet(f);
                    long seq = fp.tcp.sequenceNumber();
                    f.putInt(20 + 4, (int) (seq + p.payloadLength()));
                    for (int i = 0; i < fp.payloadLength(); i++) {
                        f.put(fp.payloadOffset() + i, (byte) 'X');
                    }
                    fp.refresh();
                    inject.accept(f);
                }
                return true;
            };
            Run r = run(66, ca, cb, forge, null);
            assertThat(r.bSink().closedWith).isEqualTo(TcpError.PROTECTION_FAILED);
            nothingForged(r.bSink());
            assertThat(new String(r.bSink().data.toByteArray())).doesNotContain("XXXX");
            r.sim().close();
        }
    }

    /** Replaces the kind-69 ENO option of a SYN-ACK with NOPs. */
    private static Simulation.Tamper stripEnoFromSynAck() {
        return (packet, inject) -> {
            Packet p = new Packet(packet);
            if ((p.tcp.flags() & (TcpView.SYN | TcpView.ACK)) == (TcpView.SYN | TcpView.ACK)) {
                TcpOptions o = new TcpOptions();
                p.tcp.parseOptions(o);
                if (o.hasEno()) {
                    for (int k = o.enoOffset() - 2; k < o.enoOffset() + o.enoLength(); k++) {
                        packet.put(k, (byte) 1);
                    }
                    p.refresh();
                }
            }
            return true;
        };
    }

    /**
     * RFC 8547 §4.6 rule 1, Figure 11: A, finding no ENO in the SYN-ACK, falls back and sends no
     * ENO on its ACK; B, finding no ENO on that first ACK, falls back too: both ends plain, the
     * stream intact (before, B took the connection for encrypted and had to reset it).
     */
    @Test
    void aStrippedEnoAnswerLeavesBothEndsPlain() {
        try (TcpCrypt ca = crypt(CryptMode.DEFAULT); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            Run r = run(67, ca, cb, null, stripEnoFromSynAck());
            assertThat(TcpCrypt.info(r.a())).isNull();
            assertThat(TcpCrypt.info(r.b())).isNull();
            assertThat(ca.fallbacks(EnoOutcome.Reason.NO_ENO_OPTION)).isEqualTo(1);
            assertThat(cb.fallbacks(EnoOutcome.Reason.NO_ENO_ON_ACK)).isEqualTo(1);
            assertThat(r.bSink().eof).isTrue();
            assertThat(r.bSink().data.toByteArray()).isEqualTo(SECRET);
            r.sim().close();
        }
    }

    @Test
    void aStrippedEnoAnswerMakesARequiringClientRefuse() {
        try (TcpCrypt ca = crypt(CryptMode.ALWAYS); TcpCrypt cb = crypt(CryptMode.DEFAULT)) {
            Run r = run(68, ca, cb, null, stripEnoFromSynAck());
            assertThat(r.aSink().closedWith).isEqualTo(TcpError.NOT_PROTECTED);
            assertThat(r.bSink().data.size()).isZero();
            r.sim().close();
        }
    }
}
