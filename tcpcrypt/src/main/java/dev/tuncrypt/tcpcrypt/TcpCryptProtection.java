package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.rfc8548.EnoOption8547;
import dev.tuncrypt.tcpcrypt.rfc8548.Negotiation8547;
import dev.tuncrypt.tcpcrypt.rfc8548.Rfc8548;
import dev.tuncrypt.tcpcrypt.rfc8548.SessionSecrets8548;
import dev.tuncrypt.tcpcrypt.v05.CachedSession;
import dev.tuncrypt.tcpcrypt.v05.EnoNegotiation;
import dev.tuncrypt.tcpcrypt.v05.EnoOption;
import dev.tuncrypt.tcpcrypt.v05.EnoOutcome;
import dev.tuncrypt.tcpcrypt.v05.EnoTranscript;
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
 *   <li><b>tcpcrypt-0.5</b> (kind 253, ExID 0x454E): role A offers its TEPs (and a resumable
 *       session) in the SYN, role B picks in the SYN-ACK, and A's first non-SYN segment carries
 *       the minimal option (protocol notes §2.2); the transcript is tcpcryptd's.
 *   <li><b>rfc8548</b> (kind 69, RFC 8547): the same exchange with the RFC's option, general
 *       suboption, last-valid-TEP rule and transcript ({@link Negotiation8547}).
 * </ul>
 *
 * A SYN offering several dialects carries one ENO option per dialect; role B answers in the first
 * dialect of its own list that the SYN offered and that finds a common TEP, role A takes the
 * dialect of the answer. The transcript then keys the stream ({@link TcpCryptStream},
 * {@link Rfc8548Stream}). Loop thread, except {@link #info()}.
 */
final class TcpCryptProtection implements SegmentProtection {
    final TcpCrypt crypt;
    /** This connection's settings (the stack's, or the ones given for this socket or listener). */
    final TcpCryptConfig config;
    final FlowKey flow;
    final boolean active;
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
    private byte[] expectedBHalf;
    /** rfc8548 simultaneous open: the role the b bits gave, and the transcript (A's SYN, B's SYN). */
    private Role crossedRole;
    private byte[] crossedTranscript;
    private boolean synBuilt;
    private EnoOutcome outcome;
    private boolean minimalOptionPending;
    private volatile TcpCryptInfo info;
    /** Completed on the loop: keys agreed (the info), plain (empty), or the connection failed first. */
    final CompletableFuture<Optional<TcpCryptInfo>> handshake = new CompletableFuture<>();

    TcpCryptProtection(TcpCrypt crypt, TcpCryptConfig config, FlowKey flow, boolean active) {
        this.crypt = crypt;
        this.config = config;
        this.flow = flow;
        this.active = active;
    }

    InetAddress peer() {
        return flow.remoteAddress().getAddress();
    }

    /** Whether this side speaks {@code d} on this connection (configured, and with a TEP and a cipher in it). */
    private boolean speaks(Dialect d) {
        return config.dialects().contains(d) && !config.teps(d).isEmpty() && !config.ciphers(d).isEmpty();
    }

    /** Role A: the ENO options of the SYN, one per dialect offered, in preference order. */
    private void buildSyn(int room) {
        synBuilt = true;
        if (config.sessionCache()) {
            if (speaks(Dialect.TCPCRYPT_05)) {
                offered = crypt.cache.takeForPeer(peer());
            }
            if (speaks(Dialect.RFC8548)) {
                offered8547 = crypt.cache8548.takeForPeer(peer());
                if (offered8547 != null && !config.teps(Dialect.RFC8548).contains(offered8547.tep())) {
                    offered8547.close();
                    offered8547 = null;
                }
            }
        }
        buildSynOptions();
        if (synLength() <= room || (offered == null && offered8547 == null)) {
            return;
        }
        // Not everything fits (40 bytes of options): first offer only the preferred dialect that
        // has a session to resume with this peer (it spoke that dialect last time) ...
        for (Dialect d : config.dialects()) {
            if (d == Dialect.RFC8548 && offered8547 != null && syn8547.encodedLength() <= room) {
                dropResumption05();
                synOption = null;
                return;
            }
            if (d == Dialect.TCPCRYPT_05 && offered != null && synOption.encodedLength() <= room) {
                dropResumption8547();
                syn8547 = null;
                return;
            }
        }
        // ... else every dialect, with full handshakes only
        dropResumption05();
        dropResumption8547();
        buildSynOptions();
    }

    private void dropResumption05() {
        if (offered != null) {
            offered.close();
            offered = null;
        }
    }

    private void dropResumption8547() {
        if (offered8547 != null) {
            offered8547.close();
            offered8547 = null;
            expectedBHalf = null;
        }
    }

    private void buildSynOptions() {
        synOption = speaks(Dialect.TCPCRYPT_05) ? EnoOption.syn(config.teps(Dialect.TCPCRYPT_05), config.appAware(),
                offered != null ? offered.resumeId() : null) : null;
        syn8547 = null;
        expectedBHalf = null;
        if (speaks(Dialect.RFC8548)) {
            byte[] aHalf = null;
            if (offered8547 != null) {
                aHalf = SessionSecrets8548.aHalf(offered8547.secret());
                expectedBHalf = SessionSecrets8548.bHalf(offered8547.secret());
            }
            syn8547 = EnoOption8547.syn(config.teps(Dialect.RFC8548), generalBits8547(),
                    offered8547 != null ? offered8547.tep() : null, aHalf);
        }
    }

    private int generalBits8547() {
        return (config.appAware() ? Rfc8548.GENERAL_AA_AWARE : 0) | (config.roleB() ? Rfc8548.GENERAL_B : 0);
    }

    private int synLength() {
        return (synOption != null ? synOption.encodedLength() : 0) + (syn8547 != null ? syn8547.encodedLength() : 0);
    }

    @Override
    public int writeSynOptions(ByteBuffer buf, int index, int room, boolean synAck) {
        if (!synAck) {
            if (!synBuilt) { // a retransmitted SYN offers the same again
                buildSyn(room);
            }
            int end = index + room;
            for (Dialect d : config.dialects()) {
                if (d == Dialect.TCPCRYPT_05 && synOption != null && synOption.encodedLength() <= end - index) {
                    index = synOption.writeTo(buf, index);
                } else if (d == Dialect.RFC8548 && syn8547 != null && syn8547.encodedLength() <= end - index) {
                    index = syn8547.writeTo(buf, index);
                }
            }
            return index;
        }
        if (outcome == null || !outcome.encrypts()) {
            return index; // no ENO answer: the peer falls back to plain TCP
        }
        if (dialect == Dialect.RFC8548) {
            if (crossedRole != null) {
                // simultaneous open: our SYN-ACK repeats the SYN's option, which the transcript holds
                return syn8547.encodedLength() <= room ? syn8547.writeTo(buf, index) : index;
            }
            if (synAck8547 == null) {
                byte[] bHalf = outcome instanceof EnoOutcome.Resumed r ? SessionSecrets8548.bHalf(r.session().secret()) : null;
                synAck8547 = EnoOption8547.synAck(outcome.tepOrNull(), generalBits8547(), bHalf);
            }
            return synAck8547.encodedLength() <= room ? synAck8547.writeTo(buf, index) : index;
        }
        if (synAckOption == null) {
            synAckOption = outcome.synAckOption(config.appAware());
        }
        return synAckOption.encodedLength() <= room ? synAckOption.writeTo(buf, index) : index;
    }

    @Override
    public void onPeerSynOptions(ByteBuffer buf, int optionsOffset, int optionsLength, TcpOptions parsed,
            boolean synAck) {
        if (!synAck) {
            onSyn(buf, parsed); // role B: the client's SYN
        } else if (crossedSyn(buf, optionsOffset) && syn8547 != null && parsed.hasEno()) {
            onCrossedSyn(buf, parsed); // simultaneous open: both sent SYNs
            minimalOptionPending = outcome.encrypts() && crossedRole == Role.A;
        } else {
            onSynAck(buf, parsed); // role A: the server's SYN-ACK
            minimalOptionPending = outcome.encrypts();
        }
        if (outcome instanceof EnoOutcome.NotNegotiated n) {
            crypt.countFallback(n.reason());
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

    /** Role B: answers in the first dialect of this side's list that the SYN offers and that finds a common TEP. */
    private void onSyn(ByteBuffer buf, TcpOptions parsed) {
        EnoOutcome first = null;
        for (Dialect d : config.dialects()) {
            if (!speaks(d)) {
                continue;
            }
            EnoOutcome o = d == Dialect.RFC8548 ? onSyn8547(buf, parsed) : onSyn05(buf, parsed);
            if (o == null) {
                continue; // the SYN does not offer this dialect
            }
            if (o.encrypts()) {
                dialect = d;
                outcome = o;
                return;
            }
            if (first == null) {
                first = o;
            }
        }
        outcome = first != null ? first : new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION);
    }

    private EnoOutcome onSyn05(ByteBuffer buf, TcpOptions parsed) {
        int i = parsed.findExperimental(Tcpcrypt05.ENO_EXID);
        if (i < 0) {
            return null;
        }
        var option = EnoOption.parseSuboptions(buf, parsed.experimentalOffset(i), parsed.experimentalLength(i));
        synOption = option.valueOrNull();
        return EnoNegotiation.onSyn(option, config.teps(Dialect.TCPCRYPT_05),
                config.sessionCache() ? crypt.cache.resumeLookup() : EnoNegotiation.ResumeLookup.NONE);
    }

    private EnoOutcome onSyn8547(ByteBuffer buf, TcpOptions parsed) {
        if (!parsed.hasEno()) {
            return null;
        }
        var option = EnoOption8547.parseSuboptions(buf, parsed.enoOffset(), parsed.enoLength());
        if (!option.isOk()) {
            return new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MALFORMED_OPTION);
        }
        syn8547 = option.valueOrNull();
        return Negotiation8547.onSyn(syn8547, config.teps(Dialect.RFC8548), config.appAware(),
                config.sessionCache() ? crypt.cache8548.resumeLookup() : EnoNegotiation.ResumeLookup.NONE);
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
     * rfc8548 simultaneous open (RFC 8547 §3.3): the host whose SYN set b is B; both or neither
     * leaves the connection plain. No resumption (a resumption offered in our SYN is dropped).
     */
    private void onCrossedSyn(ByteBuffer buf, TcpOptions parsed) {
        dialect = Dialect.RFC8548;
        var option = EnoOption8547.parseSuboptions(buf, parsed.enoOffset(), parsed.enoLength());
        EnoOption8547 peer = option.valueOrNull();
        if (peer == null) {
            outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MALFORMED_OPTION);
        } else {
            Role role = Negotiation8547.simultaneousRoles(syn8547, peer);
            if (role == null) {
                outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.ROLE_CONFLICT);
            } else {
                EnoOption8547 aSyn = role == Role.A ? syn8547 : peer;
                EnoOption8547 bSyn = role == Role.A ? peer : syn8547;
                outcome = Negotiation8547.simultaneous(aSyn, bSyn, peer, config.appAware());
                crossedRole = role;
                crossedTranscript = Negotiation8547.transcript(aSyn, bSyn);
            }
        }
        if (offered != null) {
            offered.close();
            offered = null;
        }
        if (offered8547 != null) {
            offered8547.close();
            offered8547 = null;
        }
    }

    /** Role A: takes the dialect of the answer (the first of this side's list, should it carry several). */
    private void onSynAck(ByteBuffer buf, TcpOptions parsed) {
        outcome = null;
        for (Dialect d : config.dialects()) {
            if (d == Dialect.TCPCRYPT_05 && synOption != null) {
                int i = parsed.findExperimental(Tcpcrypt05.ENO_EXID);
                if (i >= 0) {
                    var option = EnoOption.parseSuboptions(buf, parsed.experimentalOffset(i), parsed.experimentalLength(i));
                    synAckOption = option.valueOrNull();
                    outcome = EnoNegotiation.onSynAck(synOption, option, offered);
                    dialect = d;
                    break;
                }
            } else if (d == Dialect.RFC8548 && syn8547 != null && parsed.hasEno()) {
                var option = EnoOption8547.parseSuboptions(buf, parsed.enoOffset(), parsed.enoLength());
                synAck8547 = option.valueOrNull();
                outcome = synAck8547 == null ? new EnoOutcome.NotNegotiated(EnoOutcome.Reason.MALFORMED_OPTION)
                        : Negotiation8547.onSynAck(syn8547, synAck8547, config.appAware(), offered8547, expectedBHalf);
                dialect = d;
                break;
            }
        }
        if (outcome == null) {
            outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION);
        }
        // one use per cached secret, resumed or not
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

    @Override
    public int writeOptions(ByteBuffer buf, int index, int room) {
        if (!minimalOptionPending) {
            return index;
        }
        if (dialect == Dialect.RFC8548) {
            // RFC 8547 §4.7: A's first non-SYN segment carries ENO, so B knows A saw its answer
            if (room < Rfc8548.ENO_HEADER_LENGTH) {
                return index;
            }
            minimalOptionPending = false;
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
                return new Rfc8548Stream(this, outcome, crossedTranscript, crossedRole);
            }
            // RFC 8547 §4.8: A's SYN option, then B's SYN-ACK option
            return new Rfc8548Stream(this, outcome, Negotiation8547.transcript(syn8547, synAck8547),
                    active ? Role.A : Role.B);
        }
        byte[] transcript = EnoTranscript.of(synOption, synAckOption);
        return new TcpCryptStream(this, outcome, transcript);
    }

    /** The dialect negotiated, or null (plain, or not decided yet). */
    Dialect dialect() {
        return outcome != null && outcome.encrypts() ? dialect : null;
    }

    /** Whether ENO negotiated tcpcrypt for this connection. */
    boolean negotiated() {
        return outcome != null && outcome.encrypts();
    }

    /** Why negotiation left the connection plain, or null. */
    EnoOutcome.Reason fallbackReason() {
        return outcome instanceof EnoOutcome.NotNegotiated n ? n.reason() : null;
    }

    /** What was established, once keys exist (any thread). */
    TcpCryptInfo info() {
        return info;
    }

    void established(TcpCryptInfo i) {
        this.info = i;
        handshake.complete(Optional.of(i));
    }
}
