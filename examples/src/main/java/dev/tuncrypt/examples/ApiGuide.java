package dev.tuncrypt.examples;

import dev.tuncrypt.client.SessionBinding;
import dev.tuncrypt.client.ShortAuthString;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.SegmentProtection;
import dev.tuncrypt.tcpstack.wire.TcpOptions;
import dev.tuncrypt.tun.Clock;
import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.MemoryLink;
import dev.tuncrypt.tun.TunConfig;
import dev.tuncrypt.tun.TunDevice;
import dev.tuncrypt.tun.TunException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The snippets of {@code docs/api.md}, compiled: each region between {@code // api.md: NAME} and
 * {@code // end} appears in the guide word for word ({@code ApiGuideTest} checks it), and
 * {@link #run} runs them end to end over an in-memory link (no root needed).
 */
public final class ApiGuide {
    private ApiGuide() {}

    /** What {@link #run} saw on both ends. */
    public record Outcome(String clientSessionId, String serverSessionId, String clientSas, String serverSas,
            boolean clientAuthenticated, boolean serverAuthenticated, int synOptionsSeen, boolean plainPortWasPlain) {}

    /** Opens a TUN device with a stack behind it (root or CAP_NET_ADMIN; not run by the test). */
    static NetStack openDevice(TcpCrypt tcpcrypt) throws TunException {
        // api.md: open-device
        TunDevice device = TunDevice.open(TunConfig.of("tx0").withMtu(1500));
        device.addAddress(InetAddress.ofLiteral("198.18.9.1"), 24);   // the kernel's side
        device.setUp(true);
        NetStack stack = NetStack.builder()
                .link(device.queue(0))                                // one loop per queue
                .address(InetAddress.ofLiteral("198.18.9.2"))         // the stack's own address
                .protection(tcpcrypt.protections())                   // tcpcrypt on every connection
                .build();
        stack.start();
        // end
        return stack;
    }

    /** Two stacks joined by an in-memory link, as the tests build them. */
    static NetStack[] memoryStacks(TcpCrypt serverCrypt, SegmentProtection.Factory clientProtections) {
        // api.md: memory-link
        MemoryLink.Pair link = MemoryLink.pair(Clock.SYSTEM, 1, FaultModel.NONE, FaultModel.NONE);
        NetStack server = NetStack.builder().link(link.a()).address(InetAddress.ofLiteral("198.18.3.1"))
                .protection(serverCrypt.protections()).build();
        NetStack client = NetStack.builder().link(link.b()).address(InetAddress.ofLiteral("198.18.3.2"))
                .protection(clientProtections).build();
        server.start();
        client.start();
        // end
        return new NetStack[] {server, client};
    }

    /** Connects and waits for the tcpcrypt handshake; the session ID is then known on both ends. */
    static TcpCryptInfo connect(NetStack stack) throws IOException, InterruptedException, ExecutionException,
            TimeoutException {
        // api.md: connect
        TcpSocket socket = TcpSocket.connect(stack, new InetSocketAddress("198.18.3.1", 7000), Duration.ofSeconds(10));
        if (!TcpCrypt.peerCapable(socket)) {                 // known once the SYN-ACK arrived
            throw new IOException("the peer does not speak tcpcrypt: plain TCP");
        }
        TcpCryptInfo info = TcpCrypt.whenEstablished(socket).get(10, TimeUnit.SECONDS);
        System.out.println(info.dialect() + " " + info.tep() + " " + info.cipher() + " session " + info.sessionId());
        // end
        connected = socket;
        return info;
    }

    private static TcpSocket connected;

    /** Compares short authentication strings, then binds the session ID to a shared password. */
    static boolean authenticate(TcpSocket socket, TcpCryptInfo info, SessionBinding.Role role, char[] password)
            throws IOException {
        // api.md: authenticate
        byte[] sid = info.sessionId().bytes();
        String sas = ShortAuthString.hexGroups(sid, 4);       // read aloud and compare, e.g. 0E7E-0040-9466-1E53
        SessionBinding binding = SessionBinding.fromPassword(password);
        try {
            // each end sends HMAC(K, role || sid) and checks the peer's in constant time
            boolean authentic = binding.exchange(sid, role, socket.getInputStream(), socket.getOutputStream());
            if (!authentic) {
                socket.abort();                              // a man in the middle or a wrong password
            }
            return authentic;
        } finally {
            binding.destroy();                               // zeroes the derived key
        }
        // end
    }

    // api.md: protection
    /** Plain TCP that only looks at the peer's SYN options: a SegmentProtection of one's own. */
    static final class SynOptionCounter implements SegmentProtection {
        private final AtomicInteger seen;

        SynOptionCounter(AtomicInteger seen) {
            this.seen = seen;
        }

        @Override
        public int writeSynOptions(ByteBuffer buf, int index, int room, boolean synAck) {
            return index;                                    // adds no option of its own
        }

        @Override
        public void onPeerSynOptions(ByteBuffer buf, int optionsOffset, int optionsLength, TcpOptions parsed,
                boolean synAck) {
            seen.addAndGet(optionsLength);                   // on the connection's loop thread: be quick
        }

        @Override
        public boolean transformsStream() {
            return false;                                    // the byte stream stays plain
        }
    }

    /** tcpcrypt for every port but 7, which gets the counter above. */
    static SegmentProtection.Factory perPort(TcpCrypt tcpcrypt, AtomicInteger seen) {
        SegmentProtection.Factory encrypted = tcpcrypt.protections();
        return (flow, active) -> flow.remotePort() == 7
                ? new SynOptionCounter(seen)
                : encrypted.create(flow, active);
    }
    // end

    /** Runs the guide end to end over an in-memory link; the passwords may differ. */
    public static Outcome run(String serverPassword, String clientPassword) throws Exception {
        AtomicInteger seen = new AtomicInteger();
        try (TcpCrypt serverCrypt = TcpCrypt.create(TcpCryptConfig.DEFAULT);
                TcpCrypt clientCrypt = TcpCrypt.create(TcpCryptConfig.DEFAULT)) {
            NetStack[] stacks = memoryStacks(serverCrypt, perPort(clientCrypt, seen));
            try (NetStack server = stacks[0];
                    NetStack client = stacks[1];
                    TcpListener listener = TcpListener.bind(server, 7000, 4);
                    TcpListener echo = TcpListener.bind(server, 7, 4)) {
                CompletableFuture<String[]> serverSide = CompletableFuture.supplyAsync(() -> {
                    try (TcpSocket s = listener.accept(Duration.ofSeconds(10))) {
                        TcpCryptInfo info = TcpCrypt.whenEstablished(s).get(10, TimeUnit.SECONDS);
                        boolean ok = authenticate(s, info, SessionBinding.Role.SERVER, serverPassword.toCharArray());
                        return new String[] {info.sessionId().toString(),
                            ShortAuthString.hexGroups(info.sessionId().bytes(), 4), Boolean.toString(ok)};
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                TcpCryptInfo info = connect(client);
                boolean clientOk;
                try (TcpSocket socket = connected) {
                    clientOk = authenticate(socket, info, SessionBinding.Role.CLIENT, clientPassword.toCharArray());
                }
                String[] s = serverSide.get(30, TimeUnit.SECONDS);
                boolean plain;
                try (TcpSocket p = TcpSocket.connect(client, new InetSocketAddress("198.18.3.1", 7), Duration.ofSeconds(10));
                        TcpSocket accepted = echo.accept(Duration.ofSeconds(10))) {
                    plain = !TcpCrypt.peerCapable(p) && TcpCrypt.info(p) == null;
                }
                return new Outcome(info.sessionId().toString(), s[0], ShortAuthString.hexGroups(info.sessionId().bytes(), 4),
                        s[1], clientOk, Boolean.parseBoolean(s[2]), seen.get(), plain);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Outcome o = run("correct horse", "correct horse");
        System.out.println("session " + o.clientSessionId() + (o.clientSessionId().equals(o.serverSessionId())
                ? " on both ends" : " (the server saw " + o.serverSessionId() + ")"));
        System.out.println("short authentication string " + o.clientSas() + " / " + o.serverSas());
        System.out.println("password binding: client " + (o.clientAuthenticated() ? "accepted" : "REJECTED")
                + " the server, server " + (o.serverAuthenticated() ? "accepted" : "REJECTED") + " the client");
        System.out.println("own protection saw " + o.synOptionsSeen() + " bytes of SYN-ACK options; port 7 "
                + (o.plainPortWasPlain() ? "stayed plain" : "was NOT plain"));
    }
}
