package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.v05.CachedSession;
import dev.tuncrypt.tcpcrypt.v05.EnoNegotiation;
import dev.tuncrypt.tcpcrypt.v05.EnoOption;
import dev.tuncrypt.tcpcrypt.v05.EnoOutcome;
import dev.tuncrypt.tcpcrypt.v05.EnoTranscript;
import dev.tuncrypt.tcpcrypt.v05.Tcpcrypt05;
import dev.tuncrypt.tcpstack.tcp.FlowKey;
import dev.tuncrypt.tcpstack.tcp.SegmentProtection;
import dev.tuncrypt.tcpstack.tcp.StreamProtection;
import dev.tuncrypt.tcpstack.wire.TcpOptions;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * TCP-ENO negotiation of one connection in the tcpcrypt-0.5 dialect (kind 253, ExID 0x454E):
 * role A offers its TEPs (and a resumable session) in the SYN, role B picks in the SYN-ACK, and
 * A's first non-SYN segment carries the minimal option (protocol notes §2.2). The negotiation
 * transcript then keys the stream ({@link TcpCryptStream}). Loop thread, except {@link #info()}.
 */
final class TcpCryptProtection implements SegmentProtection {
    final TcpCrypt crypt;
    /** This connection's settings (the stack's, or the ones given for this socket or listener). */
    final TcpCryptConfig config;
    final FlowKey flow;
    final boolean active;
    private EnoOption synOption;
    private EnoOption synAckOption;
    private CachedSession offered;
    private EnoOutcome outcome;
    private boolean minimalOptionPending;
    private volatile TcpCryptInfo info;

    TcpCryptProtection(TcpCrypt crypt, TcpCryptConfig config, FlowKey flow, boolean active) {
        this.crypt = crypt;
        this.config = config;
        this.flow = flow;
        this.active = active;
    }

    InetAddress peer() {
        return flow.remoteAddress().getAddress();
    }

    @Override
    public int writeSynOptions(ByteBuffer buf, int index, int room, boolean synAck) {
        if (!synAck) {
            if (synOption == null) { // a retransmitted SYN offers the same again
                if (config.sessionCache()) {
                    offered = crypt.cache.takeForPeer(peer());
                }
                synOption = EnoOption.syn(config.teps(), config.appAware(),
                        offered != null ? offered.resumeId() : null);
                if (synOption.encodedLength() > room && offered != null) {
                    offered.close();
                    offered = null;
                    synOption = EnoOption.syn(config.teps(), config.appAware(), null);
                }
            }
            return synOption.encodedLength() <= room ? synOption.writeTo(buf, index) : index;
        }
        if (outcome == null || !outcome.encrypts()) {
            return index; // no ENO answer: the peer falls back to plain TCP
        }
        if (synAckOption == null) {
            synAckOption = outcome.synAckOption(config.appAware());
        }
        return synAckOption.encodedLength() <= room ? synAckOption.writeTo(buf, index) : index;
    }

    @Override
    public void onPeerSynOptions(ByteBuffer buf, int optionsOffset, int optionsLength, TcpOptions parsed,
            boolean synAck) {
        int i = parsed.findExperimental(Tcpcrypt05.ENO_EXID);
        var option = i < 0 ? null
                : EnoOption.parseSuboptions(buf, parsed.experimentalOffset(i), parsed.experimentalLength(i));
        if (!synAck) {
            // role B: the client's SYN
            if (option == null) {
                outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION);
            } else {
                synOption = option.valueOrNull();
                outcome = EnoNegotiation.onSyn(option, config.teps(),
                        config.sessionCache() ? crypt.cache.resumeLookup() : EnoNegotiation.ResumeLookup.NONE);
            }
        } else {
            // role A: the server's SYN-ACK
            if (option == null) {
                outcome = new EnoOutcome.NotNegotiated(EnoOutcome.Reason.NO_ENO_OPTION);
            } else {
                synAckOption = option.valueOrNull();
                outcome = EnoNegotiation.onSynAck(synOption, option, offered);
            }
            if (offered != null && !(outcome instanceof EnoOutcome.Resumed)) {
                offered.close(); // one use per cached secret, resumed or not
                offered = null;
            }
            minimalOptionPending = outcome.encrypts();
        }
        if (outcome instanceof EnoOutcome.NotNegotiated n) {
            crypt.countFallback(n.reason());
        }
    }

    @Override
    public int writeOptions(ByteBuffer buf, int index, int room) {
        if (!minimalOptionPending || room < Tcpcrypt05.ENO_HEADER_LENGTH) {
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
        byte[] transcript = EnoTranscript.of(synOption, synAckOption);
        return new TcpCryptStream(this, outcome, transcript);
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
    }
}
