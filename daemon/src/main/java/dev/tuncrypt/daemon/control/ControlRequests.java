package dev.tuncrypt.daemon.control;

import static dev.tuncrypt.client.wire.ControlOption.*;

import dev.tuncrypt.client.wire.ConnectionQuery;
import dev.tuncrypt.client.wire.ConnectionRecord;
import dev.tuncrypt.client.wire.ControlOption;
import dev.tuncrypt.client.wire.ControlMessage;
import dev.tuncrypt.client.wire.Errno;
import dev.tuncrypt.client.wire.MalformedMessageException;
import dev.tuncrypt.client.wire.NetstatRecord;
import dev.tuncrypt.client.wire.PayloadWriter;
import dev.tuncrypt.client.wire.StatusPayload;
import dev.tuncrypt.client.wire.WidePage;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers decoded control requests against a {@link ControlTarget}: one handler per option
 * (tcpcryptd 0.5's {@code tcpcryptd_getsockopt}/{@code tcpcryptd_setsockopt} in
 * {@code src/tcpcrypt.c}, and tuncrypt's own). A request about a connection whose handshake
 * is still running waits for {@link ConnectionView#settled()} and is answered then, as tcpcryptd
 * queues EBUSY requests ({@code backlog_ctl}).
 */
final class ControlRequests {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ControlRequests.class);
    /** Largest reply data for tuncrypt's own options (fits a UDP datagram). */
    static final int MAX_REPLY_DATA = 60_000;
    private static final byte[] NONE = new byte[0];

    private final ControlTarget target;
    private final AccessPolicy access;
    private final ControlCounters counters;
    private final Executor replyExecutor;
    private final long settleTimeoutMillis;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    /** How long one sorting of the connection table serves every page request. */
    static final long SORTED_MAX_AGE_NANOS = 100_000_000L;
    private List<ConnectionView> sortedList;
    /** Wide-netstat pages of {@link #sortedList} by start index, built once for every client asking within its age. */
    private final Map<Long, byte[]> pages = new HashMap<>();
    private long sortedAt;
    private final Map<Integer, Handler> getters = new HashMap<>();
    private final Map<Integer, Handler> setters = new HashMap<>();

    /** What a handler decided. */
    sealed interface Outcome {
        /** Answer now. */
        record Reply(int errno, byte[] data) implements Outcome {}

        /** Answer when this completes (a reload). */
        record Later(CompletionStage<Reply> reply) implements Outcome {}

        /** Ask again when this connection's handshake has ended. */
        record Wait(ConnectionView view) implements Outcome {}
    }

    @FunctionalInterface
    private interface Handler {
        Outcome handle(ControlMessage request, Requester who) throws MalformedMessageException;
    }

    ControlRequests(ControlTarget target, AccessPolicy access, ControlCounters counters, Executor replyExecutor,
            long settleTimeoutMillis, int maxPending) {
        this.target = target;
        this.access = access;
        this.counters = counters;
        this.replyExecutor = replyExecutor;
        this.settleTimeoutMillis = settleTimeoutMillis;
        this.maxPending = maxPending;
        getters.put(TCP_CRYPT_SESSID, this::getSessionId);
        getters.put(TCP_CRYPT_APP_SUPPORT, this::getAppSupport);
        getters.put(TCP_CRYPT_ENABLE, this::getEnable);
        getters.put(TCP_CRYPT_NETSTAT, this::getNetstat);
        getters.put(TUNCRYPT_STATUS, this::getStatus);
        getters.put(TUNCRYPT_NETSTAT_WIDE, this::getWide);
        getters.put(TUNCRYPT_CONN_INFO, this::getConnection);
        setters.put(TCP_CRYPT_ENABLE, this::setEnable);
        setters.put(TCP_CRYPT_APP_SUPPORT, this::setAppSupport);
        setters.put(TCP_CRYPT_RESET, this::setReset);
        setters.put(TCP_CRYPT_NOCACHE, this::setFlush);
        setters.put(TUNCRYPT_FLUSH, this::setFlush);
        setters.put(TUNCRYPT_RELOAD, this::setReload);
    }

    /** What {@code tuncrypt reload} runs; none until the daemon sets it. */
    private volatile java.util.function.Supplier<CompletionStage<ControlServer.ReloadResult>> reloader;

    void onReload(java.util.function.Supplier<CompletionStage<ControlServer.ReloadResult>> handler) {
        this.reloader = handler;
    }

    // TUNCRYPT_RELOAD set: re-read and apply the configuration; root only, as flushing.
    private Outcome setReload(ControlMessage request, Requester who) {
        if (!access.mayFlush(who)) {
            counters.denied.incrementAndGet();
            return error(Errno.EPERM);
        }
        var handler = reloader;
        if (handler == null) {
            return error(95 /* EOPNOTSUPP */);
        }
        return new Outcome.Later(handler.get().thenApply(r -> {
            byte[] text = r.message().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] data = new byte[1 + Math.min(text.length, MAX_REPLY_DATA - 1)];
            data[0] = (byte) (r.applied() ? 1 : 0);
            System.arraycopy(text, 0, data, 1, data.length - 1);
            return new Outcome.Reply(0, data);
        }));
    }

    /** The reply to {@code request}, now or once a handshake has ended. */
    CompletionStage<ControlMessage> answer(ControlMessage request, Requester who) {
        Outcome o = run(request, who);
        if (o instanceof Outcome.Reply r) {
            return CompletableFuture.completedFuture(request.reply(r.errno(), r.data()));
        }
        if (o instanceof Outcome.Later later) {
            return later.reply().thenApplyAsync(r -> request.reply(r.errno(), r.data()), replyExecutor);
        }
        ConnectionView view = ((Outcome.Wait) o).view();
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            counters.backlogFull.incrementAndGet();
            return CompletableFuture.completedFuture(request.reply(Errno.EBUSY, NONE));
        }
        counters.deferred.incrementAndGet();
        // A future of our own: the view's may be shared, and orTimeout would complete it.
        CompletableFuture<ConnectionView.Phase> settled = new CompletableFuture<>();
        view.settled().whenComplete((phase, failure) -> settled.complete(phase));
        return settled.orTimeout(settleTimeoutMillis, TimeUnit.MILLISECONDS)
                .handleAsync((phase, failure) -> {
                    pending.decrementAndGet();
                    if (failure != null) {
                        return request.reply(Errno.ETIMEDOUT, NONE);
                    }
                    Outcome again = run(request, who);
                    return again instanceof Outcome.Reply r ? request.reply(r.errno(), r.data())
                            : request.reply(Errno.EBUSY, NONE);
                }, replyExecutor);
    }

    /** Requests waiting for a handshake. */
    int pending() {
        return pending.get();
    }

    private Outcome run(ControlMessage request, Requester who) {
        Handler h = (request.isSet() ? setters : getters).get(request.opt());
        if (h == null) {
            boolean known = getters.containsKey(request.opt()) || setters.containsKey(request.opt())
                    || request.opt() == TCP_CRYPT_CMODE;
            if (!known) {
                counters.unknownOption.incrementAndGet();
                return error(Errno.ENOPROTOOPT);
            }
            // a get-only option set, a set-only option read, or TCP_CRYPT_CMODE (not supported)
            return error(request.opt() == TCP_CRYPT_CMODE ? 95 /* EOPNOTSUPP */ : Errno.EINVAL);
        }
        try {
            return h.handle(request, who);
        } catch (MalformedMessageException e) {
            counters.badPayload.incrementAndGet();
            return error(Errno.EINVAL);
        } catch (RuntimeException e) {
            // the target failed; the client still gets an answer
            counters.handlerFailures.incrementAndGet();
            LOG.warn("control request {} failed", ControlOption.name(request.opt()), e);
            return error(Errno.EIO);
        }
    }

    private static Outcome error(int errno) {
        return new Outcome.Reply(errno, NONE);
    }

    private static Outcome ok(byte[] data) {
        return new Outcome.Reply(0, data);
    }

    private Optional<ConnectionView> find(ControlMessage request) {
        Optional<ConnectionView> v = target.find(request.local(), request.remote());
        if (v.isEmpty()) {
            counters.noSuchConnection.incrementAndGet();
        }
        return v;
    }

    /** tcpcryptd's do_opt for a get: the value cut to the buffer the client offered (dlen). */
    private static byte[] fit(byte[] value, int capacity) {
        return value.length <= capacity ? value : Arrays.copyOf(value, capacity);
    }

    // TCP_CRYPT_SESSID get (src/tcpcrypt.c do_sockopt): the session ID once connected.
    private Outcome getSessionId(ControlMessage request, Requester who) {
        Optional<ConnectionView> v = find(request);
        if (v.isEmpty()) {
            return error(Errno.ENOENT);
        }
        ConnectionView view = v.get();
        if (view.phase() == ConnectionView.Phase.HANDSHAKING) {
            return new Outcome.Wait(view);
        }
        return view.crypto().map(i -> ok(fit(i.sessionId().bytes(), request.data().length)))
                .orElseGet(() -> error(Errno.ENOTCONN));
    }

    // TCP_CRYPT_APP_SUPPORT get: one app-support byte, then the session ID; the buffer must hold both.
    private Outcome getAppSupport(ControlMessage request, Requester who) {
        Optional<ConnectionView> v = find(request);
        if (v.isEmpty()) {
            return error(Errno.ENOENT);
        }
        ConnectionView view = v.get();
        if (view.phase() == ConnectionView.Phase.HANDSHAKING) {
            return new Outcome.Wait(view);
        }
        Optional<TcpCryptInfo> info = view.crypto();
        if (info.isEmpty()) {
            return error(Errno.ENOTCONN);
        }
        byte[] sid = info.get().sessionId().bytes();
        if (request.data().length < sid.length + 1) {
            return error(Errno.EINVAL);
        }
        byte[] out = new byte[sid.length + 1];
        out[0] = (byte) view.appSupport();
        System.arraycopy(sid, 0, out, 1, sid.length);
        return ok(out);
    }

    // TCP_CRYPT_ENABLE get: 0 for a connection in the clear, else 1 (an int in host order).
    private Outcome getEnable(ControlMessage request, Requester who) {
        Optional<ConnectionView> v = find(request);
        if (v.isEmpty()) {
            return error(Errno.ENOENT);
        }
        ConnectionView view = v.get();
        if (view.phase() == ConnectionView.Phase.HANDSHAKING) {
            return new Outcome.Wait(view);
        }
        int enabled = view.phase() == ConnectionView.Phase.PLAIN ? 0 : 1;
        return ok(fit(ByteBuffer.allocate(4).order(ControlMessage.HOST_ORDER).putInt(enabled).array(),
                request.data().length));
    }

    private static int intValue(ControlMessage request) throws MalformedMessageException {
        if (request.data().length != 4) {
            throw new MalformedMessageException(MalformedMessageException.Reason.BAD_PAYLOAD,
                    "int option of " + request.data().length + " bytes");
        }
        return ByteBuffer.wrap(request.data()).order(ControlMessage.HOST_ORDER).getInt();
    }

    /** A before-connect option: only while the daemon carries no connection for the socket. */
    private Outcome preset(ControlMessage request, Requester who, ControlTarget.Preset preset) {
        if (request.sport() == 0) {
            return error(Errno.EINVAL);
        }
        if (target.find(request.local(), request.remote()).isPresent()) {
            return error(106); // EISCONN: tcpcryptd too only takes these before connect
        }
        if (!access.mayPreset(who)) {
            counters.denied.incrementAndGet();
            return error(Errno.EPERM);
        }
        target.preset(request.local(), preset);
        return ok(request.data());
    }

    private Outcome setEnable(ControlMessage request, Requester who) throws MalformedMessageException {
        return preset(request, who, new ControlTarget.Preset.Enable(intValue(request) != 0));
    }

    private Outcome setAppSupport(ControlMessage request, Requester who) throws MalformedMessageException {
        return preset(request, who, new ControlTarget.Preset.AppSupport(intValue(request)));
    }

    // TCP_CRYPT_RESET set: abort the connection; root or its owner.
    private Outcome setReset(ControlMessage request, Requester who) {
        Optional<ConnectionView> v = find(request);
        if (v.isEmpty()) {
            return error(Errno.ENOENT);
        }
        if (!access.mayChange(who, v.get())) {
            counters.denied.incrementAndGet();
            return error(Errno.EPERM);
        }
        v.get().reset();
        return ok(request.data());
    }

    // TCP_CRYPT_NOCACHE / TUNCRYPT_FLUSH set: drop the session cache; root only.
    private Outcome setFlush(ControlMessage request, Requester who) {
        if (!access.mayFlush(who)) {
            counters.denied.incrementAndGet();
            return error(Errno.EPERM);
        }
        int n = target.flushCache();
        if (request.opt() == TCP_CRYPT_NOCACHE) {
            return ok(request.data());
        }
        return ok(new PayloadWriter().i32(n).toByteArray());
    }

    /** The connections in table order, sorted (and their pages built) at most once per {@link #SORTED_MAX_AGE_NANOS} for every request. */
    private synchronized List<ConnectionView> sorted() {
        long now = System.nanoTime();
        if (sortedList == null || now - sortedAt > SORTED_MAX_AGE_NANOS) {
            record Keyed(String local, String remote, ConnectionView view) {}
            List<Keyed> keyed = new ArrayList<>();
            for (ConnectionView c : target.connections()) {
                keyed.add(new Keyed(c.appLocal().toString(), c.appRemote().toString(), c));
            }
            keyed.sort(Comparator.comparing(Keyed::local).thenComparing(Keyed::remote));
            sortedList = keyed.stream().map(Keyed::view).toList();
            sortedAt = now;
            pages.clear();
        }
        return sortedList;
    }

    // TCP_CRYPT_NETSTAT get (do_tcpcrypt_netstat): encrypting IPv4 connections, as many as fit dlen;
    // like tcpcryptd, a connection that just ended stays listed while the daemon still holds it.
    private Outcome getNetstat(ControlMessage request, Requester who) {
        List<NetstatRecord> records = new ArrayList<>();
        List<ConnectionView> all = sorted();
        for (ConnectionView c : all) {
            boolean encrypting = c.phase() == ConnectionView.Phase.ENCRYPTED || c.phase() == ConnectionView.Phase.CLOSED;
            if (!encrypting || c.crypto().isEmpty()
                    || !(c.appLocal().getAddress() instanceof Inet4Address)
                    || !(c.appRemote().getAddress() instanceof Inet4Address)) {
                continue;
            }
            records.add(new NetstatRecord(c.appLocal(), c.appRemote(), c.crypto().get().sessionId().bytes()));
        }
        return ok(NetstatRecord.encodeAll(records, request.data().length));
    }

    private Outcome getStatus(ControlMessage request, Requester who) {
        ControlStatus s = target.status();
        Map<String, Long> counters = new LinkedHashMap<>(s.counters());
        counters.putAll(this.counters.snapshot());
        return ok(new StatusPayload(s.version(), s.uptime().toMillis(), s.cachedSessions(), counters, s.host(),
                s.routing(), s.peers()).encode());
    }

    private Outcome getWide(ControlMessage request, Requester who) throws MalformedMessageException {
        long start = WidePage.decodeRequest(request.data());
        synchronized (this) {
            List<ConnectionView> all = sorted();
            byte[] page = pages.get(start);
            if (page == null) {
                page = widePage(all, start);
                pages.put(start, page);
            }
            return ok(page);
        }
    }

    /** One page of the table from {@code start}: the records that fit a reply. */
    private static byte[] widePage(List<ConnectionView> all, long start) {
        List<ConnectionRecord> page = new ArrayList<>();
        PayloadWriter size = new PayloadWriter();
        long next = WidePage.END;
        for (long i = start; i < all.size(); i++) {
            ConnectionRecord r = record(all.get((int) i));
            r.encode(size);
            if (size.size() > MAX_REPLY_DATA - 16 && !page.isEmpty()) {
                next = i;
                break;
            }
            page.add(r);
        }
        return new WidePage(all.size(), next, page).encode();
    }

    // TUNCRYPT_CONN_INFO get: one connection by an IPv4 or IPv6 tuple, after its handshake.
    private Outcome getConnection(ControlMessage request, Requester who) throws MalformedMessageException {
        ConnectionQuery q = ConnectionQuery.decode(request.data());
        Optional<ConnectionView> v = target.find(q.local(), q.remote());
        if (v.isEmpty()) {
            counters.noSuchConnection.incrementAndGet();
            return error(Errno.ENOENT);
        }
        if (v.get().phase() == ConnectionView.Phase.HANDSHAKING) {
            return new Outcome.Wait(v.get());
        }
        PayloadWriter w = new PayloadWriter();
        record(v.get()).encode(w);
        return ok(w.toByteArray());
    }

    /** The wire form of a connection. */
    static ConnectionRecord record(ConnectionView c) {
        Optional<TcpCryptInfo> info = c.crypto();
        ConnectionView.ConnectionDetails d = c.details();
        return new ConnectionRecord(c.appLocal(), c.appRemote(), ConnectionRecord.Phase.valueOf(c.phase().name()),
                info.map(i -> i.sessionId().bytes()).orElse(NONE), d.dialect(),
                info.map(i -> String.valueOf(i.tep())).orElse(""), info.map(i -> String.valueOf(i.cipher())).orElse(""),
                info.map(TcpCryptInfo::resumed).orElse(false), info.map(TcpCryptInfo::peerAppAware).orElse(false),
                c.plainReason().orElse(""), c.ownerUid(), d.state(), d.srtt().toNanos() / 1000, d.cwndBytes(),
                d.retransmits(), d.bytesIn(), d.bytesOut(), d.age().toMillis());
    }
}
