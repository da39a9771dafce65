package dev.tuncrypt.daemon.control;

import dev.tuncrypt.client.ControlAddress;
import dev.tuncrypt.client.transport.ControlEndpoint;
import dev.tuncrypt.client.transport.LinuxDatagramSocket;
import dev.tuncrypt.client.transport.NativeSocketException;
import dev.tuncrypt.client.wire.ControlMessage;
import dev.tuncrypt.client.wire.Errno;
import dev.tuncrypt.client.wire.MalformedMessageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * tuncryptd's control socket: answers tcpcryptd 0.5's control protocol (so libtcpcrypt and
 * tcnetstat work against it) and tuncrypt's own options, on a unix datagram socket (sender
 * credentials via SCM_CREDENTIALS) or UDP on 127.0.0.1 (no credentials: read-only). One thread
 * receives and answers; answers that wait for a handshake are sent from a second thread. Every
 * malformed request is answered with an errno and counted.
 *
 * <pre>{@code
 * try (ControlServer control = ControlServer.start(ControlAddress.parse("/run/tuncryptd/control"),
 *         target, SocketPermissions.DEFAULT)) { ... }   // close() removes the socket file
 * }</pre>
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    /** Largest request data accepted (tcpcryptd reads 4096-byte datagrams; we allow more). */
    static final int MAX_REQUEST_DATA = 65_000;
    private static final int BUFFER = ControlMessage.HEADER_LENGTH + MAX_REQUEST_DATA + 1;

    private final ControlAddress address;
    private final ControlEndpoint endpoint;
    private final ControlRequests requests;
    private final ControlCounters counters;
    private final ExecutorService replies;
    private final Thread receiver;
    private final ClientLimits limits = new ClientLimits(System::nanoTime);
    private volatile boolean closing;

    private ControlServer(ControlAddress address, ControlEndpoint endpoint, ControlTarget target,
            SocketPermissions permissions, ControlCounters counters) {
        this.address = address;
        this.endpoint = endpoint;
        this.counters = counters;
        this.replies = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("control-reply").factory());
        this.requests = new ControlRequests(target, new AccessPolicy(permissions), counters, replies, 30_000, 4096);
        this.receiver = Thread.ofPlatform().daemon().name("control").unstarted(this::serve);
    }

    /**
     * Binds the control socket at {@code address}, sets the socket file's mode and owner, and
     * starts answering. A stale socket file (nothing answers on it) is replaced; a live one, or a
     * file that is not a socket, is an error.
     */
    public static ControlServer start(ControlAddress address, ControlTarget target, SocketPermissions permissions)
            throws IOException {
        if (address instanceof ControlAddress.UnixPath p) {
            createDirectory(p.path().getParent());
            removeStale(p.path());
        }
        ControlEndpoint endpoint;
        try {
            endpoint = ControlEndpoint.listen(address);
        } catch (java.net.BindException | NativeSocketException e) {
            // an abstract name or UDP port another daemon holds
            if (e instanceof NativeSocketException n && n.errno() != EADDRINUSE) {
                throw e;
            }
            throw new IOException("another process holds the control socket " + address + ": give this daemon "
                    + HINT, e);
        }
        try {
            if (address instanceof ControlAddress.UnixPath p) {
                applyPermissions(p.path(), permissions);
            }
        } catch (IOException | RuntimeException e) {
            endpoint.close();
            if (address instanceof ControlAddress.UnixPath p) {
                Files.deleteIfExists(p.path());
            }
            throw e;
        }
        ControlServer s = new ControlServer(address, endpoint, target, permissions, new ControlCounters());
        s.receiver.start();
        LOG.info("control socket at {}", address);
        return s;
    }

    /** Linux's errno for an address in use (an abstract name another socket holds). */
    private static final int EADDRINUSE = 98;

    /** What a daemon that collides with another on the control socket is told to do. */
    static final String HINT = "its own with -u ADDR (or $" + ControlAddress.ENVIRONMENT
            + "), and its clients the same -u";

    /**
     * The socket's directory ({@code /run/tuncryptd} by default): systemd makes it for the unit
     * ({@code RuntimeDirectory=}); a daemon started by hand makes it here, mode 0755, if its own
     * parent exists.
     */
    private static void createDirectory(Path dir) throws IOException {
        if (dir == null || Files.isDirectory(dir) || dir.getParent() == null || !Files.isDirectory(dir.getParent())) {
            return;
        }
        try {
            Files.createDirectory(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // made meanwhile
        }
    }

    private static void removeStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Object type = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (((Integer) type & 0170000) != 0140000) {
            throw new IOException("control socket path " + path + " exists and is not a socket");
        }
        try (LinuxDatagramSocket probe = LinuxDatagramSocket.bind(null)) {
            probe.send(new byte[0], new LinuxDatagramSocket.UnixAddress(path.toString(), false).sockaddr(), true);
            throw new IOException("another daemon answers on the control socket " + path + ": give this one " + HINT);
        } catch (NativeSocketException e) {
            if (e.errno() != Errno.ECONNREFUSED) {
                throw e;
            }
        }
        Files.delete(path);
    }

    private static void applyPermissions(Path path, SocketPermissions perms) throws IOException {
        Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
        for (int i = 0; i < 9; i++) {
            if ((perms.mode() & (0400 >> i)) != 0) {
                mode.add(bits[i]);
            }
        }
        Files.setPosixFilePermissions(path, mode);
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        if (perms.owner().isPresent()) {
            view.setOwner(users.lookupPrincipalByName(perms.owner().get()));
        }
        if (perms.group().isPresent()) {
            view.setGroup(users.lookupPrincipalByGroupName(perms.group().get()));
        }
    }

    /** Where the server listens. */
    /**
     * What a reload did, for {@code tuncrypt reload}.
     *
     * @param applied whether the new configuration is in force
     * @param message what changed, or why nothing did
     */
    public record ReloadResult(boolean applied, String message) {}

    /** Lets {@code tuncrypt reload} (root only) run {@code handler}. */
    public void onReload(java.util.function.Supplier<java.util.concurrent.CompletionStage<ReloadResult>> handler) {
        requests.onReload(handler);
    }

    public ControlAddress address() {
        return address;
    }

    /** The server's counters. */
    public ControlCounters counters() {
        return counters;
    }

    private void serve() {
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        while (!closing) {
            ControlEndpoint.Incoming in;
            try {
                in = endpoint.receive(buf, 200);
            } catch (IOException e) {
                if (!closing) {
                    LOG.warn("control socket receive failed: {}", e.getMessage());
                }
                return;
            }
            if (in == null) {
                continue;
            }
            counters.requests.incrementAndGet();
            try {
                handle(buf, in);
            } catch (RuntimeException e) {
                counters.handlerFailures.incrementAndGet();
                LOG.warn("control request failed", e);
            }
        }
    }

    private void handle(ByteBuffer buf, ControlEndpoint.Incoming in) {
        if (in.from() == null) {
            counters.unreplyable.incrementAndGet();
            return;
        }
        Requester who = in.credentials() == null ? Requester.UNKNOWN : new Requester(in.credentials().uid());
        if (!limits.admit(in.from(), who.uid())) {
            counters.rateLimited.incrementAndGet();
            byte[] header = new byte[ControlMessage.HEADER_LENGTH];
            buf.get(0, header, 0, Math.min(in.length(), Math.min(buf.limit(), header.length)));
            ByteBuffer h = ByteBuffer.wrap(header).order(ControlMessage.HOST_ORDER);
            h.putInt(24, Errno.EAGAIN).putInt(32, 0);
            send(header, in.from());
            return;
        }
        ControlMessage request;
        try {
            if (in.truncated()) {
                throw new MalformedMessageException(MalformedMessageException.Reason.DATA_TOO_LONG,
                        "datagram of " + in.length() + " bytes");
            }
            request = ControlMessage.decode(buf.duplicate(), MAX_REQUEST_DATA);
        } catch (MalformedMessageException e) {
            malformed(buf, in, e);
            return;
        }
        requests.answer(request, who).whenComplete((reply, failure) -> {
            if (failure != null) {
                counters.handlerFailures.incrementAndGet();
                LOG.warn("control request failed", failure);
                send(request.reply(Errno.EINVAL, new byte[0]), in.from());
            } else {
                send(reply, in.from());
            }
        });
    }

    /**
     * tcpcryptd drops these silently; we answer with the header echoed as far as it arrived,
     * dlen 0 and an errno, so a client learns what was wrong.
     */
    private void malformed(ByteBuffer buf, ControlEndpoint.Incoming in, MalformedMessageException e) {
        int errno = switch (e.reason()) {
            case TRUNCATED_HEADER -> {
                counters.truncatedHeader.incrementAndGet();
                yield Errno.EBADMSG;
            }
            case LENGTH_MISMATCH -> {
                counters.lengthMismatch.incrementAndGet();
                yield Errno.EBADMSG;
            }
            case DATA_TOO_LONG -> {
                counters.oversize.incrementAndGet();
                yield Errno.EMSGSIZE;
            }
            case BAD_PAYLOAD -> {
                counters.badPayload.incrementAndGet();
                yield Errno.EINVAL;
            }
        };
        LOG.debug("malformed control request: {}", e.getMessage());
        byte[] header = new byte[ControlMessage.HEADER_LENGTH];
        buf.get(0, header, 0, Math.min(buf.limit(), header.length));
        ByteBuffer h = ByteBuffer.wrap(header).order(ControlMessage.HOST_ORDER);
        h.putInt(24, errno).putInt(32, 0);
        send(header, in.from());
    }

    private void send(ControlMessage reply, ControlEndpoint.Peer to) {
        send(reply.encode(), to);
    }

    private void send(byte[] datagram, ControlEndpoint.Peer to) {
        try {
            endpoint.send(datagram, to);
            counters.replies.incrementAndGet();
        } catch (IOException e) {
            counters.replyDropped.incrementAndGet();
            LOG.debug("control reply dropped: {}", e.getMessage());
        }
    }

    /** Stops answering and removes the socket file. */
    @Override
    public void close() {
        closing = true;
        try {
            receiver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        endpoint.close();
        replies.shutdownNow();
        try {
            replies.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (address instanceof ControlAddress.UnixPath p) {
            try {
                Files.deleteIfExists(p.path());
            } catch (IOException e) {
                LOG.warn("could not remove {}: {}", p.path(), e.getMessage());
            }
        }
    }
}
