package dev.tuncrypt.examples;

import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.MemoryLink;
import dev.tuncrypt.tun.Clock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticating a tcpcrypt session with a shared password: both ends read the connection's
 * session ID (equal on both ends, unique per connection), send HMAC-SHA256(password, role ||
 * session ID) and check the peer's in constant time. A man in the middle ends up with two
 * sessions with different IDs and cannot produce the peer's proof without the password. Two
 * stacks over an in-memory link, so it runs anywhere (no root):
 *
 * <pre>{@code
 * java ... dev.tuncrypt.examples.AuthenticatedEcho [server-password [client-password]]
 * make example-echo ARGS="s3cret guess"      # from the repository, after make build
 * }</pre>
 *
 * Exit status 0 when both ends authenticated each other, 1 when they did not.
 */
public final class AuthenticatedEcho {
    private AuthenticatedEcho() {}

    /** What one run produced. */
    public record Outcome(boolean serverAccepted, boolean clientAccepted, String echoed, String sessionId) {}

    public static void main(String[] args) throws Exception {
        String serverPassword = args.length > 0 ? args[0] : "correct horse battery staple";
        String clientPassword = args.length > 1 ? args[1] : serverPassword;
        Outcome o = run(serverPassword, clientPassword, "hello over an authenticated tcpcrypt session");
        System.out.println("session " + o.sessionId());
        System.out.println("server " + (o.serverAccepted() ? "accepted" : "REJECTED") + " the client, client "
                + (o.clientAccepted() ? "accepted" : "REJECTED") + " the server");
        System.out.println(o.echoed() == null ? "no echo (not authenticated)" : "echo: " + o.echoed());
        System.exit(o.echoed() == null ? 1 : 0); // 1: the passwords differ (or a man in the middle)
    }

    /** Runs a server and a client with their passwords; the client sends {@code message}. */
    public static Outcome run(String serverPassword, String clientPassword, String message) throws Exception {
        MemoryLink.Pair link = MemoryLink.pair(Clock.SYSTEM, 1, FaultModel.NONE, FaultModel.NONE);
        try (TcpCrypt serverCrypt = TcpCrypt.create(TcpCryptConfig.DEFAULT.withAppAware(true));
                TcpCrypt clientCrypt = TcpCrypt.create(TcpCryptConfig.DEFAULT.withAppAware(true));
                NetStack server = NetStack.builder().link(link.a()).address(InetAddress.ofLiteral("198.18.3.1"))
                        .protection(serverCrypt.protections()).build();
                NetStack client = NetStack.builder().link(link.b()).address(InetAddress.ofLiteral("198.18.3.2"))
                        .protection(clientCrypt.protections()).build()) {
            server.start();
            client.start();
            try (TcpListener listener = TcpListener.bind(server, 7000, 4)) {
                CompletableFuture<Boolean> serverSide = CompletableFuture.supplyAsync(() -> {
                    try (TcpSocket s = listener.accept(Duration.ofSeconds(10))) {
                        return serve(s, serverPassword);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                try (TcpSocket c = TcpSocket.connect(client, new InetSocketAddress("198.18.3.1", 7000),
                        Duration.ofSeconds(10))) {
                    TcpCryptInfo info = awaitSession(c);
                    DataInputStream in = new DataInputStream(c.getInputStream());
                    DataOutputStream out = new DataOutputStream(c.getOutputStream());
                    boolean ok = authenticate(in, out, info, clientPassword, "client", "server");
                    String echoed = null;
                    if (ok && in.readBoolean()) {
                        out.writeUTF(message);
                        out.flush();
                        echoed = in.readUTF();
                    }
                    boolean serverOk = serverSide.get();
                    return new Outcome(serverOk, ok, serverOk && ok ? echoed : null, info.sessionId().toHex());
                }
            }
        }
    }

    private static boolean serve(TcpSocket s, String password) throws Exception {
        TcpCryptInfo info = awaitSession(s);
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        boolean ok = authenticate(in, out, info, password, "server", "client");
        out.writeBoolean(ok);
        out.flush();
        if (ok) {
            out.writeUTF(in.readUTF());
            out.flush();
        }
        return ok;
    }

    /** Sends our proof, reads the peer's and compares it in constant time. */
    private static boolean authenticate(DataInputStream in, DataOutputStream out, TcpCryptInfo info, String password,
            String me, String peer) throws IOException, GeneralSecurityException {
        out.write(proof(password, me, info));
        out.flush();
        byte[] theirs = in.readNBytes(32);
        return MessageDigest.isEqual(theirs, proof(password, peer, info));
    }

    static byte[] proof(String password, String role, TcpCryptInfo info) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update(role.getBytes(StandardCharsets.US_ASCII));
        return mac.doFinal(info.sessionId().bytes());
    }

    /** The session ID exists once both Init messages have passed. */
    private static TcpCryptInfo awaitSession(TcpSocket s) throws InterruptedException {
        TcpCryptInfo info = Sessions.await(s, Duration.ofSeconds(10));
        if (info == null) {
            throw new IllegalStateException("no tcpcrypt session");
        }
        return info;
    }
}
