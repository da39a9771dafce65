package dev.tuncrypt.daemon.selftest;

import dev.tuncrypt.tcpcrypt.CryptMode;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpSocket;
import dev.tuncrypt.tcpstack.tcp.SegmentProtection;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's self-test (tcpcryptd's {@code -s host}): one connection through the daemon's own
 * stack to a {@code tuncrypt test-server}, which answers with the session ID it sees
 * ({@link SessionLine}). Passes when tcpcrypt was negotiated, keys were agreed and the server's
 * ID equals this end's. It uses the daemon's tcpcrypt (its keys, workers and settings) with two
 * changes: the mode is opportunistic, so a peer without tcpcrypt shows as
 * {@link SelfTestResult.NotNegotiated} rather than a refused connect, and no cached session is
 * used, so a full key exchange is tested. Only the server given is contacted.
 */
public final class SelfTest {
    private static final Logger log = LoggerFactory.getLogger(SelfTest.class);
    /** The port of the test server unless one is given (tcpcryptd's check used 7777). */
    public static final int DEFAULT_PORT = 7777;

    private SelfTest() {}

    /** Runs the test against {@code server} within {@code timeout} (connect, handshake and answer). */
    public static SelfTestResult run(NetStack stack, TcpCrypt crypt, InetSocketAddress server, Duration timeout) {
        SegmentProtection.Factory protection = crypt.protections(
                crypt.config().withMode(CryptMode.DEFAULT).withSessionCache(false));
        long deadline = System.nanoTime() + timeout.toNanos();
        TcpSocket socket;
        try {
            socket = TcpSocket.connect(stack, null, server, null, protection, timeout);
        } catch (IOException e) {
            return result(server, new SelfTestResult.Unreachable(e.getMessage()));
        }
        AtomicBoolean done = new AtomicBoolean();
        // at the deadline, unblock a read that waits for a silent server
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
            if (!done.get()) {
                socket.abort();
            }
        }, CompletableFuture.delayedExecutor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        try {
            TcpCryptInfo info = awaitKeys(socket, deadline);
            boolean negotiated = TcpCrypt.peerCapable(socket);
            String answer;
            try {
                answer = readAnswer(socket.getInputStream());
            } catch (IOException e) {
                answer = null;
                if (System.nanoTime() - deadline >= 0) {
                    return result(server, negotiated && info == null
                            ? new SelfTestResult.NotNegotiated("TCP-ENO negotiated but keys not agreed within "
                                    + timeout.toMillis() + " ms")
                            : new SelfTestResult.BadAnswer("no answer within " + timeout.toMillis() + " ms"));
                }
                return result(server, new SelfTestResult.Unreachable("connection failed before an answer: "
                        + e.getMessage()));
            }
            return result(server, classify(negotiated, info, answer));
        } finally {
            done.set(true);
            watchdog.cancel(false);
            socket.close();
        }
    }

    /**
     * The verdict from what this end saw ({@code negotiated}: ENO agreed; {@code info}: keys
     * agreed, else null) and the server's answer ({@code answer}, possibly empty).
     */
    static SelfTestResult classify(boolean negotiated, TcpCryptInfo info, String answer) {
        SessionLine.Answer a = SessionLine.parse(answer);
        if (!negotiated) {
            String said = switch (a) {
                case SessionLine.Answer.Plain p -> "the server confirms plain TCP";
                case SessionLine.Answer.Sid s -> "yet the server reports session " + s.id();
                case SessionLine.Answer.Garbage g -> "the server answered '" + g.text() + "'";
            };
            return new SelfTestResult.NotNegotiated("the server did not answer TCP-ENO (plain TCP); " + said);
        }
        if (info == null) {
            return new SelfTestResult.NotNegotiated("TCP-ENO negotiated but the keys were not agreed");
        }
        return switch (a) {
            case SessionLine.Answer.Sid s -> s.id().equals(info.sessionId())
                    ? new SelfTestResult.Passed(info.sessionId())
                    : new SelfTestResult.SidMismatch(info.sessionId(), s.id().toString());
            case SessionLine.Answer.Plain p -> new SelfTestResult.SidMismatch(info.sessionId(), "plain TCP");
            case SessionLine.Answer.Garbage g -> new SelfTestResult.BadAnswer(g.text().isEmpty()
                    ? "the server closed without answering" : "'" + g.text() + "'");
        };
    }

    /** The session once keys are agreed; null for plain TCP or when the deadline passes first. */
    static TcpCryptInfo awaitKeys(TcpSocket socket, long deadline) {
        try {
            return TcpCrypt.handshake(socket).toCompletableFuture()
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).orElse(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null; // the connection failed first, or the deadline passed
        }
    }

    /** Reads up to a newline, end of stream or {@link SessionLine#MAX_LENGTH} bytes. */
    private static String readAnswer(InputStream in) throws IOException {
        byte[] buf = new byte[SessionLine.MAX_LENGTH];
        int n = 0;
        int r;
        while (n < buf.length && (r = in.read(buf, n, buf.length - n)) >= 0) {
            n += r;
            if (indexOf(buf, n, (byte) '\n') >= 0) {
                break;
            }
        }
        int nl = indexOf(buf, n, (byte) '\n');
        return new String(buf, 0, nl >= 0 ? nl + 1 : n, StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] b, int n, byte v) {
        for (int i = 0; i < n; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static SelfTestResult result(InetSocketAddress server, SelfTestResult r) {
        String a = server.getAddress().getHostAddress();
        String where = (a.contains(":") ? "[" + a + "]" : a) + ":" + server.getPort();
        if (r.passed()) {
            log.info("self-test against {}: {}", where, r.describe());
        } else {
            log.warn("self-test against {}: {}", where, r.describe());
        }
        return r;
    }
}
