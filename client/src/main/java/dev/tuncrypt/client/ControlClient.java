package dev.tuncrypt.client;

import dev.tuncrypt.client.transport.ControlEndpoint;
import dev.tuncrypt.client.transport.NativeSocketException;
import dev.tuncrypt.client.wire.ConnectionQuery;
import dev.tuncrypt.client.wire.ConnectionRecord;
import dev.tuncrypt.client.wire.ControlMessage;
import dev.tuncrypt.client.wire.ControlOption;
import dev.tuncrypt.client.wire.Errno;
import dev.tuncrypt.client.wire.MalformedMessageException;
import dev.tuncrypt.client.wire.NetstatRecord;
import dev.tuncrypt.client.wire.PayloadReader;
import dev.tuncrypt.client.wire.StatusPayload;
import dev.tuncrypt.client.wire.WidePage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Talks to tuncryptd's control socket: the JVM's libtcpcrypt. Asks for the tcpcrypt session of
 * an application's own socket ({@link #session(Socket)}), sets tcpcryptd's options, and reads
 * netstat and status. One request at a time; not thread-safe (open one per thread).
 *
 * <pre>{@code
 * try (ControlClient control = ControlClient.open(ControlAddress.DEFAULT)) {
 *     ConnectionRecord c = control.session(socket);
 *     if (c.isEncrypted()) show(ShortAuthString.words(c.sessionId(), 4));
 * }
 * }</pre>
 */
public final class ControlClient implements AutoCloseable {
    /** The largest buffer a 0.5 get offers the daemon (tcpcryptd reads up to 4096 bytes). */
    public static final int GET_CAPACITY = 4096 - ControlMessage.HEADER_LENGTH;
    private static final int RECEIVE_BUFFER = 65536 + ControlMessage.HEADER_LENGTH;

    private final ControlAddress address;
    private final ControlEndpoint endpoint;
    private final Duration timeout;
    private final ByteBuffer buffer = ByteBuffer.allocate(RECEIVE_BUFFER);
    private int seq = ThreadLocalRandom.current().nextInt();

    private ControlClient(ControlAddress address, ControlEndpoint endpoint, Duration timeout) {
        this.address = address;
        this.endpoint = endpoint;
        this.timeout = timeout;
    }

    /** A client for the daemon at {@code address}, waiting up to five seconds per reply. */
    public static ControlClient open(ControlAddress address) throws ControlException {
        return open(address, Duration.ofSeconds(5));
    }

    /** A client for the daemon at {@code address}, waiting up to {@code timeout} per reply. */
    public static ControlClient open(ControlAddress address, Duration timeout) throws ControlException {
        try {
            return new ControlClient(address, ControlEndpoint.connect(address), timeout);
        } catch (IOException e) {
            throw new ControlException(ControlException.Kind.IO, 0,
                    "cannot open a socket for " + address + ": " + e.getMessage(), e);
        }
    }

    /** The daemon's address. */
    public ControlAddress address() {
        return address;
    }

    /**
     * Sends {@code request} (its {@code seq} is replaced) and returns the daemon's reply, whatever
     * its {@code err}.
     */
    public ControlMessage exchange(ControlMessage request) throws ControlException {
        return exchange(request, false);
    }

    /**
     * How long a read-only request waits for its reply before it is sent again: a datagram the
     * kernel dropped (the daemon's socket queue full under a flood of other clients) must not
     * cost the whole timeout. Requests that change something are never sent twice.
     */
    private static final long RESEND_AFTER_MILLIS = 500;

    private ControlMessage exchange(ControlMessage request, boolean readOnly) throws ControlException {
        ControlMessage req = new ControlMessage(++seq, request.src(), request.sport(), request.dst(), request.dport(),
                request.flags(), 0, request.opt(), request.data());
        byte[] datagram = req.encode();
        send(datagram);
        long deadline = System.nanoTime() + timeout.toNanos();
        long resendAt = System.nanoTime() + RESEND_AFTER_MILLIS * 1_000_000L;
        while (true) {
            long now = System.nanoTime();
            long left = (deadline - now) / 1_000_000L;
            if (left <= 0) {
                throw new ControlException(ControlException.Kind.TIMEOUT, 0,
                        "no reply from tuncryptd at " + address + " within " + timeout.toMillis() + " ms", null);
            }
            if (readOnly && now - resendAt >= 0) {
                send(datagram); // the same seq: whichever copy is answered first is the reply
                resendAt = now + RESEND_AFTER_MILLIS * 1_000_000L;
            }
            long wait = readOnly ? Math.min(left, Math.max(1, (resendAt - now) / 1_000_000L)) : left;
            ControlEndpoint.Incoming in;
            try {
                in = endpoint.receive(buffer, (int) Math.min(wait, Integer.MAX_VALUE));
            } catch (PortUnreachableException e) {
                throw unreachable(Errno.ECONNREFUSED, e);
            } catch (IOException e) {
                throw new ControlException(ControlException.Kind.IO, 0, "receiving from " + address + ": " + e.getMessage(),
                        e);
            }
            if (in == null) {
                continue;
            }
            ControlMessage reply;
            try {
                if (in.truncated()) {
                    throw new MalformedMessageException(MalformedMessageException.Reason.DATA_TOO_LONG,
                            "reply of " + in.length() + " bytes");
                }
                reply = ControlMessage.decode(buffer, RECEIVE_BUFFER);
            } catch (MalformedMessageException e) {
                throw new ControlException(ControlException.Kind.BAD_REPLY, 0, "bad reply from " + address + ": "
                        + e.getMessage(), e);
            }
            if (reply.seq() == req.seq() && reply.opt() == req.opt()) {
                return reply;
            }
            // a late reply to an earlier request that timed out: skip it
        }
    }

    private void send(byte[] datagram) throws ControlException {
        try {
            endpoint.sendToServer(datagram);
        } catch (NativeSocketException e) {
            throw unreachable(e.errno(), e);
        } catch (PortUnreachableException e) {
            throw unreachable(Errno.ECONNREFUSED, e);
        } catch (IOException e) {
            throw new ControlException(ControlException.Kind.IO, 0, "sending to " + address + ": " + e.getMessage(), e);
        }
    }

    private ControlException unreachable(int errno, Exception e) {
        return switch (errno) {
            case Errno.ENOENT, Errno.ECONNREFUSED -> new ControlException(ControlException.Kind.NOT_RUNNING, 0,
                    "tuncryptd is not running (nothing listens at " + address + ")", e);
            case Errno.EACCES, Errno.EPERM -> new ControlException(ControlException.Kind.NO_ACCESS, 0,
                    "permission denied for the control socket " + address, e);
            default -> new ControlException(ControlException.Kind.IO, 0,
                    "cannot reach tuncryptd at " + address + ": " + e.getMessage(), e);
        };
    }

    private byte[] call(ControlMessage request, String what) throws ControlException {
        return call(request, what, false);
    }

    /** A request that only reads: sent again after {@value #RESEND_AFTER_MILLIS} ms without a reply. */
    private byte[] read(ControlMessage request, String what) throws ControlException {
        return call(request, what, true);
    }

    private byte[] call(ControlMessage request, String what, boolean readOnly) throws ControlException {
        ControlMessage reply = exchange(request, readOnly);
        if (reply.err() != 0) {
            throw ControlException.refused(reply.err(), what);
        }
        return reply.data();
    }

    private static ControlException badReply(String what, MalformedMessageException e) {
        return new ControlException(ControlException.Kind.BAD_REPLY, 0, what + ": bad reply: " + e.getMessage(), e);
    }

    /** TCP_CRYPT_NETSTAT: the encrypting IPv4 connections, as tcnetstat lists them. */
    public List<NetstatRecord> netstat() throws ControlException {
        byte[] data = read(ControlMessage.request(0, ControlOption.TCP_CRYPT_NETSTAT, false, new byte[GET_CAPACITY]),
                "netstat");
        try {
            return NetstatRecord.decodeAll(data);
        } catch (MalformedMessageException e) {
            throw badReply("netstat", e);
        }
    }

    /** TUNCRYPT_NETSTAT_WIDE: every connection with its details (all pages). */
    public List<ConnectionRecord> netstatWide() throws ControlException {
        List<ConnectionRecord> out = new ArrayList<>();
        long start = 0;
        for (int pages = 0; pages < 100_000; pages++) {
            byte[] data = read(ControlMessage.request(0, ControlOption.TUNCRYPT_NETSTAT_WIDE, false,
                    WidePage.request(start)), "netstat");
            WidePage page;
            try {
                page = WidePage.decode(data);
            } catch (MalformedMessageException e) {
                throw badReply("netstat", e);
            }
            out.addAll(page.records());
            if (!page.hasMore() || page.next() <= start) {
                break;
            }
            start = page.next();
        }
        return out;
    }

    /** TUNCRYPT_STATUS. */
    public StatusPayload status() throws ControlException {
        try {
            return StatusPayload.decode(read(ControlMessage.request(0, ControlOption.TUNCRYPT_STATUS, false,
                    new byte[0]), "status"));
        } catch (MalformedMessageException e) {
            throw badReply("status", e);
        }
    }

    /** TUNCRYPT_FLUSH: drops every cached session; returns how many (needs root). */
    public long flush() throws ControlException {
        try {
            PayloadReader r = new PayloadReader(call(ControlMessage.request(0, ControlOption.TUNCRYPT_FLUSH, true,
                    new byte[0]), "flush"));
            long n = r.u32();
            r.end();
            return n;
        } catch (MalformedMessageException e) {
            throw badReply("flush", e);
        }
    }

    /**
     * What {@link #reload()} answered.
     *
     * @param applied whether the new configuration is in force (false: the old one stays)
     * @param message the daemon's line saying what changed, or why nothing did (file, line, reason)
     */
    public record ReloadResult(boolean applied, String message) {}

    /** TUNCRYPT_RELOAD: the daemon re-reads its configuration and applies it (needs root). */
    public ReloadResult reload() throws ControlException {
        byte[] data = call(ControlMessage.request(0, ControlOption.TUNCRYPT_RELOAD, true, new byte[0]), "reload");
        if (data.length < 1) {
            throw badReply("reload", new MalformedMessageException(MalformedMessageException.Reason.BAD_PAYLOAD, "empty reply"));
        }
        return new ReloadResult(data[0] == 1,
                new String(data, 1, data.length - 1, java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * TUNCRYPT_CONN_INFO: the connection whose application socket is {@code local} &rarr;
     * {@code remote} (IPv4 or IPv6). Waits while its handshake runs.
     *
     * @throws ControlException {@link ControlException.Kind#REFUSED} with ENOENT when the daemon
     *     carries no such connection
     */
    public ConnectionRecord connection(InetSocketAddress local, InetSocketAddress remote) throws ControlException {
        byte[] data = call(ControlMessage.request(0, ControlOption.TUNCRYPT_CONN_INFO, false,
                new ConnectionQuery(local, remote).encode()), "connection " + local + " -> " + remote);
        try {
            PayloadReader r = new PayloadReader(data);
            ConnectionRecord c = ConnectionRecord.decode(r);
            r.end();
            return c;
        } catch (MalformedMessageException e) {
            throw badReply("connection", e);
        }
    }

    /** The tcpcrypt session of the application's connected socket (see {@link #connection}). */
    public ConnectionRecord session(Socket socket) throws ControlException {
        if (!socket.isConnected()) {
            throw new IllegalArgumentException("socket is not connected");
        }
        return connection((InetSocketAddress) socket.getLocalSocketAddress(),
                (InetSocketAddress) socket.getRemoteSocketAddress());
    }

    /** The tcpcrypt session of the application's connected channel (see {@link #connection}). */
    public ConnectionRecord session(SocketChannel channel) throws ControlException {
        try {
            InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
            InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
            if (local == null || remote == null) {
                throw new IllegalArgumentException("channel is not connected");
            }
            return connection(local, remote);
        } catch (IOException e) {
            if (e instanceof ControlException c) {
                throw c;
            }
            throw new ControlException(ControlException.Kind.IO, 0, "channel addresses: " + e.getMessage(), e);
        }
    }

    /**
     * tcpcrypt_getsockopt over the 0.5 header (IPv4 sockets): the option's value, at most
     * {@code capacity} bytes.
     */
    public byte[] getOption(InetSocketAddress local, InetSocketAddress remote, int opt, int capacity)
            throws ControlException {
        return call(ControlMessage.request(0, local, remote, opt, false, new byte[capacity]),
                ControlOption.name(opt));
    }

    /** tcpcrypt_setsockopt over the 0.5 header (IPv4 sockets). */
    public void setOption(InetSocketAddress local, InetSocketAddress remote, int opt, byte[] value)
            throws ControlException {
        call(ControlMessage.request(0, local, remote, opt, true, value), ControlOption.name(opt));
    }

    /** An int option value as the 0.5 protocol carries it (host byte order). */
    public static byte[] intValue(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    /**
     * TCP_CRYPT_ENABLE before connect: {@code false} runs the connection from the bound socket
     * {@code local} in the clear.
     */
    public void enable(InetSocketAddress local, boolean enabled) throws ControlException {
        setOption(local, null, ControlOption.TCP_CRYPT_ENABLE, intValue(enabled ? 1 : 0));
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
