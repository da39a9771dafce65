package dev.tuncrypt.daemon.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.client.ControlAddress;
import dev.tuncrypt.client.ControlClient;
import dev.tuncrypt.client.ControlException;
import dev.tuncrypt.client.transport.LinuxDatagramSocket;
import dev.tuncrypt.client.wire.ConnectionRecord;
import dev.tuncrypt.client.wire.ControlMessage;
import dev.tuncrypt.client.wire.ControlOption;
import dev.tuncrypt.client.wire.Errno;
import dev.tuncrypt.client.wire.NetstatRecord;
import dev.tuncrypt.client.wire.StatusPayload;
import dev.tuncrypt.daemon.control.ConnectionView.Phase;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The control server over real unix datagram and UDP sockets against a fake target. */
class ControlServerTest {
    @TempDir
    Path dir;

    FakeTarget target;
    ControlServer server;

    static final InetSocketAddress L1 = new InetSocketAddress("198.18.0.1", 52774);
    static final InetSocketAddress R1 = new InetSocketAddress("198.18.0.2", 7777);

    @BeforeEach
    void setUp() {
        target = new FakeTarget();
        target.add(new FakeTarget.FakeView("198.18.0.1", 52774, "198.18.0.2", 7777, Phase.ENCRYPTED, 1, 1000));
        target.add(new FakeTarget.FakeView("198.18.0.1", 52775, "198.18.0.3", 80, Phase.PLAIN, 2, 1000));
        target.add(new FakeTarget.FakeView("2001:2::1", 40000, "2001:2::2", 443, Phase.ENCRYPTED, 3, 1000));
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    ControlAddress start(String kind) throws Exception {
        ControlAddress a = switch (kind) {
            case "unix" -> ControlAddress.parse(dir.resolve("ctl").toString());
            case "abstract" -> ControlAddress.parse("@tuncrypt-ctl-test-" + ProcessHandle.current().pid() + "-"
                    + System.nanoTime());
            default -> {
                try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                    yield ControlAddress.parse(":" + probe.getLocalPort());
                }
            }
        };
        server = ControlServer.start(a, target, SocketPermissions.DEFAULT);
        return a;
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "abstract", "udp"})
    void sessionIdOfAnEncryptedConnection(String kind) throws Exception {
        try (ControlClient c = ControlClient.open(start(kind))) {
            byte[] sid = c.getOption(L1, R1, ControlOption.TCP_CRYPT_SESSID, 64);
            assertThat(sid).isEqualTo(FakeTarget.sid(1));
            // tcpcryptd's do_opt: a smaller buffer gets the first bytes
            assertThat(c.getOption(L1, R1, ControlOption.TCP_CRYPT_SESSID, 8)).hasSize(8);
            // APP_SUPPORT get: a flags byte (bit 1: peer announced support) then the session ID
            byte[] app = c.getOption(L1, R1, ControlOption.TCP_CRYPT_APP_SUPPORT, 64);
            assertThat(app[0]).isEqualTo((byte) 2);
            assertThat(java.util.Arrays.copyOfRange(app, 1, app.length)).isEqualTo(FakeTarget.sid(1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "udp"})
    void plainAndUnknownConnectionsAreErrors(String kind) throws Exception {
        try (ControlClient c = ControlClient.open(start(kind))) {
            assertThatThrownBy(() -> c.getOption(new InetSocketAddress("198.18.0.1", 52775),
                    new InetSocketAddress("198.18.0.3", 80), ControlOption.TCP_CRYPT_SESSID, 64))
                    .isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOTCONN));
            assertThatThrownBy(() -> c.getOption(new InetSocketAddress("198.18.0.9", 1),
                    new InetSocketAddress("198.18.0.3", 80), ControlOption.TCP_CRYPT_SESSID, 64))
                    .isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
            assertThat(server.counters().noSuchConnection.get()).isEqualTo(1);
        }
    }

    @Test
    void requestDuringHandshakeIsAnsweredWhenItSettles() throws Exception {
        FakeTarget.FakeView hs = target.add(new FakeTarget.FakeView("198.18.0.1", 50000, "198.18.0.2", 7777,
                Phase.HANDSHAKING, 0, 1000));
        ControlAddress a = start("unix");
        try (ControlClient c = ControlClient.open(a, Duration.ofSeconds(10))) {
            CompletableFuture<byte[]> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.getOption(hs.local, hs.remote, ControlOption.TCP_CRYPT_SESSID, 64);
                } catch (ControlException e) {
                    throw new RuntimeException(e);
                }
            });
            long until = System.nanoTime() + 5_000_000_000L;
            while (server.counters().deferred.get() == 0 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertThat(server.counters().deferred.get()).isEqualTo(1);
            assertThat(answer).isNotDone();
            hs.settle(Phase.ENCRYPTED, 9);
            assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(FakeTarget.sid(9));
        }
    }

    @Test
    void handshakeThatEndsPlainIsReportedPlain() throws Exception {
        FakeTarget.FakeView hs = target.add(new FakeTarget.FakeView("198.18.0.1", 50001, "198.18.0.2", 7777,
                Phase.HANDSHAKING, 0, 1000));
        try (ControlClient c = ControlClient.open(start("unix"), Duration.ofSeconds(10))) {
            CompletableFuture<ControlMessage> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.exchange(ControlMessage.request(0, hs.local, hs.remote, ControlOption.TUNCRYPT_CONN_INFO,
                            false, new dev.tuncrypt.client.wire.ConnectionQuery(hs.local, hs.remote).encode()));
                } catch (ControlException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            assertThat(answer).isNotDone();
            hs.settle(Phase.PLAIN, 0);
            ControlMessage reply = answer.get(5, TimeUnit.SECONDS);
            assertThat(reply.err()).isZero();
            dev.tuncrypt.client.wire.PayloadReader r = new dev.tuncrypt.client.wire.PayloadReader(reply.data());
            ConnectionRecord rec = ConnectionRecord.decode(r);
            assertThat(rec.phase()).isEqualTo(ConnectionRecord.Phase.PLAIN);
            assertThat(rec.plainReason()).isEqualTo("peer sent no ENO");
            assertThat(rec.sessionId()).isEmpty();
        }
    }

    @Test
    void applicationAsksForItsOwnSocketsSession() throws Exception {
        ControlAddress a = start("unix");
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                java.net.Socket app = new java.net.Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
                java.net.Socket peer = ss.accept();
                java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(ss.getLocalSocketAddress());
                java.net.Socket peer2 = ss.accept();
                ControlClient c = ControlClient.open(a)) {
            FakeTarget.FakeView v = target.add(new FakeTarget.FakeView("127.0.0.1", app.getLocalPort(), "127.0.0.1",
                    ss.getLocalPort(), Phase.ENCRYPTED, 11, 0));
            ConnectionRecord r = c.session(app);
            assertThat(r.isEncrypted()).isTrue();
            assertThat(r.sessionId()).isEqualTo(FakeTarget.sid(11));
            assertThat(r.peerAppAware()).isTrue();
            assertThat(r.dialect()).isEqualTo("tcpcrypt-0.5");
            // a channel the daemon does not carry
            assertThatThrownBy(() -> c.session(ch)).isInstanceOfSatisfying(ControlException.class,
                    e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
            target.add(new FakeTarget.FakeView("127.0.0.1", ((InetSocketAddress) ch.getLocalAddress()).getPort(),
                    "127.0.0.1", ss.getLocalPort(), Phase.PLAIN, 0, 0));
            assertThat(c.session(ch).isEncrypted()).isFalse();
            assertThat(v.resets.get()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "udp"})
    void netstatListsEncryptingIpv4Connections(String kind) throws Exception {
        try (ControlClient c = ControlClient.open(start(kind))) {
            List<NetstatRecord> records = c.netstat();
            assertThat(records).containsExactly(new NetstatRecord(L1, R1, FakeTarget.sid(1)));
            // the reply never exceeds the buffer the request offered (libtcpcrypt's recv size)
            ControlMessage small = c.exchange(ControlMessage.request(0, ControlOption.TCP_CRYPT_NETSTAT, false,
                    new byte[40]));
            assertThat(small.err()).isZero();
            assertThat(small.data()).isEmpty();
            List<ConnectionRecord> wide = c.netstatWide();
            assertThat(wide).hasSize(3);
            assertThat(wide).extracting(ConnectionRecord::phase).containsExactlyInAnyOrder(
                    ConnectionRecord.Phase.ENCRYPTED, ConnectionRecord.Phase.ENCRYPTED, ConnectionRecord.Phase.PLAIN);
            ConnectionRecord v6 = wide.stream().filter(r -> r.local().getPort() == 40000).findFirst().orElseThrow();
            assertThat(v6.sessionId()).isEqualTo(FakeTarget.sid(3));
            assertThat(v6.tep()).isEqualTo("ECDHE_P256");
            assertThat(v6.srttMicros()).isEqualTo(12_000);
            assertThat(v6.ageMillis()).isEqualTo(42_000);
        }
    }

    @Test
    void wideNetstatPagesThroughManyConnections() throws Exception {
        for (int i = 0; i < 1500; i++) {
            target.add(new FakeTarget.FakeView("198.18.1.1", 10000 + i, "198.18.1.2", 443, Phase.ENCRYPTED, i, 0));
        }
        try (ControlClient c = ControlClient.open(start("udp"))) {
            assertThat(c.netstatWide()).hasSize(1503).doesNotHaveDuplicates();
        }
    }

    @Test
    void connectionInfoWorksForIpv6() throws Exception {
        try (ControlClient c = ControlClient.open(start("unix"))) {
            ConnectionRecord r = c.connection(new InetSocketAddress("2001:2::1", 40000),
                    new InetSocketAddress("2001:2::2", 443));
            assertThat(r.isEncrypted()).isTrue();
            assertThat(r.sessionIdHex()).isEqualTo(java.util.HexFormat.of().withUpperCase().formatHex(FakeTarget.sid(3)));
        }
    }

    @Test
    void statusCarriesTargetAndServerCounters() throws Exception {
        try (ControlClient c = ControlClient.open(start("unix"))) {
            StatusPayload s = c.status();
            assertThat(s.version()).isEqualTo("0.1.0-test");
            assertThat(s.uptimeMillis()).isEqualTo(3_723_000);
            assertThat(s.cachedSessions()).isEqualTo(7);
            assertThat(s.counters()).containsEntry("handshakes", 12L).containsKey("control.requests");
        }
    }

    @Test
    void rootMayResetFlushAndPresetOverUnix() throws Exception {
        // The test runs as root (CI); SCM_CREDENTIALS then reports uid 0.
        dev.tuncrypt.daemon.control.RootRequirement.require("runs as root");
        try (ControlClient c = ControlClient.open(start("unix"))) {
            c.setOption(L1, R1, ControlOption.TCP_CRYPT_RESET, new byte[0]);
            assertThat(((FakeTarget.FakeView) target.views.get(0)).resets.get()).isEqualTo(1);
            c.setOption(new InetSocketAddress("0.0.0.0", 0), null, ControlOption.TCP_CRYPT_NOCACHE, new byte[4]);
            assertThat(target.flushes.get()).isEqualTo(1);
            target.cached = 5;
            assertThat(c.flush()).isEqualTo(5);
            c.enable(new InetSocketAddress("0.0.0.0", 41000), false);
            assertThat(target.presets).hasSize(1);
            assertThat(target.presets.get(0).getValue()).isEqualTo(new ControlTarget.Preset.Enable(false));
            assertThat(target.presets.get(0).getKey().getPort()).isEqualTo(41000);
            c.setOption(new InetSocketAddress("0.0.0.0", 41001), null, ControlOption.TCP_CRYPT_APP_SUPPORT,
                    ControlClient.intValue(1));
            assertThat(target.presets.get(1).getValue()).isEqualTo(new ControlTarget.Preset.AppSupport(1));
            // too late: the connection exists already
            assertThatThrownBy(() -> c.enable(L1, false)).isInstanceOfSatisfying(ControlException.class,
                    e -> assertThat(e.errno()).isEqualTo(106));
        }
    }

    @Test
    void udpIsReadOnly() throws Exception {
        try (ControlClient c = ControlClient.open(start("udp"))) {
            assertThatThrownBy(() -> c.setOption(L1, R1, ControlOption.TCP_CRYPT_RESET, new byte[0]))
                    .isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPERM));
            assertThatThrownBy(c::flush).isInstanceOfSatisfying(ControlException.class,
                    e -> assertThat(e.errno()).isEqualTo(Errno.EPERM));
            assertThatThrownBy(() -> c.enable(new InetSocketAddress("0.0.0.0", 41000), false))
                    .isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPERM));
            assertThat(((FakeTarget.FakeView) target.views.get(0)).resets.get()).isZero();
            assertThat(target.flushes.get()).isZero();
            assertThat(target.presets).isEmpty();
            assertThat(server.counters().denied.get()).isEqualTo(3);
        }
    }

    @Test
    void socketFileModeAndRemovalOnClose() throws Exception {
        Path p = dir.resolve("ctl");
        server = ControlServer.start(ControlAddress.parse(p.toString()), target,
                new SocketPermissions(0660, java.util.Optional.empty(), java.util.Optional.of("nogroup"), false));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).isEqualTo("rw-rw----");
        assertThat(Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class).group().getName())
                .isEqualTo("nogroup");
        // a second daemon on the same path is refused while the first answers
        assertThatThrownBy(() -> ControlServer.start(ControlAddress.parse(p.toString()), target,
                SocketPermissions.DEFAULT)).hasMessageContaining("another daemon");
        server.close();
        server = null;
        assertThat(p).doesNotExist();
    }

    @Test
    void staleSocketFileIsReplaced() throws Exception {
        Path p = dir.resolve("ctl");
        LinuxDatagramSocket.bind(new LinuxDatagramSocket.UnixAddress(p.toString(), false)).close();
        assertThat(p).exists();
        server = ControlServer.start(ControlAddress.parse(p.toString()), target, SocketPermissions.DEFAULT);
        try (ControlClient c = ControlClient.open(server.address())) {
            assertThat(c.netstat()).hasSize(1);
        }
    }

    @Test
    void clientSaysWhenNoDaemonListens() throws Exception {
        try (ControlClient c = ControlClient.open(ControlAddress.parse(dir.resolve("none").toString()))) {
            assertThatThrownBy(c::status).isInstanceOfSatisfying(ControlException.class,
                    e -> assertThat(e.kind()).isEqualTo(ControlException.Kind.NOT_RUNNING));
        }
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (ControlClient c = ControlClient.open(ControlAddress.parse(":" + port), Duration.ofSeconds(2))) {
            assertThatThrownBy(c::status).isInstanceOfSatisfying(ControlException.class,
                    e -> assertThat(e.kind()).isEqualTo(ControlException.Kind.NOT_RUNNING));
        }
    }

    // ---- malformed requests: an error reply and a counter, and the server keeps answering ----

    /** Sends raw bytes over the unix socket and returns the raw reply. */
    private byte[] raw(byte[] datagram) throws Exception {
        try (LinuxDatagramSocket s = LinuxDatagramSocket.bind(null)) {
            s.send(datagram, new LinuxDatagramSocket.UnixAddress(dir.resolve("ctl").toString(), false).sockaddr(),
                    false);
            ByteBuffer b = ByteBuffer.allocate(70_000);
            LinuxDatagramSocket.Received r = s.receive(b, 5000);
            assertThat(r).as("a reply").isNotNull();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
    }

    private static int err(byte[] reply) {
        return ByteBuffer.wrap(reply).order(ByteOrder.nativeOrder()).getInt(24);
    }

    @Test
    void malformedRequestsGetAnErrorReplyAndACount() throws Exception {
        start("unix");
        // truncated header: 20 bytes
        byte[] r = raw(new byte[20]);
        assertThat(r).hasSize(36);
        assertThat(err(r)).isEqualTo(Errno.EBADMSG);
        assertThat(server.counters().truncatedHeader.get()).isEqualTo(1);

        // dlen larger than the datagram
        byte[] req = ControlMessage.request(77, ControlOption.TCP_CRYPT_NETSTAT, false, new byte[10]).encode();
        ByteBuffer.wrap(req).order(ByteOrder.nativeOrder()).putInt(32, 11);
        r = raw(req);
        assertThat(err(r)).isEqualTo(Errno.EBADMSG);
        assertThat(ByteBuffer.wrap(r).order(ByteOrder.nativeOrder()).getInt(0)).isEqualTo(77);
        assertThat(server.counters().lengthMismatch.get()).isEqualTo(1);

        // huge dlen
        ByteBuffer.wrap(req).order(ByteOrder.nativeOrder()).putInt(32, 0xfffffff0);
        r = raw(req);
        assertThat(err(r)).isEqualTo(Errno.EMSGSIZE);
        assertThat(server.counters().oversize.get()).isEqualTo(1);

        // a datagram larger than the server's buffer
        r = raw(new byte[66_000]);
        assertThat(err(r)).isEqualTo(Errno.EMSGSIZE);
        assertThat(server.counters().oversize.get()).isEqualTo(2);

        // unknown option
        r = raw(ControlMessage.request(5, 4242, false, new byte[0]).encode());
        assertThat(err(r)).isEqualTo(Errno.ENOPROTOOPT);
        assertThat(server.counters().unknownOption.get()).isEqualTo(1);

        // bad option payloads
        r = raw(ControlMessage.request(6, ControlOption.TUNCRYPT_CONN_INFO, false, new byte[] {9, 1, 2}).encode());
        assertThat(err(r)).isEqualTo(Errno.EINVAL);
        r = raw(ControlMessage.request(7, ControlOption.TCP_CRYPT_ENABLE, true, new byte[] {1}).encode());
        assertThat(err(r)).isEqualTo(Errno.EINVAL);
        assertThat(server.counters().badPayload.get()).isEqualTo(2);

        // random bytes
        Random rnd = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] junk = new byte[rnd.nextInt(120)];
            rnd.nextBytes(junk);
            assertThat(raw(junk)).hasSizeGreaterThanOrEqualTo(36);
        }
        // still answering
        try (ControlClient c = ControlClient.open(server.address())) {
            assertThat(c.netstat()).hasSize(1);
        }
        assertThat(server.counters().handlerFailures.get()).isZero();
    }

    @Test
    void aFailingTargetStillGetsAnAnswer() throws Exception {
        FakeTarget broken = new FakeTarget() {
            @Override
            public java.util.List<ConnectionView> connections() {
                throw new IllegalStateException("broken on purpose");
            }
        };
        target = broken;
        ControlAddress a = start("unix");
        try (ControlClient c = ControlClient.open(a)) {
            assertThatThrownBy(c::netstat).isInstanceOfSatisfying(ControlException.class,
                    e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
            assertThat(server.counters().handlerFailures.get()).isEqualTo(1);
            assertThat(c.status().version()).isEqualTo("0.1.0-test");
        }
    }

    @Test
    void theViewsOwnFutureIsNotCompletedByATimeout() throws Exception {
        FakeTarget.FakeView hs = target.add(new FakeTarget.FakeView("198.18.0.1", 50003, "198.18.0.2", 7777,
                Phase.HANDSHAKING, 0, 1000));
        ControlCounters counters = new ControlCounters();
        ControlRequests requests = new ControlRequests(target, new AccessPolicy(SocketPermissions.DEFAULT), counters,
                Runnable::run, 50, 1);
        ControlMessage req = ControlMessage.request(1, hs.local, hs.remote, ControlOption.TCP_CRYPT_SESSID, false,
                new byte[64]);
        ControlMessage reply = requests.answer(req, Requester.ROOT).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(reply.err()).isEqualTo(Errno.ETIMEDOUT);
        assertThat(hs.settled).isNotDone();
        assertThat(requests.pending()).isZero();
        // the backlog limit (1 here): a second waiting request is answered EBUSY at once
        CompletableFuture<ControlMessage> first = requests.answer(req, Requester.ROOT).toCompletableFuture();
        ControlMessage second = requests.answer(req, Requester.ROOT).toCompletableFuture().get(1, TimeUnit.SECONDS);
        assertThat(second.err()).isEqualTo(Errno.EBUSY);
        assertThat(counters.backlogFull.get()).isEqualTo(1);
        hs.settle(Phase.ENCRYPTED, 4);
        assertThat(first.get(5, TimeUnit.SECONDS).data()).isEqualTo(FakeTarget.sid(4));
    }

    @Test
    void malformedOverUdpToo() throws Exception {
        ControlAddress a = start("udp");
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(5000);
            s.send(new DatagramPacket(new byte[3], 3, InetAddress.getLoopbackAddress(), ((ControlAddress.Udp) a).port()));
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            s.receive(p);
            assertThat(p.getLength()).isEqualTo(36);
            assertThat(err(java.util.Arrays.copyOf(p.getData(), 36))).isEqualTo(Errno.EBADMSG);
        }
    }

    // ---- a request from another uid, sent by a real process running as nobody ----

    private String sendAsNobody(int opt, int flags, InetSocketAddress local, InetSocketAddress remote) throws Exception {
        dev.tuncrypt.daemon.control.RootRequirement.require("needs root to run a process as nobody");
        dev.tuncrypt.tcpstack.testsupport.Requirements.command("setpriv", "util-linux");
        dev.tuncrypt.tcpstack.testsupport.Requirements.command("setpriv", "util-linux");
        org.junit.jupiter.api.Assertions.assertTrue(Files.isExecutable(Path.of(dev.tuncrypt.tcpstack.testsupport.Requirements.PYTHON3)), "needs /usr/bin/python3");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        byte[] req = new ControlMessage(1, ControlMessage.ipv4(local), local.getPort(), ControlMessage.ipv4(remote),
                remote.getPort(), flags, 0, opt, new byte[0]).encode();
        String py = "import socket,sys\n"
                + "s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.bind(''); s.settimeout(5)\n"
                + "s.sendto(bytes.fromhex(sys.argv[1]), sys.argv[2])\n"
                + "r=s.recv(4096); import struct; print(struct.unpack('=I', r[24:28])[0])\n";
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", dev.tuncrypt.tcpstack.testsupport.Requirements.PYTHON3, "-c",
                py, java.util.HexFormat.of().formatHex(req), dir.resolve("ctl").toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void nonRootMayNotResetAnotherUsersConnectionButMayReadAndResetItsOwn() throws Exception {
        FakeTarget.FakeView own = target.add(new FakeTarget.FakeView("198.18.0.1", 50002, "198.18.0.2", 7777,
                Phase.ENCRYPTED, 5, 65534));
        start("unix");
        assertThat(sendAsNobody(ControlOption.TCP_CRYPT_RESET, ControlMessage.TCC_SET, L1, R1))
                .isEqualTo(String.valueOf(Errno.EPERM));
        assertThat(((FakeTarget.FakeView) target.views.get(0)).resets.get()).isZero();
        assertThat(server.counters().denied.get()).isEqualTo(1);
        assertThat(sendAsNobody(ControlOption.TCP_CRYPT_SESSID, 0, L1, R1)).isEqualTo("0");
        assertThat(sendAsNobody(ControlOption.TCP_CRYPT_NOCACHE, ControlMessage.TCC_SET, L1, R1))
                .isEqualTo(String.valueOf(Errno.EPERM));
        assertThat(target.flushes.get()).isZero();
        assertThat(sendAsNobody(ControlOption.TCP_CRYPT_RESET, ControlMessage.TCC_SET, own.local, own.remote))
                .isEqualTo("0");
        assertThat(own.resets.get()).isEqualTo(1);
    }
}
