package dev.tuncrypt.tcpcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpstack.sim.AcceptAll;
import dev.tuncrypt.tcpstack.sim.Simulation;
import dev.tuncrypt.tcpstack.tcp.ListenEndpoint;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import dev.tuncrypt.tcpstack.testsupport.StreamSink;
import dev.tuncrypt.tun.FaultModel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * tcpcrypt-0.5's 64-frame cap (for tcpcryptd 0.5's sequence map) applies only when the peer may
 * be tcpcryptd: two instances of this stack that both set the wide-window bit keep as many
 * frames in flight as the TCP window allows; a peer that does not set it (the golden vectors'
 * ENO bytes, as tcpcryptd sends them) keeps the cap. A 200 ms round trip, so a 64-frame window
 * (~91 KB) would be the limit.
 */
class WideWindow05Test {
    private static final TcpCryptConfig CONFIG_05 = TcpCryptConfig.DEFAULT.withDialects(List.of(Dialect.TCPCRYPT_05));
    private static final long ONE_WAY = 100 * Simulation.MILLISECOND;
    private static final int FRAME = 1428; // one sealed frame per full segment
    private static final int CAP = 64;

    private static TcpCrypt crypt(boolean wideWindow) {
        TcpCrypt c = TcpCrypt.create(CONFIG_05, new SecureRandom(), Runnable::run, InstantSource.system());
        c.wideWindow05 = wideWindow;
        return c;
    }

    /** ENO options (kind 253, ExID 0x454E) seen on the wire in SYN segments, in hex. */
    private static final class EnoTap implements Simulation.Tamper {
        final List<String> synOptions = new ArrayList<>();

        @Override
        public boolean onSend(ByteBuffer p, java.util.function.Consumer<ByteBuffer> inject) {
            int ihl = (p.get(p.position()) & 0x0f) * 4;
            int tcp = p.position() + ihl;
            if ((p.get(tcp + 13) & 0x02) == 0) {
                return true; // not a SYN
            }
            int end = tcp + ((p.get(tcp + 12) & 0xf0) >> 2);
            for (int i = tcp + 20; i < end; ) {
                int kind = p.get(i) & 0xff;
                if (kind == 0) {
                    break;
                }
                if (kind == 1) {
                    i++;
                    continue;
                }
                int len = p.get(i + 1) & 0xff;
                if (kind == 253 && len >= 4 && (p.getShort(i + 2) & 0xffff) == 0x454e) {
                    byte[] o = new byte[len];
                    p.get(i, o);
                    synOptions.add(HexFormat.of().formatHex(o));
                }
                i += Math.max(len, 2);
            }
            return true;
        }
    }

    private record Run(int maxFramesInFlight, String synEno, String synAckEno, boolean resumed) {}

    /** Sends {@code bytes} A→B over a long round trip; returns the most frames A had unacknowledged. */
    private Run transfer(Simulation sim, EnoTap aTap, EnoTap bTap, int bytes, long seed) {
        StreamSink aSink = new StreamSink();
        StreamSink bSink = new StreamSink();
        TcpConnection[] accepted = new TcpConnection[1];
        nextSink = bSink;
        acceptedHolder[0] = null;
        TcpConnection a = sim.a().tcp(0).connect(null, new InetSocketAddress(Simulation.B_V4, 7777),
                sim.a().tcp(0).config(), aSink);
        sim.runUntil(() -> acceptedHolder[0] != null, 10 * Simulation.SECOND, "accepted");
        accepted[0] = acceptedHolder[0];
        byte[] up = new byte[bytes];
        new SplittableRandom(seed).nextBytes(up);
        ByteBuffer u = ByteBuffer.wrap(up);
        int[] max = {0};
        sim.runUntil(() -> {
            if (u.hasRemaining() && a.send(u) >= 0 && !u.hasRemaining()) {
                a.shutdownOutput();
            }
            var s = a.stats();
            max[0] = Math.max(max[0], (int) ((s.bytesSent() - s.bytesAcked()) / FRAME));
            return bSink.eof;
        }, 600 * Simulation.SECOND, "A's bytes delivered");
        assertThat(bSink.data.toByteArray()).isEqualTo(up);
        TcpCryptInfo info = ((TcpCryptProtection) a.protection()).info();
        assertThat(info).isNotNull();
        // a frame from B too: A caches the session once B's first frame authenticated
        accepted[0].send(ByteBuffer.wrap(new byte[] {'o', 'k'}));
        accepted[0].shutdownOutput();
        sim.runUntil(() -> aSink.eof, 10 * Simulation.SECOND, "B's FIN at A");
        return new Run(max[0], aTap.synOptions.getLast(), bTap.synOptions.getLast(), info.resumed());
    }

    /** B's listener hands the next connection this sink and puts it here. */
    private StreamSink nextSink;
    private final TcpConnection[] acceptedHolder = new TcpConnection[1];

    private Simulation sim(long seed, TcpCrypt a, TcpCrypt b, EnoTap aTap, EnoTap bTap) {
        Simulation sim = Simulation.builder(seed).faults(FaultModel.NONE.withDelay(ONE_WAY, 0))
                .tamperAToB(aTap).tamperBToA(bTap)
                .stackA(s -> s.protection(a.protections())).stackB(s -> s.protection(b.protections())).build();
        TcpLayer bl = sim.b().tcp(0);
        bl.addListener(new ListenEndpoint(7777, false, bl.config(), AcceptAll.calling(connection -> {
            connection.setListener(nextSink);
            acceptedHolder[0] = connection;
        })));
        return sim;
    }

    @Test
    void twoStacksThatBothSignalKeepMoreThan64FramesInFlightAlsoWhenResumed() {
        EnoTap aTap = new EnoTap();
        EnoTap bTap = new EnoTap();
        try (TcpCrypt ca = crypt(true); TcpCrypt cb = crypt(true); Simulation sim = sim(51, ca, cb, aTap, bTap)) {
            Run full = transfer(sim, aTap, bTap, 3 << 20, 1);
            assertThat(full.synEno()).isEqualTo("fd07454e212204"); // P-256, P-521, general suboption z3
            assertThat(full.synAckEno()).isEqualTo("fd06454e2104");
            assertThat(full.resumed()).isFalse();
            assertThat(full.maxFramesInFlight()).isGreaterThan(CAP + CAP / 4);

            Run resumed = transfer(sim, aTap, bTap, 3 << 20, 2);
            assertThat(resumed.resumed()).isTrue();
            assertThat(resumed.synEno()).startsWith("fd11454e212204a1");
            assertThat(resumed.synAckEno()).isEqualTo("fd06454e04a1");
            assertThat(resumed.maxFramesInFlight()).isGreaterThan(CAP + CAP / 4);
        }
    }

    @Test
    void aServerThatDoesNotSignalLikeTcpcryptdKeepsTheCap() {
        EnoTap aTap = new EnoTap();
        EnoTap bTap = new EnoTap();
        try (TcpCrypt ca = crypt(true); TcpCrypt cb = crypt(false); Simulation sim = sim(52, ca, cb, aTap, bTap)) {
            Run full = transfer(sim, aTap, bTap, 1 << 20, 3);
            assertThat(full.synAckEno()).isEqualTo("fd05454e21"); // golden vector full-handshake-p256
            assertThat(full.maxFramesInFlight()).isBetween(CAP / 2, CAP);

            Run resumed = transfer(sim, aTap, bTap, 1 << 20, 4);
            assertThat(resumed.resumed()).isTrue();
            assertThat(resumed.synAckEno()).isEqualTo("fd05454ea1"); // golden vector resumed-p256
            assertThat(resumed.maxFramesInFlight()).isBetween(CAP / 2, CAP);
        }
    }

    @Test
    void aClientThatDoesNotSignalLikeTcpcryptdGetsTheReferenceBytesAndTheCap() {
        EnoTap aTap = new EnoTap();
        EnoTap bTap = new EnoTap();
        try (TcpCrypt ca = crypt(false); TcpCrypt cb = crypt(true); Simulation sim = sim(53, ca, cb, aTap, bTap)) {
            Run full = transfer(sim, aTap, bTap, 1 << 20, 5);
            assertThat(full.synEno()).isEqualTo("fd06454e2122"); // golden vector full-handshake-p256
            assertThat(full.synAckEno()).isEqualTo("fd05454e21"); // nothing echoed to a peer that did not send it
            assertThat(full.maxFramesInFlight()).isBetween(CAP / 2, CAP);
        }
    }
}
