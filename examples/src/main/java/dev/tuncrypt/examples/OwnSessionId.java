package dev.tuncrypt.examples;

import dev.tuncrypt.client.wire.ConnectionRecord;
import dev.tuncrypt.client.ControlAddress;
import dev.tuncrypt.client.ControlClient;
import dev.tuncrypt.client.ControlException;
import dev.tuncrypt.client.ShortAuthString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An ordinary JVM application on a host where tuncryptd runs: it opens a plain
 * {@link java.net.Socket} (the kernel's TCP; tuncryptd encrypts it transparently because the
 * destination is steered), then asks tuncryptd, through the client library, for the session ID
 * of its own socket — what {@code tcpcrypt_getsessid} does for a C program. It prints the
 * session ID and its short authentication string, or why the connection is in the clear.
 *
 * <pre>
 *   tools/run-example OwnSessionId CONTROL_SOCKET HOST PORT
 * </pre>
 *
 * Exit status 0 when the connection is encrypted, 3 when it is plain, 1 on an error.
 */
public final class OwnSessionId {
    private OwnSessionId() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: OwnSessionId CONTROL_SOCKET HOST PORT");
            System.exit(2);
        }
        System.exit(run(ControlAddress.parse(args[0]), new InetSocketAddress(args[1], Integer.parseInt(args[2]))));
    }

    static int run(ControlAddress control, InetSocketAddress server) {
        try (Socket socket = new Socket()) {
            socket.connect(server, 10_000);
            // Say something so the exchange is real; an echo or HTTP server answers.
            OutputStream out = socket.getOutputStream();
            out.write("HEAD / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] first = new byte[64];
            int n = in.read(first);
            System.out.println("server said: " + (n > 0 ? new String(first, 0, n, StandardCharsets.ISO_8859_1).lines()
                    .findFirst().orElse("") : "(nothing)"));
            try (ControlClient client = ControlClient.open(control)) {
                ConnectionRecord r = client.session(socket);
                if (!r.isEncrypted()) {
                    System.out.println("plain TCP: " + (r.plainReason().isEmpty() ? r.phase().name().toLowerCase()
                            : r.plainReason()));
                    return 3;
                }
                System.out.println("session ID " + r.sessionIdHex() + " (" + r.dialect() + ", " + r.tep() + ", "
                        + r.cipher() + ")");
                System.out.println("short authentication string " + ShortAuthString.hexGroups(r.sessionId(), 4));
                return 0;
            }
        } catch (ControlException e) {
            System.err.println("OwnSessionId: asking tuncryptd: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("OwnSessionId: " + e.getMessage());
            return 1;
        }
    }
}
