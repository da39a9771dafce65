package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.rfc8548.EnoOption8547;
import dev.tuncrypt.tcpcrypt.rfc8548.Negotiation8547;
import dev.tuncrypt.tcpcrypt.rfc8548.Rfc8548;
import dev.tuncrypt.tcpcrypt.rfc8548.SessionSecrets8548;
import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import dev.tuncrypt.tcpcrypt.v05.EnoNegotiation;
import dev.tuncrypt.tcpcrypt.v05.EnoOption;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.ResumeLookup;
import dev.tuncrypt.tcpcrypt.v05.EnoTranscript;
import dev.tuncrypt.tcpcrypt.v05.Tcpcrypt05;
import dev.tuncrypt.tcpstack.TcpConnectException;
import dev.tuncrypt.tcpcrypt.v05.WideWindow;
import dev.tuncrypt.tcpstack.tcp.FlowKey;
import dev.tuncrypt.tcpstack.tcp.SegmentProtection;
import dev.tuncrypt.tcpstack.tcp.StreamProtection;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import dev.tuncrypt.tcpstack.wire.TcpOptions;
import dev.tuncrypt.tcpstack.wire.TcpView;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * TCP-ENO negotiation of one connection, in the dialects its settings name
 * ({@link TcpCryptConfig#dialects()}):
 *
 * <ul>
 *   <li><b>rfc8548</b> (kind 69, RFC 8547): global suboption with the b and a bits, the
 *       last-valid-TEP rule, RFC 8548 resumption suboptions with nonces, and the non-SYN form
 *       {@code 45 02} on every segment until a non-SYN segment arrives ({@link Negotiation8547}).
 *   <li><b>tcpcrypt-0.5</b> (kind 253, ExID 0x454E): role A offers its TEPs (and a resumable
 *       session) in the SYN, role B picks in the SYN-ACK, and A's first non-SYN segment carries
 *       the minimal option (protocol notes §2.2); the transcript is tcpcryptd's.
 * </ul>
 *
 * Role A offers one dialect, the first of its list: a segment carries at most one ENO option,
 * never kind 69 and kind 253/0x454E together (RFC 8547 §4.1, §11). Role B accepts any dialect of
 * its list and answers in the one the SYN offered; a SYN (or SYN-ACK) with more than one ENO
 * option counts as having none (RFC 8547 §4.1). The transcript then keys the stream
 * ({@link FramedStream} with the dialect's {@link DialectCodec}). Loop thread, except {@link #info()} and
 * {@link #negotiated()}.
 */
final class TcpCryptProtection implements SegmentProtection {
    final TcpCrypt crypt;
    /** This connection's settings (the stack's, or the ones given for this socket or listener). */
    final TcpCryptConfig config;
    final FlowKey flow;
    final boolean active;
    private final boolean countPlainSyn;
    /** The dialect negotiated (or being answered in), null until decided. */
    private Dialect dialect;
    // tcpcrypt-0.5
    private EnoOption synOption;
    private EnoOption synAckOption;
    private CachedSession offered;
    // rfc8548
    private EnoOption8547 syn8547;
    private EnoOption8547 synAck8547;
    private CachedSession offered8547;
    private byte[] expectedPeerHalf;
    /** RFC 8548 §3.5: this side's resumption nonce and the peer's, when resuming. */
    private byte[] ownNonce;
    private byte[] peerNonce;
    /** rfc8548 simultaneous open: the role the b bits gave, and the transcript (A's SYN, B's SYN). */
    private Role crossedRole;
    private byte[] crossedTranscript;
    /** RFC 8547 §4.6: a non-SYN segment from the peer arrived (no more ENO options are sent). */
    private boolean peerNonSynSeen;
    private boolean synBuilt;
    /** Read by {@link TcpCrypt#peerCapable} from other threads. */
    private volatile EnoOutcome outcome;
    private boolean minimalOptionPending;
    private volatile TcpCryptInfo info;
    /** Completed with {@link #info} when the keys exist. */
    private final java.util.concurrent.CompletableFuture<TcpCryptInfo> keyed = new java.util.concurrent.CompletableFuture<>();
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

    /** Whether this side speaks {@code d} on this connection (configured, and with a TEP and a cipher in it). */
    private boolean speaks(Dialect d) {
        return config.dialects().contains(d) && !config.teps(d).isEmpty() && !config.ciphers(d).isEmpty();
    }

    private Negotiation8547.AppAware appAware8547() {
        return new Negotiation8547.AppAware(config.appAware(), config.appAwareMandatory());
    }

    /** RFC 8547 §4.2: a if the application is aware, b if configured for a simultaneous open. */
    private int globalBits8547() {
        return (config.appAware() ? Rfc8548.GLOBAL_A : 0) | (config.roleB() ? Rfc8548.GLOBAL_B : 0);
    }

    /** Role A: the ENO option of the SYN, in the one dialect offered ({@link TcpCryptConfig#offered()}). */
    private void buildSyn(int room) {
        synBuilt = true;
        Dialect d = config.offered();
        if (!speaks(d)) {
            return;
        }
        if (d == Dialect.TCPCRYPT_05) {
            offered = config.sessionCache() ? crypt.cache.takeForPeer(peer()) : null;
            synOption = EnoOption.syn(config.teps(d), config.appAware(), crypt.wideWindow05,
                    offered != null ? offered.resumeId() : null);
            if (synOption.encodedLength() > room && offered != null) {
                offered.close();
                offered = null;
                synOption = EnoOption.syn(config.teps(d), config.appAware(), crypt.wideWindow05, null);
            }
            return;
        }
        if (config.sessionCache()) {
            offered8547 = crypt.cache8548.takeForPeer(peer());
            if (offered8547 != null && !config.teps(d).contains(offered8547.tep())) {
                offered8547.close();
                offered8547 = null;
            }
        }
        syn8547 = offered8547 != null ? resumingSyn(room) : null;
        if (syn8547 == null) {
            syn8547 = EnoOption8547.syn(config.teps(d), globalBits8547(), null, null);
        }
    }

    /**
     * RFC 8548 §3.5: the SYN option resuming {@link #offered8547}: this host's identifier half
     * (by its original role) and a nonce of the configured length, with as many other TEPs as the
     * option space leaves room for (the nonce keeps its length first: it must default to 8
     * bytes); null if even the suboption alone does not fit.
     */
    private EnoOption8547 resumingSyn(int room) {
        Role original = offered8547.role();
        byte[] ss = offered8547.secret();
        byte[] half = SessionSecrets8548.half(ss, original);
        List<Tep> others = new ArrayList<>(config.teps(Dialect.RFC8548));
        others.remove(offered8547.tep());
        for (int nonceLength = config.resumeNonceLength(); nonceLength >= 0; nonceLength--) {
            List<Tep> list = new ArrayList<>(others);
            while (true) {
                byte[] nonce = new byte[nonceLength];
                EnoOption8547 o = EnoOption8547.syn(list, globalBits8547(), offered8547.tep(), concat(half, nonce));
                if (o.encodedLength() <= room) {
                    crypt.random.nextBytes(nonce);
                    ownNonce = nonce;
                    expectedPeerHalf = SessionSecrets8548.half(ss, original.peer());
                    return EnoOption8547.syn(list, globalBits8547(), offered8547.tep(), concat(half, nonce));
                }
                if (list.isEmpty()) {
                    break;
                }
                list.remove(list.size() - 1); // the least preferred other TEP goes first
            }
        }
        offered8547.close();
        offered8547 = null;
        return null;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Override
    public int writeSynOptions(ByteBuffer buf, int index, int room, boolean synAck) {
        if (!synAck) {
            if (!synBuilt) { // a retransmitted SYN offers the same again (RFC 8547 §4.6)
                buildSyn(room);
            }
            if (synOption != null && synOption.encodedLength() <= room) {
                return synOption.writeTo(buf, index);
            }
            if (syn8547 != null && syn8547.encodedLength() <= room) {
                return syn8547.writeTo(buf, index);
            }
            return index;
        }
        if (outcome == null || !outcome.encrypts()) {
            return index; // no ENO answer: the peer falls back to plain TCP
        }
        if (dialect == Dialect.RFC8548) {
            if (crossedRole != null) {
                // RFC 8547 §4.6, Figure 12: a simultaneous open's SYN-ACK repeats the SYN's option
                return syn8547.encodedLength() <= room ? syn8547.writeTo(buf, index) : index;
            }
            if (synAck8547 == null) {
                synAck8547 = buildSynAck(room);
            }
            return synAck8547.encodedLength() <= room ? synAck8547.writeTo(buf, index) : index;
        }
        if (synAckOption == null) {
            synAckOption = EnoOption.synAckFor(outcome, config.appAware(), WideWindow.echo(crypt.wideWindow05, synOption));
        }
        return synAckOption.encodedLength() <= room ? synAckOption.writeTo(buf, index) : index;
    }

    /**
     * Role B's SYN-ACK option (built once: retransmissions repeat it, RFC 8547 §4.6). Resuming,
     * its suboption carries this host's identifier half and a nonce as long as the configured
     * length and the option space allow (RFC 8548 §3.5); without room even for the half, B
     * answers with fresh key agreement on the same TEP (§3.5: "MAY ... request fresh key
     * exchange").
     */
    private EnoOption8547 buildSynAck(int room) {
        if (outcome instanceof EnoOutcome.Resumed r) {
            byte[] half = SessionSecrets8548.half(r.session().secret(), r.session().role());
            int fixed = EnoOption8547.synAck(r.tep(), globalBits8547(), half).encodedLength();
            int nonceLength = Math.min(config.resumeNonceLength(), room - fixed);
            if (nonceLength >= 0) {
                ownNonce = new byte[nonceLength];
                crypt.random.nextBytes(ownNonce);
                return EnoOption8547.synAck(r.tep(), globalBits8547(), concat(half, ownNonce));
            }
            r.session().close();
            outcome = new EnoOutcome.Negotiated(r.tep(), r.peerAppAware());
        }
        return EnoOption8547.synAck(outcome.tepOrNull(), globalBits8547(), null);
    }

    @Override
    public void onPeerSynOptions(ByteBuffer buf, int optionsOffset, int optionsLength, TcpOptions parsed,
            boolean synAck) {
        if (!synAck) {
            onSyn(buf, parsed); // role B: the client's SYN
        } else if (crossedSyn(buf, optionsOffset) && syn8547 != null && parsed.hasEno()) {
            onCrossedSyn(buf, parsed); // simultaneous open: both sent SYNs
            minimalOptionPending = outcome.encrypts();
        } else {
            onSynAck(buf, parsed); // role A: the server's SYN-ACK
            minimalOptionPending = outcome.encrypts();
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

    /** Role B: answers in the dialect the SYN offers, if this side accepts it. */
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
            EnoOutcome o = d == Dialect.RFC8548 ? onSyn8547(buf, parsed) : onSyn05(buf, parsed);
            if (o != null) {
                dialect = d;
                outcome = o;
                return;
            }
        }
        outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION);
    }

    private EnoOutcome onSyn05(ByteBuffer buf, TcpOptions parsed) {
        int i = parsed.findExperimental(Tcpcrypt05.ENO_EXID);
        if (i < 0) {
            return null;
        }
        var option = EnoOption.parseSuboptions(buf, parsed.experimentalOffset(i), parsed.experimentalLength(i));
        synOption = option.valueOrNull();
        return EnoNegotiation.onSyn(option, config.teps(Dialect.TCPCRYPT_05),
                config.sessionCache() ? crypt.cache.resumeLookup() : ResumeLookup.NONE);
    }

    private EnoOutcome onSyn8547(ByteBuffer buf, TcpOptions parsed) {
        if (!parsed.hasEno()) {
            return null;
        }
        var option = EnoOption8547.parseSuboptions(buf, parsed.enoOffset(), parsed.enoLength());
        if (!option.isOk()) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MALFORMED_OPTION); // RFC 8547 §4.4
        }
        syn8547 = option.valueOrNull();
        var decision = Negotiation8547.onSyn(syn8547, config.teps(Dialect.RFC8548), appAware8547(),
                config.sessionCache() ? crypt.cache8548.resumeLookup() : ResumeLookup.NONE);
        peerNonce = decision.peerNonce();
        return decision.outcome();
    }

    /**
     * Whether the segment whose options start at {@code optionsOffset} is a SYN without ACK (the
     * options follow the 20-byte fixed TCP header, whose byte 13 holds the flags).
     */
    private static boolean crossedSyn(ByteBuffer buf, int optionsOffset) {
        int flags = optionsOffset >= TcpView.MIN_HEADER_LENGTH ? buf.get(optionsOffset - TcpView.MIN_HEADER_LENGTH + 13) : TcpView.ACK;
        return (flags & TcpView.ACK) == 0;
    }

    /**
     * rfc8548 simultaneous open (RFC 8547 §4.3): the host whose SYN set b is B; both or neither
     * leaves the connection plain. No resumption (a resumption offered in our SYN is dropped).
     */
    private void onCrossedSyn(ByteBuffer buf, TcpOptions parsed) {
        dialect = Dialect.RFC8548;
        var option = EnoOption8547.parseSuboptions(buf, parsed.enoOffset(), parsed.enoLength());
        EnoOption8547 peer = option.valueOrNull();
        if (enoOptions(parsed) > 1) {
            outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.SEVERAL_ENO_OPTIONS);
        } else if (peer == null) {
            outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MALFORMED_OPTION);
        } else {
            Role role = Negotiation8547.simultaneousRoles(syn8547, peer);
            if (role == null) {
                outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.ROLE_CONFLICT);
            } else {
                EnoOption8547 aSyn = role == Role.A ? syn8547 : peer;
                EnoOption8547 bSyn = role == Role.A ? peer : syn8547;
                outcome = Negotiation8547.simultaneous(aSyn, bSyn, peer, appAware8547());
                crossedRole = role;
                crossedTranscript = Negotiation8547.transcript(aSyn, bSyn);
            }
        }
        if (offered8547 != null) {
            offered8547.close();
            offered8547 = null;
        }
    }

    /** Role A: takes the answer in the dialect offered. */
    private void onSynAck(ByteBuffer buf, TcpOptions parsed) {
        outcome = null;
        if (enoOptions(parsed) > 1) {
            outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.SEVERAL_ENO_OPTIONS); // RFC 8547 §4.1
        } else if (synOption != null) {
            int i = parsed.findExperimental(Tcpcrypt05.ENO_EXID);
            if (i >= 0) {
                var option = EnoOption.parseSuboptions(buf, parsed.experimentalOffset(i), parsed.experimentalLength(i));
                synAckOption = option.valueOrNull();
                outcome = EnoNegotiation.onSynAck(synOption, option, offered);
                dialect = Dialect.TCPCRYPT_05;
            }
        } else if (syn8547 != null && parsed.hasEno()) {
            var option = EnoOption8547.parseSuboptions(buf, parsed.enoOffset(), parsed.enoLength());
            synAck8547 = option.valueOrNull();
            dialect = Dialect.RFC8548;
            if (synAck8547 == null) {
                outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MALFORMED_OPTION);
            } else {
                var decision = Negotiation8547.onSynAck(syn8547, synAck8547, appAware8547(), offered8547,
                        expectedPeerHalf);
                peerNonce = decision.peerNonce();
                outcome = decision.outcome();
            }
        }
        if (outcome == null) {
            outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION);
        }
        // one use per cached secret, resumed or not (RFC 8548 §3.5)
        boolean resumed = outcome instanceof EnoOutcome.Resumed;
        if (offered != null && !(resumed && dialect == Dialect.TCPCRYPT_05)) {
            offered.close();
            offered = null;
        }
        if (offered8547 != null && !(resumed && dialect == Dialect.RFC8548)) {
            offered8547.close();
            offered8547 = null;
        }
    }

    /**
     * RFC 8547 §4.6: a non-SYN segment from the peer. Role B's first one must carry ENO (rule 1:
     * every segment up to and including the first ACK; without it B falls back to plain TCP),
     * and from now on this side sends no more ENO options. Called before the segment's ACK is
     * processed (so before the connection is established on it).
     */
    @Override
    public void onPeerOptions(ByteBuffer buf, int optionsOffset, int optionsLength, TcpOptions parsed) {
        if (peerNonSynSeen) {
            return;
        }
        peerNonSynSeen = true;
        if (dialect == Dialect.RFC8548 && !active && crossedRole == null && outcome != null && outcome.encrypts()
                && !parsed.hasEno()) {
            if (outcome instanceof EnoOutcome.Resumed r) {
                r.session().close();
            }
            outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_ON_ACK);
            crypt.countFallback(EnoOutcome.Reason.NO_ENO_ON_ACK);
        }
    }

    @Override
    public int pendingOptionLength() {
        if (!minimalOptionPending) {
            return 0;
        }
        if (dialect == Dialect.RFC8548) {
            return peerNonSynSeen || !outcome.encrypts() ? 0 : Rfc8548.ENO_HEADER_LENGTH;
        }
        return Tcpcrypt05.ENO_HEADER_LENGTH;
    }

    @Override
    public int writeOptions(ByteBuffer buf, int index, int room) {
        if (!minimalOptionPending) {
            return index;
        }
        if (dialect == Dialect.RFC8548) {
            // RFC 8547 §4.6: ENO in every segment until a non-SYN segment is received; the non-SYN
            // form has no contents (§4.1, RFC 8548 gives it no meaning)
            if (peerNonSynSeen || !outcome.encrypts()) {
                minimalOptionPending = false;
                return index;
            }
            if (room < Rfc8548.ENO_HEADER_LENGTH) {
                return index;
            }
            return EnoOption8547.MINIMAL.writeTo(buf, index);
        }
        if (room < Tcpcrypt05.ENO_HEADER_LENGTH) {
            return index;
        }
        minimalOptionPending = false; // A's first non-SYN segment: the minimal ENO option
        return EnoOption.MINIMAL.writeTo(buf, index);
    }

    @Override
    public boolean transformsStream() {
        return outcome != null && outcome.encrypts();
    }

    @Override
    public boolean required() {
        return config.mode() == CryptMode.ALWAYS;
    }

    @Override
    public StreamProtection stream() {
        if (dialect == Dialect.RFC8548) {
            if (crossedRole != null) {
                return new FramedStream(this, new Rfc8548Codec(crypt, config, outcome, null), outcome, crossedTranscript,
                        crossedRole);
            }
            // RFC 8547 §4.8: A's SYN option, then B's SYN-ACK option
            return new FramedStream(this, new Rfc8548Codec(crypt, config, outcome, sessionNonce()), outcome,
                    Negotiation8547.transcript(syn8547, synAck8547), active ? Role.A : Role.B);
        }
        byte[] transcript = EnoTranscript.of(synOption, synAckOption);
        Role role = active ? Role.A : Role.B;
        return new FramedStream(this, new Tcpcrypt05Codec(crypt, config, outcome, role,
                WideWindow.agreed(synOption, synAckOption, outcome)), outcome, transcript, role);
    }

    /**
     * RFC 8548 §3.5: sn[i] = nonce_a | nonce_b of a resumption, nonce_a being the nonce of the
     * host that was A in the original session; null when not resuming.
     */
    private byte[] sessionNonce() {
        if (!(outcome instanceof EnoOutcome.Resumed r) || ownNonce == null || peerNonce == null) {
            return null;
        }
        return r.session().role() == Role.A ? SessionSecrets8548.sessionNonce(ownNonce, peerNonce)
                : SessionSecrets8548.sessionNonce(peerNonce, ownNonce);
    }

    /** The dialect negotiated, or null (plain, or not decided yet). */
    Dialect dialect() {
        EnoOutcome o = outcome;
        return o != null && o.encrypts() ? dialect : null;
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
    java.util.concurrent.CompletableFuture<TcpCryptInfo> whenEstablished() {
        return keyed.copy();
    }
}
