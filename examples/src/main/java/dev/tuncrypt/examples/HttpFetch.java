package dev.tuncrypt.examples;

import dev.tuncrypt.client.ShortAuthString;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An HTTP/1.0 GET over the userspace stack: the program creates its own TUN device, runs a
 * stack with tcpcrypt behind it, fetches the URL with the stack's TCP and prints the response on
 * standard output; on standard error it prints the tcpcrypt session ID and its short
 * authentication string (compare it with the server's over another channel: equal strings mean
 * no one sits in between), or that the connection ran in the clear. As root:
 *
 * <pre>{@code
 * java ... dev.tuncrypt.examples.HttpFetch --tun tx0 --tun-addr 198.18.9.1/24 --stack-addr 198.18.9.2 \
 *     http://198.18.9.1:8000/
 * }</pre>
 *
 * The URL's host is an IPv4 or IPv6 literal (the stack has no resolver); {@link #fetch} is the
 * part to reuse with a stack of your own.
 */
public final class HttpFetch {
    /** Largest response read. */
    static final int MAX_RESPONSE = 16 << 20;

    private HttpFetch() {}

    /**
     * A response.
     *
     * @param statusLine the first line ("HTTP/1.0 200 OK")
     * @param status the status code
     * @param head status line and headers as received
     * @param body what followed the blank line
     * @param session the tcpcrypt session, or null when the connection was plain
     */
    public record Response(String statusLine, int status, String head, byte[] body, TcpCryptInfo session) {}

    /** GETs {@code url} (http, literal host) through {@code stack}. */
    public static Response fetch(NetStack stack, URI url, Duration timeout) throws IOException, InterruptedException {
        if (!"http".equals(url.getScheme()) || url.getHost() == null) {
            throw new IllegalArgumentException("an http://HOST[:PORT]/PATH URL with an IP literal host is needed: " + url);
        }
        String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1) : url.getHost();
        InetSocketAddress server = new InetSocketAddress(InetAddress.ofLiteral(host), url.getPort() < 0 ? 80 : url.getPort());
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        try (TcpSocket socket = TcpSocket.connect(stack, server, timeout)) {
            TcpCryptInfo session = Sessions.await(socket, timeout);
            OutputStream out = socket.getOutputStream();
            String request = "GET " + path + " HTTP/1.0\r\n"
                    + "Host: " + url.getRawAuthority() + "\r\n"
                    + "User-Agent: tuncrypt-example\r\n"
                    + "Connection: close\r\n\r\n";
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] raw = readAll(socket.getInputStream());
            return parse(raw, session);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            all.write(buf, 0, n);
            if (all.size() > MAX_RESPONSE) {
                throw new IOException("response larger than " + MAX_RESPONSE + " bytes");
            }
        }
        return all.toByteArray();
    }

    static Response parse(byte[] raw, TcpCryptInfo session) throws IOException {
        int end = -1;
        for (int i = 0; i + 3 < raw.length; i++) {
            if (raw[i] == '\r' && raw[i + 1] == '\n' && raw[i + 2] == '\r' && raw[i + 3] == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            throw new IOException("not an HTTP response (no end of headers in " + raw.length + " bytes)");
        }
        String head = new String(raw, 0, end, StandardCharsets.ISO_8859_1);
        String statusLine = head.lines().findFirst().orElse("");
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("[0-9]{3}")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        return new Response(statusLine, Integer.parseInt(parts[1]), head, body, session);
    }

    /** The lines printed about the session. */
    static String describe(TcpCryptInfo session) {
        if (session == null) {
            return "plain TCP: the server did not negotiate tcpcrypt, so there is no session ID to authenticate\n";
        }
        return "tcpcrypt session " + session.sessionId() + " (" + session.tep() + ", " + session.cipher() + ")\n"
                + "short authentication string: " + ShortAuthString.hexGroups(session.sessionId().bytes(), 4) + "\n";
    }

    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args, "URL");
        if (a == null) {
            System.exit(2);
        }
        Response r;
        try (EmbeddedStack s = EmbeddedStack.open(a.tun(), a.kernelAddress(), a.prefix(), a.stackAddress())) {
            r = fetch(s.stack(), URI.create(a.rest()), Duration.ofSeconds(10));
        } catch (IOException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return;
        }
        PrintStream out = System.out;
        out.print(r.head() + "\r\n\r\n");
        out.write(r.body());
        out.flush();
        System.err.print(describe(r.session()));
        System.exit(r.status() / 100 == 2 ? 0 : 1);
    }

    /** The examples' small command line: --tun NAME --tun-addr ADDR/PREFIX --stack-addr ADDR and one argument. */
    record Args(String tun, String kernelAddress, int prefix, String stackAddress, String rest) {
        static Args parse(String[] args, String what) {
            String tun = null;
            String kernel = null;
            String stack = null;
            String rest = null;
            try {
                for (int i = 0; i < args.length; i++) {
                    switch (args[i]) {
                        case "--tun" -> tun = args[++i];
                        case "--tun-addr" -> kernel = args[++i];
                        case "--stack-addr" -> stack = args[++i];
                        default -> {
                            if (rest != null || args[i].startsWith("--")) {
                                throw new IllegalArgumentException("unexpected '" + args[i] + "'");
                            }
                            rest = args[i];
                        }
                    }
                }
                if (tun == null || kernel == null || stack == null || rest == null || !kernel.contains("/")) {
                    throw new IllegalArgumentException("missing arguments");
                }
                int slash = kernel.indexOf('/');
                return new Args(tun, kernel.substring(0, slash), Integer.parseInt(kernel.substring(slash + 1)), stack, rest);
            } catch (RuntimeException e) {
                System.err.println("error: " + e.getMessage() + "; usage: --tun NAME --tun-addr ADDR/PREFIX --stack-addr ADDR "
                        + what);
                return null;
            }
        }
    }
}
