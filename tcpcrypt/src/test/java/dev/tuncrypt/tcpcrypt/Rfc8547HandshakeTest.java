package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.Rfc8548ActiveAttackerTest.Packet;
import dev.tuncrypt.tcpcrypt.Rfc8548ActiveAttackerTest.Run;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpstack.sim.Simulation;
import dev.tuncrypt.tcpstack.tcp.FlowKey;
import dev.tuncrypt.tcpstack.wire.TcpOptions;
import dev.tuncrypt.tcpstack.wire.TcpView;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The MUSTs of the TCP-ENO handshake (RFC 8547 §4.1, §4.2, §4.6, §11) and RFC 8548 §3.3's PSH,
 * seen on the wire between two stacks (the tampering links of {@link Rfc8548ActiveAttackerTest}).
 */
class Rfc8547HandshakeTest {
    private static final TcpCryptConfig RFC = TcpCryptConfig.DEFAULT.withDialects(List.of(Dialect.RFC8548))
            .withTeps(List.of(Tep.ECDHE_X25519)).withCiphers(List.of(SymCipher.AES_128_GCM));

    private static TcpCrypt crypt(TcpCryptConfig c) {
        return TcpCrypt.create(c, new SecureRandom(), Runnable::run, InstantSource.system());
    }

    private static TcpOptions options(Packet p) {
        TcpOptions o = new TcpOptions();
        p.tcp.parseOptions(o);
        return o;
    }

    /** The kind-69 option's contents (after kind and length) of a segment. */
    private static byte[] eno(Packet p, TcpOptions o) {
        byte[] b = new byte[o.enoLength()];
        p.b.get(o.enoOffset(), b);
        return b;
    }

    private static boolean syn(Packet p) {
        return (p.tcp.flags() & TcpView.SYN) != 0;
    }

    /** One segment as a tap saw it. */
    private record Seen(int flags, int payload, int enoOptions, boolean legacyEno, byte[] eno) {}

    private static Simulation.Tamper tap(List<Seen> into) {
        return (packet, inject) -> {
            Packet p = new Packet(packet);
            TcpOptions o = options(p);
            int legacy = 0;
            for (int i = 0; i < o.experimentalCount(); i++) {
                legacy += o.experimentalExId(i) == TcpOptions.EXID_ENO ? 1 : 0;
            }
            into.add(new Seen(p.tcp.flags(), p.payloadLength(), o.enoCount() + legacy, legacy > 0,
                    o.hasEno() ? eno(p, o) : null));
            return true;
        };
    }

    /** RFC 8547 §4.2: the passive opener's SYN-ACK has a global suboption with b = 1; the active opener's SYN has b = 0. */
    @Test
    void thePassiveOpenerSetsBAndTheActiveOpenerDoesNot() {
        List<Seen> aToB = new ArrayList<>();
        List<Seen> bToA = new ArrayList<>();
        try (TcpCrypt ca = crypt(RFC); TcpCrypt cb = crypt(RFC)) {
            Run r = Rfc8548ActiveAttackerTest.run(80, ca, cb, tap(aToB), tap(bToA));
            assertThat(r.bSink().data.toByteArray()).isEqualTo(Rfc8548ActiveAttackerTest.SECRET);
            Seen synAck = bToA.getFirst();
            assertThat(synAck.flags() & (TcpView.SYN | TcpView.ACK)).isEqualTo(TcpView.SYN | TcpView.ACK);
            assertThat(synAck.eno()[0]).as("explicit global suboption with b = 1 first").isEqualTo((byte) 0x01);
            Seen syn = aToB.getFirst();
            assertThat(syn.eno()).containsExactly(0x23); // implicit global suboption 0x00: b = 0
            r.sim().close();
        }
    }

    /**
     * RFC 8547 §4.6 rule 3, §8.1: a SYN-ACK whose b is 0 (e.g. a middlebox echoing A's option)
     * makes A fall back; A then sends no ENO, so B falls back on A's ACK: both plain, data intact.
     */
    @Test
    void aSynAckWithoutBMakesBothEndsFallBack() {
        Simulation.Tamper clearB = (packet, inject) -> {
            Packet p = new Packet(packet);
            if (syn(p)) {
                TcpOptions o = options(p);
                if (o.hasEno() && p.b.get(o.enoOffset()) == 0x01) {
                    p.b.put(o.enoOffset(), (byte) 0x00); // b cleared, the TEP kept
                    p.refresh();
                }
            }
            return true;
        };
        try (TcpCrypt ca = crypt(RFC); TcpCrypt cb = crypt(RFC)) {
            Run r = Rfc8548ActiveAttackerTest.run(81, ca, cb, null, clearB);
            assertThat(ca.fallbacks(EnoOutcome.Reason.ROLE_CONFLICT)).isEqualTo(1);
            assertThat(cb.fallbacks(EnoOutcome.Reason.NO_ENO_ON_ACK)).isEqualTo(1);
            assertThat(TcpCrypt.info(r.a())).isNull();
            assertThat(TcpCrypt.info(r.b())).isNull();
            assertThat(r.bSink().data.toByteArray()).isEqualTo(Rfc8548ActiveAttackerTest.SECRET);
            r.sim().close();
        }
    }

    /** RFC 8547 §4.3, §4.6: an active opener configured with b = 1 meets a passive opener (b = 1 too): plain. */
    @Test
    void anActiveOpenerWithBMeetsAPassiveOpenerInPlainTcp() {
        try (TcpCrypt ca = crypt(RFC.withRoleB(true)); TcpCrypt cb = crypt(RFC)) {
            Run r = Rfc8548ActiveAttackerTest.run(82, ca, cb, null, null);
            assertThat(cb.fallbacks(EnoOutcome.Reason.ROLE_CONFLICT)).isEqualTo(1);
            assertThat(TcpCrypt.info(r.a())).isNull();
            assertThat(r.bSink().data.toByteArray()).isEqualTo(Rfc8548ActiveAttackerTest.SECRET);
            r.sim().close();
        }
    }

    /**
     * RFC 8547 §4.6: ENO on every segment until a non-SYN segment is received: A's ACK (the third
     * segment) carries the non-SYN form {@code 45 02}; B, which has received A's ACK before it
     * sends any non-SYN segment, never does; A stops once B's segments arrive.
     */
    @Test
    void enoRidesEverySegmentUntilANonSynSegmentArrives() {
        List<Seen> aToB = new ArrayList<>();
        List<Seen> bToA = new ArrayList<>();
        try (TcpCrypt ca = crypt(RFC); TcpCrypt cb = crypt(RFC)) {
            Run r = Rfc8548ActiveAttackerTest.run(83, ca, cb, tap(aToB), tap(bToA));
            assertThat(TcpCrypt.info(r.a())).isNotNull();
            Seen ack = aToB.get(1);
            assertThat(ack.flags() & TcpView.SYN).isZero();
            assertThat(ack.eno()).as("non-SYN form, no contents").isEmpty();
            assertThat(bToA.stream().filter(s -> (s.flags() & TcpView.SYN) == 0 && s.enoOptions() > 0)).isEmpty();
            assertThat(aToB.getLast().enoOptions()).isZero();
            r.sim().close();
        }
    }

    /**
     * RFC 8547 §4.6 rule 1: B checks A's first ACK for ENO; with ENO stripped from every non-SYN
     * segment of A, B falls back to plain TCP (and so delivers what A sent, Init1 and frames,
     * as bytes; A waits for Init2: ENO's known hazard of middleboxes that strip ENO from non-SYN
     * segments only, RFC 8548 §9).
     */
    @Test
    void bFallsBackWhenAsFirstAckLacksEno() {
        Simulation.Tamper strip = (packet, inject) -> {
            Packet p = new Packet(packet);
            TcpOptions o = options(p);
            if (!syn(p) && o.hasEno()) {
                for (int k = o.enoOffset() - 2; k < o.enoOffset() + o.enoLength(); k++) {
                    packet.put(k, (byte) 1);
                }
                p.refresh();
            }
            return true;
        };
        try (TcpCrypt ca = crypt(RFC); TcpCrypt cb = crypt(RFC)) {
            // A, encrypted, waits for an Init2 that plain B never sends: the run stalls
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Rfc8548ActiveAttackerTest.run(84, ca, cb, strip, null))
                    .hasMessageContaining("quiescent");
            assertThat(cb.fallbacks(EnoOutcome.Reason.NO_ENO_ON_ACK)).isEqualTo(1);
            assertThat(cb.handshakes()).isZero();
        }
    }

    /** RFC 8547 §4.1, §11: a host listing both dialects never puts kind 69 and 253/0x454E in one segment. */
    @Test
    void oneEnoOptionPerSegmentEvenWithBothDialectsListed() {
        List<Seen> aToB = new ArrayList<>();
        TcpCryptConfig both = RFC.withDialects(List.of(Dialect.RFC8548, Dialect.TCPCRYPT_05))
                .withTeps(List.of(Tep.ECDHE_X25519, Tep.ECDHE_P256));
        try (TcpCrypt ca = crypt(both); TcpCrypt cb = crypt(both)) {
            Run r = Rfc8548ActiveAttackerTest.run(85, ca, cb, tap(aToB), null);
            assertThat(TcpCrypt.info(r.a()).dialect()).isEqualTo("rfc8548");
            assertThat(aToB).allSatisfy(s -> {
                assertThat(s.enoOptions()).isLessThanOrEqualTo(1);
                assertThat(s.legacyEno()).isFalse();
            });
            r.sim().close();
        }
    }

    /** RFC 8547 §4.1: a SYN with more than one ENO option counts as having none (B answers without ENO). */
    @Test
    void aSynWithTwoEnoOptionsIsTreatedAsHavingNone() {
        try (TcpCrypt cb = crypt(RFC.withDialects(List.of(Dialect.RFC8548, Dialect.TCPCRYPT_05))
                .withTeps(List.of(Tep.ECDHE_X25519, Tep.ECDHE_P256)))) {
            // SYN options: 45 03 23 (kind 69, X25519), fd 05 45 4e 21 (kind 253, ExID 0x454E, P-256), EOL pad
            byte[] opts = {0x45, 0x03, 0x23, (byte) 0xfd, 0x05, 0x45, 0x4e, 0x21};
            ByteBuffer seg = ByteBuffer.allocate(20 + opts.length);
            TcpView.writeHeader(seg, 0, 40000, 7777, 1, 0, 20 + opts.length, TcpView.SYN, 65535, 0);
            seg.put(20, opts);
            TcpView v = new TcpView();
            v.wrap(seg, 0, seg.limit());
            TcpOptions o = new TcpOptions();
            v.parseOptions(o);
            assertThat(o.enoCount()).isEqualTo(1);
            var p = new TcpCryptProtection(cb, cb.config(), FlowKey.of(new InetSocketAddress("198.18.0.2", 7777),
                    new InetSocketAddress("198.18.0.1", 40000)), false);
            p.onPeerSynOptions(seg, 20, opts.length, o, false);
            assertThat(p.negotiated()).isFalse();
            assertThat(p.fallbackReason()).isEqualTo(EnoOutcome.Reason.SEVERAL_ENO_OPTIONS);
            assertThat(p.writeSynOptions(ByteBuffer.allocate(40), 0, 40, true)).as("no ENO in the SYN-ACK").isZero();
        }
    }

    /**
     * RFC 8548 §3.3 when B's application wrote before the keys existed: Init2 and the first
     * frames leave in one output pass, so the segment carrying Init2's last byte also carries frame
     * bytes and is not the last one: it still has PSH.
     */
    @Test
    void init2EndsInASegmentWithPshEvenWithDataQueuedBehindIt() {
        List<Seen> bToA = new ArrayList<>();
        try (TcpCrypt ca = crypt(RFC); TcpCrypt cb = crypt(RFC)) {
            Simulation sim = Simulation.builder(87).faults(dev.tuncrypt.tun.FaultModel.NONE)
                    .stackA(st -> st.protection(ca.protections())).stackB(st -> st.protection(cb.protections()))
                    .tamperBToA(tap(bToA)).build();
            dev.tuncrypt.tcpstack.testsupport.StreamSink aSink = new dev.tuncrypt.tcpstack.testsupport.StreamSink();
            dev.tuncrypt.tcpstack.testsupport.StreamSink bSink = new dev.tuncrypt.tcpstack.testsupport.StreamSink();
            ByteBuffer down = ByteBuffer.wrap(Rfc8548ActiveAttackerTest.SECRET, 0, 60_000);
            dev.tuncrypt.tcpstack.tcp.TcpConnection[] bc = new dev.tuncrypt.tcpstack.tcp.TcpConnection[1];
            var bl = sim.b().tcp(0);
            bl.addListener(new dev.tuncrypt.tcpstack.tcp.ListenEndpoint(7777, false, bl.config(),
                    dev.tuncrypt.tcpstack.sim.AcceptAll.calling(c -> {
                        c.setListener(bSink);
                        bc[0] = c;
                        c.send(down); // staged: no keys yet
                    })));
            var a = sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7777), sim.a().tcp(0).config(), aSink);
            sim.runUntil(() -> {
                if (bc[0] != null && down.hasRemaining()) {
                    bc[0].send(down);
                }
                return aSink.data.size() >= 60_000;
            }, 30 * Simulation.SECOND, "B's data at A");
            int init2 = 10 + 32 + 32; // X25519: magic, length, cipher, N_B, Pub_B
            int at = 0;
            Seen carrying = null;
            for (Seen x : bToA) {
                if (x.payload() > 0 && at < init2 && at + x.payload() >= init2) {
                    carrying = x;
                }
                at += x.payload();
            }
            assertThat(carrying).isNotNull();
            assertThat(carrying.payload()).as("Init2 shares its segment with frame bytes").isGreaterThan(init2);
            assertThat(carrying.flags() & TcpView.PSH).isNotZero();
            a.abort();
            sim.close();
        }
    }

    /** RFC 8548 §3.3: the segment with the last byte of Init1 and of Init2 has PSH. */
    @Test
    void initMessagesEndInASegmentWithPsh() {
        List<Seen> aToB = new ArrayList<>();
        List<Seen> bToA = new ArrayList<>();
        try (TcpCrypt ca = crypt(RFC); TcpCrypt cb = crypt(RFC)) {
            Run r = Rfc8548ActiveAttackerTest.run(86, ca, cb, tap(aToB), tap(bToA));
            Seen init1 = aToB.stream().filter(s -> s.payload() > 0).findFirst().orElseThrow();
            Seen init2 = bToA.stream().filter(s -> s.payload() > 0).findFirst().orElseThrow();
            assertThat(init1.flags() & TcpView.PSH).isNotZero();
            assertThat(init2.flags() & TcpView.PSH).isNotZero();
            r.sim().close();
        }
    }
}
