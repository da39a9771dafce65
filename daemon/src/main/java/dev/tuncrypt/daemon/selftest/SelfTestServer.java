package dev.tuncrypt.daemon.selftest;

import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TcpListener;
import dev.tuncrypt.tcpstack.TcpSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The other end of {@link SelfTest}: on a stack with tcpcrypt, answers every connection to its
 * port with the session ID it sees ({@link SessionLine}) and closes. At most 64 connections are
 * answered at once; more wait in the listener's backlog.
 */
public final class SelfTestServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SelfTestServer.class);
    private static final long KEY_WAIT_NANOS = 10_000_000_000L;

    private final TcpListener listener;
    private final Thread acceptor;
    private final Semaphore slots = new Semaphore(64);
    private final BiConsumer<TcpSocket, String> onAnswer;

    private SelfTestServer(TcpListener listener, BiConsumer<TcpSocket, String> onAnswer) {
        this.listener = listener;
        this.onAnswer = onAnswer;
        this.acceptor = Thread.ofPlatform().daemon(true).name("test-server-accept").unstarted(this::acceptLoop);
    }

    /**
     * Listens on {@code port} of {@code stack}'s addresses; {@code onAnswer} hears every answer
     * sent (socket, line without newline), e.g. to print it.
     */
    public static SelfTestServer start(NetStack stack, int port, BiConsumer<TcpSocket, String> onAnswer)
            throws IOException {
        SelfTestServer s = new SelfTestServer(TcpListener.bind(stack, port, 64), onAnswer);
        s.acceptor.start();
        return s;
    }

    public int port() {
        return listener.port();
    }

    private void acceptLoop() {
        while (true) {
            TcpSocket socket;
            try {
                slots.acquire();
                socket = listener.accept();
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                log.warn("test server: accept failed: {}", e.getMessage());
                return;
            } catch (InterruptedException e) {
                return;
            }
            Thread.ofPlatform().daemon(true).name("test-server-conn").start(() -> {
                try {
                    answer(socket);
                } finally {
                    slots.release();
                }
            });
        }
    }

    private void answer(TcpSocket socket) {
        try (socket) {
            TcpCryptInfo info = SelfTest.awaitKeys(socket, System.nanoTime() + KEY_WAIT_NANOS);
            String line = SessionLine.format(info);
            OutputStream out = socket.getOutputStream();
            out.write(line.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.shutdownOutput();
            onAnswer.accept(socket, line.strip());
        } catch (IOException e) {
            log.debug("test server: {} failed: {}", socket.remoteAddress(), e.getMessage());
        }
    }

    /** Stops accepting; answers in progress finish. */
    @Override
    public void close() {
        listener.close();
        acceptor.interrupt();
    }
}
