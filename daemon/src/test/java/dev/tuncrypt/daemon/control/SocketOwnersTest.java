package dev.tuncrypt.daemon.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketOwnersTest {
    @TempDir
    Path dir;

    static final String HEADER4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid"
            + "  timeout inode\n";
    static final String LISTEN4 = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
            + "     0        0 1061 1 00000000af3acf11 100 0 0 10 0\n";
    /** 198.18.0.1:52774 -> 198.18.0.2:7777 ESTABLISHED, uid 1000 (addresses little-endian words). */
    static final String EST4 = "   1: 010012C6:CE26 020012C6:1E61 01 00000000:00000000 02:000A7D8C 00000000"
            + "  1000        0 55321 2 0000000000000000 20 4 30 10 -1\n";
    /** [2001:2::1]:40000 -> [2001:2::2]:443, uid 65534. */
    static final String EST6 = "   0: 02000120000000000000000001000000:9C40 02000120000000000000000002000000:01BB 01"
            + " 00000000:00000000 00:00000000 00000000 65534        0 7777 1 0000000000000000 20 4 0 10 -1\n";
    /** A dual-stack socket's IPv4 peer: ::ffff:198.18.0.5:443 <- ::ffff:198.18.0.6:51000, uid 33. */
    static final String MAPPED6 = "   1: 0000000000000000FFFF0000050012C6:01BB 0000000000000000FFFF0000060012C6:C738 01"
            + " 00000000:00000000 00:00000000 00000000    33        0 8888 1 0000000000000000 20 4 0 10 -1\n";

    @Test
    void parsesKernelLines() {
        SocketOwners.Entry e = SocketOwners.parse(EST4);
        assertThat(e.local()).isEqualTo(new InetSocketAddress("198.18.0.1", 52774));
        assertThat(e.remote()).isEqualTo(new InetSocketAddress("198.18.0.2", 7777));
        assertThat(e.state()).isEqualTo(1);
        assertThat(e.uid()).isEqualTo(1000);
        assertThat(e.inode()).isEqualTo(55321);
        SocketOwners.Entry l = SocketOwners.parse(LISTEN4);
        assertThat(l.local()).isEqualTo(new InetSocketAddress("127.0.0.1", 8080));
        assertThat(l.state()).isEqualTo(0x0A);
        SocketOwners.Entry v6 = SocketOwners.parse(EST6);
        assertThat(v6.local()).isEqualTo(new InetSocketAddress("2001:2::1", 40000));
        assertThat(v6.remote()).isEqualTo(new InetSocketAddress("2001:2::2", 443));
        assertThat(v6.uid()).isEqualTo(65534);
        assertThatThrownBy(() -> SocketOwners.parse(HEADER4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SocketOwners.parse("   0: 0100007F:1F9 00000000:0000 0A 0 0 0 0 0 0"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oneReadingFindsWhatLookupsFindAndCachesMisses() throws Exception {
        Path tcp = Files.writeString(dir.resolve("tcp"), HEADER4 + LISTEN4 + EST4 + "garbage line\n");
        Path tcp6 = Files.writeString(dir.resolve("tcp6"), HEADER4 + EST6 + MAPPED6);
        long[] now = {0};
        OwnerCache cache = new OwnerCache(new SocketOwners(tcp, tcp6), 1_000_000_000L, () -> now[0]);
        assertThat(cache.uidOf(new InetSocketAddress("198.18.0.1", 52774), new InetSocketAddress("198.18.0.2", 7777)))
                .isEqualTo(1000);
        assertThat(cache.uidOf(new InetSocketAddress("2001:2::1", 40000), new InetSocketAddress("2001:2::2", 443)))
                .isEqualTo(65534);
        assertThat(cache.uidOf(new InetSocketAddress("198.18.0.5", 443), new InetSocketAddress("198.18.0.6", 51000)))
                .as("a dual-stack socket's IPv4 peer").isEqualTo(33);
        for (int i = 0; i < 1000; i++) { // connections that ended: one reading answers them all
            assertThat(cache.uidOf(new InetSocketAddress("198.18.0.9", 1000 + i), R)).isEqualTo(-1);
        }
        assertThat(cache.readings()).isEqualTo(1);
        now[0] += 1_000_000_001L;
        assertThat(cache.uidOf(new InetSocketAddress("198.18.0.9", 999), R)).isEqualTo(-1);
        assertThat(cache.readings()).as("a miss reads again once the reading is old").isEqualTo(2);
    }

    static final InetSocketAddress R = new InetSocketAddress("198.18.0.10", 80);

    @Test
    void findsOwnersInTables() throws Exception {
        Path tcp = Files.writeString(dir.resolve("tcp"), HEADER4 + LISTEN4 + EST4 + "garbage line\n");
        Path tcp6 = Files.writeString(dir.resolve("tcp6"), HEADER4 + EST6 + MAPPED6);
        SocketOwners owners = new SocketOwners(tcp, tcp6);
        assertThat(owners.ownerOf(new InetSocketAddress("198.18.0.1", 52774), new InetSocketAddress("198.18.0.2", 7777)))
                .isEqualTo(OptionalInt.of(1000));
        assertThat(owners.ownerOf(new InetSocketAddress("2001:2::1", 40000), new InetSocketAddress("2001:2::2", 443)))
                .isEqualTo(OptionalInt.of(65534));
        assertThat(owners.ownerOf(new InetSocketAddress("198.18.0.5", 443), new InetSocketAddress("198.18.0.6", 51000)))
                .isEqualTo(OptionalInt.of(33));
        assertThat(owners.ownerOf(new InetSocketAddress("198.18.0.1", 1), new InetSocketAddress("198.18.0.2", 7777)))
                .isEmpty();
        assertThat(new SocketOwners(tcp, dir.resolve("missing")).ownerOf(new InetSocketAddress("2001:2::1", 40000),
                new InetSocketAddress("2001:2::2", 443))).isEmpty();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"127.0.0.1", "::1"})
    void findsARealSocketOfThisProcess(String loopback) throws Exception {
        InetAddress lo = InetAddress.ofLiteral(loopback);
        try (ServerSocket ss = new ServerSocket(0, 1, lo);
                Socket c = new Socket(lo, ss.getLocalPort());
                Socket s = ss.accept()) {
            OptionalInt uid = new SocketOwners().ownerOf((InetSocketAddress) c.getLocalSocketAddress(),
                    (InetSocketAddress) c.getRemoteSocketAddress());
            long expected = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            assertThat(uid).isEqualTo(OptionalInt.of((int) expected));
        }
    }

    @Test
    void findsARealSocketOfAnotherUser() throws Exception {
        dev.tuncrypt.daemon.control.RootRequirement.require("needs root to run a process as nobody");
        dev.tuncrypt.tcpstack.testsupport.Requirements.command("setpriv", "util-linux");
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String py = "import socket,sys,time\n"
                    + "s=socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n"
                    + "print(s.getsockname()[1], flush=True); time.sleep(5)\n";
            Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    dev.tuncrypt.tcpstack.testsupport.Requirements.PYTHON3, "-c", py, String.valueOf(ss.getLocalPort()))
                    .start();
            try (Socket accepted = ss.accept()) {
                int port = Integer.parseInt(new java.io.BufferedReader(new java.io.InputStreamReader(
                        p.getInputStream())).readLine().trim());
                OptionalInt uid = new SocketOwners().ownerOf(new InetSocketAddress("127.0.0.1", port),
                        new InetSocketAddress("127.0.0.1", ss.getLocalPort()));
                assertThat(uid).isEqualTo(OptionalInt.of(65534));
            } finally {
                p.destroy();
                p.waitFor();
            }
        }
    }
}
