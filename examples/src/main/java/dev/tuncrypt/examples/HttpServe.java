package dev.tuncrypt.examples;

import dev.tuncrypt.client.ShortAuthString;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The other end of {@link HttpFetch}: a minimal HTTP/1.0 server on the userspace stack that
 * answers every GET with a page naming the tcpcrypt session it sees and its short
 * authentication string, so a client can compare the string it computed. As root:
 *
 * <pre>{@code
 * java ... dev.tuncrypt.examples.HttpServe --tun ty0 --tun-addr 198.18.10.1/24 --stack-addr 198.18.10.2 8080
 * }</pre>
 */
public final class HttpServe implements AutoCloseable {
    private final TcpListener listener;
    private final Thread acceptor;

    private HttpServe(TcpListener listener) {
        this.listener = listener;
        this.acceptor = Thread.ofPlatform().daemon(true).name("http-serve").unstarted(this::serve);
    }

    /** Serves on {@code port} of {@code stack}'s addresses until closed. */
    public static HttpServe start(NetStack stack, int port) throws IOException {
        HttpServe s = new HttpServe(TcpListener.bind(stack, port, 16));
        s.acceptor.start();
        return s;
    }

    private void serve() {
        while (true) {
            TcpSocket socket;
            try {
                socket = listener.accept();
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                return;
            }
            Thread.ofPlatform().daemon(true).name("http-serve-conn").start(() -> answer(socket));
        }
    }

    private static void answer(TcpSocket socket) {
        try (socket) {
            TcpCryptInfo session = Sessions.await(socket, Duration.ofSeconds(10));
            String request = readHead(socket.getInputStream());
            boolean get = request.startsWith("GET ");
            String page = get ? page(session) : "only GET is served\n";
            byte[] body = page.getBytes(StandardCharsets.UTF_8);
            String head = (get ? "HTTP/1.0 200 OK" : "HTTP/1.0 405 Method Not Allowed") + "\r\n"
                    + "Content-Type: text/plain; charset=utf-8\r\n"
                    + "Content-Length: " + body.length + "\r\n"
                    + "Connection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            socket.shutdownOutput(); // HTTP/1.0: the end of the body; close() then ends the connection
        } catch (IOException | InterruptedException | RuntimeException e) {
            // one connection failed; the server goes on
        }
    }

    /** The page: the session as this end sees it. */
    static String page(TcpCryptInfo session) {
        if (session == null) {
            return "plain TCP: no tcpcrypt session\n";
        }
        return "tcpcrypt session " + session.sessionId() + "\n"
                + "short authentication string: " + ShortAuthString.hexGroups(session.sessionId().bytes(), 4) + "\n";
    }

    /** Reads the request head (up to the blank line, at most 16 KiB). */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while (b.length() < 16 * 1024 && (c = in.read()) >= 0) {
            b.append((char) c);
            if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return b.toString();
    }

    /** Stops accepting. */
    @Override
    public void close() {
        listener.close();
    }

    public static void main(String[] args) throws Exception {
        HttpFetch.Args a = HttpFetch.Args.parse(args, "PORT");
        if (a == null) {
            System.exit(2);
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        try (EmbeddedStack s = EmbeddedStack.open(a.tun(), a.kernelAddress(), a.prefix(), a.stackAddress());
                HttpServe server = start(s.stack(), Integer.parseInt(a.rest()))) {
            System.err.println("serving http://" + a.stackAddress() + ":" + a.rest() + "/ until interrupted");
            stop.await();
        }
    }
}
