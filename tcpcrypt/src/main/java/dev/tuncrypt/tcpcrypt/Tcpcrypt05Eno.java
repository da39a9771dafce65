package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.eno.EnoError;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpcrypt.eno.ResumeLookup;
import dev.tuncrypt.tcpcrypt.v05.EnoNegotiation;
import dev.tuncrypt.tcpcrypt.v05.EnoOption;
import dev.tuncrypt.tcpcrypt.v05.EnoTranscript;
import dev.tuncrypt.tcpcrypt.v05.Tcpcrypt05;
import dev.tuncrypt.tcpcrypt.v05.WideWindow;
import dev.tuncrypt.tcpstack.wire.TcpOptions;
import java.nio.ByteBuffer;

/**
 * TCP-ENO as tcpcryptd 0.5 speaks it (kind 253, ExID 0x454E): role A offers its TEPs (and a
 * resumable session) in the SYN, role B picks in the SYN-ACK, and A's first non-SYN segment
 * carries the minimal option (protocol notes §2.2); the transcript is tcpcryptd's.
 */
final class Tcpcrypt05Eno extends EnoDialect {
    private EnoOption synOption;
    private EnoOption synAckOption;
    private boolean minimalOptionPending;

    Tcpcrypt05Eno(TcpCryptProtection owner) {
        super(owner);
    }

    @Override
    Dialect dialect() {
        return Dialect.TCPCRYPT_05;
    }

    @Override
    void buildSyn(int room) {
        TcpCrypt crypt = owner.crypt;
        TcpCryptConfig config = owner.config;
        offered = config.sessionCache() ? crypt.cache.takeForPeer(owner.peer()) : null;
        synOption = EnoOption.syn(config.teps(Dialect.TCPCRYPT_05), config.appAware(), crypt.wideWindow05,
                offered != null ? offered.resumeId() : null);
        if (synOption.encodedLength() > room && offered != null) {
            dropOffer();
            synOption = EnoOption.syn(config.teps(Dialect.TCPCRYPT_05), config.appAware(), crypt.wideWindow05, null);
        }
    }

    @Override
    int writeSyn(ByteBuffer buf, int index, int room) {
        return synOption != null && synOption.encodedLength() <= room ? synOption.writeTo(buf, index) : index;
    }

    /** The segment's kind-253 option with ExID 0x454E, parsed; null if it has none. */
    private static Result<EnoOption, EnoError> option(ByteBuffer buf, TcpOptions parsed) {
        int i = parsed.findExperimental(Tcpcrypt05.ENO_EXID);
        return i < 0 ? null : EnoOption.parseSuboptions(buf, parsed.experimentalOffset(i), parsed.experimentalLength(i));
    }

    @Override
    EnoOutcome onSyn(ByteBuffer buf, TcpOptions parsed) {
        var option = option(buf, parsed);
        if (option == null) {
            return null;
        }
        synOption = option.valueOrNull();
        return EnoNegotiation.onSyn(option, owner.config.teps(Dialect.TCPCRYPT_05),
                owner.config.sessionCache() ? owner.crypt.cache.resumeLookup() : ResumeLookup.NONE);
    }

    @Override
    int writeSynAck(ByteBuffer buf, int index, int room) {
        if (synAckOption == null) {
            synAckOption = EnoOption.synAckFor(owner.outcome(), owner.config.appAware(),
                    WideWindow.echo(owner.crypt.wideWindow05, synOption));
        }
        return synAckOption.encodedLength() <= room ? synAckOption.writeTo(buf, index) : index;
    }

    @Override
    EnoOutcome onSynAck(ByteBuffer buf, TcpOptions parsed) {
        var option = option(buf, parsed);
        if (option == null) {
            return null;
        }
        synAckOption = option.valueOrNull();
        return EnoNegotiation.onSynAck(synOption, option, offered);
    }

    @Override
    void startNonSynOptions() {
        minimalOptionPending = true;
    }

    @Override
    int pendingOptionLength() {
        return minimalOptionPending ? Tcpcrypt05.ENO_HEADER_LENGTH : 0;
    }

    /** A's first non-SYN segment: the minimal ENO option, once. */
    @Override
    int writeOptions(ByteBuffer buf, int index, int room) {
        if (!minimalOptionPending || room < Tcpcrypt05.ENO_HEADER_LENGTH) {
            return index;
        }
        minimalOptionPending = false;
        return EnoOption.MINIMAL.writeTo(buf, index);
    }

    @Override
    FramedStream stream(EnoOutcome outcome) {
        Role role = owner.active ? Role.A : Role.B;
        return new FramedStream(owner, new Tcpcrypt05Codec(owner.crypt, owner.config, outcome, role,
                WideWindow.agreed(synOption, synAckOption, outcome)), outcome, EnoTranscript.of(synOption, synAckOption), role);
    }
}
