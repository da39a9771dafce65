package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.v05.Tcpcrypt05;
import dev.tuncrypt.tcpstack.TcpConnectException;
import dev.tuncrypt.tcpstack.tcp.FlowKey;
import dev.tuncrypt.tcpstack.tcp.SegmentProtection;
import dev.tuncrypt.tcpstack.tcp.StreamProtection;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.wire.TcpOptions;
import dev.tuncrypt.tcpstack.wire.TcpView;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * TCP-ENO negotiation of one connection, in the dialects its settings name
 * ({@link TcpCryptConfig#dialects()}):
 *
 * <ul>
 *   <li><b>rfc8548</b> (kind 69, RFC 8547): {@link Rfc8547Eno}.
 *   <li><b>tcpcrypt-0.5</b> (kind 253, ExID 0x454E): {@link Tcpcrypt05Eno}.
 * </ul>
 *
 * Role A offers one dialect, the first of its list: a segment carries at most one ENO option,
 * never kind 69 and kind 253/0x454E together (RFC 8547 §4.1, §11). Role B accepts any dialect of
 * its list and answers in the one the SYN offered; a SYN (or SYN-ACK) with more than one ENO
 * option counts as having none (RFC 8547 §4.1). The dialect is chosen once, as an
 * {@link EnoDialect} strategy (role A: the one offered; role B: the one the SYN offered); the
 * transcript then keys the stream ({@link FramedStream} with the dialect's {@link DialectCodec}). Loop thread, except {@link #info()} and
 * {@link #negotiated()}.
 */
final class TcpCryptProtection implements SegmentProtection {
    final TcpCrypt crypt;
    /** This connection's settings (the stack's, or the ones given for this socket or listener). */
    final TcpCryptConfig config;
    final FlowKey flow;
    final boolean active;
    private final boolean countPlainSyn;
    /**
     * The dialect spoken (offered, or being answered in), null until decided; written once, before
     * {@link #outcome} becomes encrypting, so a thread that reads an encrypting outcome sees it.
     */
    private volatile EnoDialect eno;
    /** Read from other threads ({@link TcpCrypt#peerCapable}, {@link TcpCrypt#dialect}): assigned only whole decisions. */
    private volatile EnoOutcome outcome;
    /** RFC 8547 §4.6: a non-SYN segment from the peer arrived. */
    private boolean peerNonSynSeen;
    private boolean synBuilt;
    private volatile TcpCryptInfo info;
    /** Completed with {@link #info} when the keys exist. */
    private final CompletableFuture<TcpCryptInfo> keyed = new CompletableFuture<>();
    /** Completed on the loop: keys agreed (the info), plain (empty), or the connection failed first. */
    final CompletableFuture<Optional<TcpCryptInfo>> handshake = new CompletableFuture<>();

    TcpCryptProtection(TcpCrypt crypt, TcpCryptConfig config, FlowKey flow, boolean active) {
        this(crypt, config, flow, active, true);
    }

    /**
     * @param countPlainSyn whether a peer's SYN without any ENO option counts as a fallback
     *     (false where plain SYNs come from local applications, not from network peers)
     */
    TcpCryptProtection(TcpCrypt crypt, TcpCryptConfig config, FlowKey flow, boolean active, boolean countPlainSyn) {
        this.crypt = crypt;
        this.config = config;
        this.flow = flow;
        this.active = active;
        this.countPlainSyn = countPlainSyn;
    }

    InetAddress peer() {
        return flow.remoteAddress().getAddress();
    }

    /** The outcome so far (loop thread: the dialect reads it while answering). */
    EnoOutcome outcome() {
        return outcome;
    }

    /** The dialect revised the outcome (loop thread): still a whole decision. */
    void replaceOutcome(EnoOutcome o) {
        outcome = o;
    }

    /** Whether this side speaks {@code d} on this connection (configured, and with a TEP and a cipher in it). */
    private boolean speaks(Dialect d) {
        return config.dialects().contains(d) && !config.teps(d).isEmpty() && !config.ciphers(d).isEmpty();
    }

    @Override
    public int writeSynOptions(ByteBuffer buf, int index, int room, boolean synAck) {
        if (!synAck) {
            if (!synBuilt) { // a retransmitted SYN offers the same again (RFC 8547 §4.6)
                synBuilt = true;
                buildSyn(room);
            }
            EnoDialect e = eno;
            return e != null ? e.writeSyn(buf, index, room) : index;
        }
        EnoOutcome o = outcome;
        if (o == null || !o.encrypts()) {
            return index; // no ENO answer: the peer falls back to plain TCP
        }
        return eno.writeSynAck(buf, index, room);
    }

    /** Role A: the ENO option of the SYN, in the one dialect offered ({@link TcpCryptConfig#offered()}). */
    private void buildSyn(int room) {
        Dialect d = config.offered();
        if (!speaks(d)) {
            return;
        }
        EnoDialect e = EnoDialect.of(d, this);
        e.buildSyn(room);
        eno = e;
    }

    @Override
    public void onPeerSynOptions(ByteBuffer buf, int optionsOffset, int optionsLength, TcpOptions parsed,
            boolean synAck) {
        EnoDialect e = eno;
        if (!synAck) {
            onSyn(buf, parsed); // role B: the client's SYN
        } else if (crossedSyn(buf, optionsOffset) && e != null && e.negotiatesCrossedSyn(parsed)) {
            outcome = e.onCrossedSyn(buf, parsed, enoOptions(parsed) > 1); // simultaneous open: both sent SYNs
            startNonSynOptions();
        } else {
            onSynAck(buf, parsed); // role A: the server's SYN-ACK
            startNonSynOptions();
        }
        if (outcome instanceof EnoOutcome.NotNegotiated n) {
            if (countPlainSyn || synAck || n.reason() != EnoOutcome.Reason.NO_ENO_OPTION) {
                crypt.countFallback(n.reason());
            }
            if (config.mode() != CryptMode.ALWAYS) {
                handshake.complete(Optional.empty()); // settled plain (under ALWAYS the connection is refused)
            }
        }
    }

    private void startNonSynOptions() {
        if (outcome.encrypts()) {
            eno.startNonSynOptions();
        }
    }

    @Override
    public void onClosed(TcpError reason) {
        if (!handshake.isDone()) {
            handshake.completeExceptionally(new TcpConnectException("connection closed before tcpcrypt settled"
                    + (reason != null ? ": " + reason.message() : ""), reason != null ? reason : TcpError.ABORTED));
        }
    }

    /** RFC 8547 §4.1, §11: ENO options in a SYN, kind 69 and kind 253 with ExID 0x454E alike. */
    private static int enoOptions(TcpOptions parsed) {
        int n = parsed.enoCount();
        for (int i = 0; i < parsed.experimentalCount(); i++) {
            n += parsed.experimentalExId(i) == Tcpcrypt05.ENO_EXID ? 1 : 0;
        }
        return n;
    }

    /** Role B: answers in the first dialect of its list that the SYN offers. */
    private void onSyn(ByteBuffer buf, TcpOptions parsed) {
        if (enoOptions(parsed) > 1) {
            // RFC 8547 §4.1: "behave as though the segment contained no ENO options"
            outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.SEVERAL_ENO_OPTIONS);
            return;
        }
        for (Dialect d : config.dialects()) {
            if (!speaks(d)) {
                continue;
            }
            EnoDialect e = EnoDialect.of(d, this);
            EnoOutcome o = e.onSyn(buf, parsed);
            if (o != null) {
                eno = e;
                outcome = o;
                return;
            }
        }
        outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION);
    }

    /**
     * Whether the segment whose options start at {@code optionsOffset} is a SYN without ACK (the
     * options follow the 20-byte fixed TCP header, whose byte 13 holds the flags).
     */
    private static boolean crossedSyn(ByteBuffer buf, int optionsOffset) {
        int flags = optionsOffset >= TcpView.MIN_HEADER_LENGTH ? buf.get(optionsOffset - TcpView.MIN_HEADER_LENGTH + 13) : TcpView.ACK;
        return (flags & TcpView.ACK) == 0;
    }

    /** Role A: takes the answer in the dialect offered. */
    private void onSynAck(ByteBuffer buf, TcpOptions parsed) {
        EnoDialect e = eno;
        EnoOutcome o = null;
        if (enoOptions(parsed) > 1) {
            o = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.SEVERAL_ENO_OPTIONS); // RFC 8547 §4.1
        } else if (e != null) {
            o = e.onSynAck(buf, parsed);
        }
        if (o == null) {
            o = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION);
        }
        outcome = o;
        if (e != null) {
            e.releaseOffer(o); // one use per cached secret, resumed or not (RFC 8548 §3.5)
        }
    }

    /**
     * RFC 8547 §4.6: a non-SYN segment from the peer; from now on this side sends no more ENO
     * options, and the dialect checks role B's rule 1 on it. Called before the segment's ACK is
     * processed (so before the connection is established on it).
     */
    @Override
    public void onPeerOptions(ByteBuffer buf, int optionsOffset, int optionsLength, TcpOptions parsed) {
        if (peerNonSynSeen) {
            return;
        }
        peerNonSynSeen = true;
        EnoDialect e = eno;
        if (e != null) {
            EnoOutcome o = e.onPeerNonSyn(parsed, outcome);
            if (o != outcome) {
                outcome = o;
            }
        }
    }

    @Override
    public int pendingOptionLength() {
        EnoDialect e = eno;
        return e != null ? e.pendingOptionLength() : 0;
    }

    @Override
    public int writeOptions(ByteBuffer buf, int index, int room) {
        EnoDialect e = eno;
        return e != null ? e.writeOptions(buf, index, room) : index;
    }

    @Override
    public boolean transformsStream() {
        EnoOutcome o = outcome;
        return o != null && o.encrypts();
    }

    @Override
    public boolean required() {
        return config.mode() == CryptMode.ALWAYS;
    }

    @Override
    public StreamProtection stream() {
        return eno.stream(outcome);
    }

    /** The dialect negotiated, or null (plain, or not decided yet); any thread. */
    Dialect dialect() {
        EnoOutcome o = outcome; // volatile read first: an encrypting outcome was published after eno
        EnoDialect e = eno;
        return o != null && o.encrypts() && e != null ? e.dialect() : null;
    }

    /** Whether ENO negotiated tcpcrypt for this connection (any thread: {@link #outcome} is volatile). */
    boolean negotiated() {
        EnoOutcome o = outcome;
        return o != null && o.encrypts();
    }

    /** Why negotiation left the connection plain, or null. */
    EnoOutcome.Reason fallbackReason() {
        EnoOutcome o = outcome;
        return o instanceof EnoOutcome.NotNegotiated n ? n.reason() : null;
    }

    /** Set by {@link TcpCrypt#forgetSession}: this connection caches nothing any more (any thread). */
    private volatile boolean cacheForgotten;

    /**
     * RFC 8548 §3.5: drops the cache state this connection used or produced (the sessions cached
     * for its peer, in both dialects) and keeps it from caching one later.
     */
    void forgetSession() {
        cacheForgotten = true;
        crypt.cache.flush(peer());
        crypt.cache8548.flush(peer());
    }

    boolean cacheForgotten() {
        return cacheForgotten;
    }

    /** What was established, once keys exist (any thread). */
    TcpCryptInfo info() {
        return info;
    }

    void established(TcpCryptInfo i) {
        this.info = i;
        keyed.complete(i);
        handshake.complete(Optional.of(i));
    }

    /** Completes when the keys exist (never, if the connection stays plain or ends first). */
    CompletableFuture<TcpCryptInfo> whenEstablished() {
        return keyed.copy();
    }
}
