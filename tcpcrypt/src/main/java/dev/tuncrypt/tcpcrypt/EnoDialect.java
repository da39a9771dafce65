package dev.tuncrypt.tcpcrypt;

import dev.tuncrypt.tcpcrypt.eno.CachedSession;
import dev.tuncrypt.tcpcrypt.eno.EnoOutcome;
import dev.tuncrypt.tcpstack.wire.TcpOptions;
import java.nio.ByteBuffer;

/**
 * One dialect's side of TCP-ENO on one connection, the strategy {@link TcpCryptProtection} picks
 * once (role A: the dialect it offers; role B: the one the SYN offers): the options it sends and
 * reads, and the stream the transcript keys. The outcome itself stays with the protection, which
 * publishes it to other threads. Loop thread only.
 */
abstract sealed class EnoDialect permits Tcpcrypt05Eno, Rfc8547Eno {
    final TcpCryptProtection owner;
    /** Role A: the cached session its SYN offers to resume, taken out of the cache (one use), or null. */
    CachedSession offered;

    EnoDialect(TcpCryptProtection owner) {
        this.owner = owner;
    }

    /** The dialect for {@code d}. */
    static EnoDialect of(Dialect d, TcpCryptProtection owner) {
        return switch (d) {
            case TCPCRYPT_05 -> new Tcpcrypt05Eno(owner);
            case RFC8548 -> new Rfc8547Eno(owner);
        };
    }

    abstract Dialect dialect();

    /** Role A: builds the SYN's option, once ({@code room}: the option space left). */
    abstract void buildSyn(int room);

    /** Role A: writes the SYN's option if it fits; returns the index after what was written. */
    abstract int writeSyn(ByteBuffer buf, int index, int room);

    /** Role B: the outcome of the peer's SYN, or null if it carries no option of this dialect. */
    abstract EnoOutcome onSyn(ByteBuffer buf, TcpOptions parsed);

    /** Role B, outcome encrypting: writes the SYN-ACK's option if it fits (built once: retransmissions repeat it). */
    abstract int writeSynAck(ByteBuffer buf, int index, int room);

    /** Role A: the outcome of the peer's SYN-ACK, or null if it carries no option of this dialect. */
    abstract EnoOutcome onSynAck(ByteBuffer buf, TcpOptions parsed);

    /** Role A, negotiation over: a session offered for resumption is used once, resumed or not (RFC 8548 §3.5). */
    final void releaseOffer(EnoOutcome outcome) {
        if (offered != null && !(outcome instanceof EnoOutcome.Resumed)) {
            dropOffer();
        }
    }

    /** Wipes and forgets the offered session. */
    final void dropOffer() {
        offered.close();
        offered = null;
    }

    /** Whether a SYN crossing this side's own SYN is a simultaneous open this dialect negotiates (RFC 8547 §4.3). */
    boolean negotiatesCrossedSyn(TcpOptions parsed) {
        return false;
    }

    /** A simultaneous open's outcome; {@code several}: the SYN carried more than one ENO option. */
    EnoOutcome onCrossedSyn(ByteBuffer buf, TcpOptions parsed, boolean several) {
        throw new IllegalStateException(dialect() + " has no simultaneous open");
    }

    /**
     * RFC 8547 §4.6: the first non-SYN segment from the peer, before its ACK is processed.
     *
     * @return the outcome from now on
     */
    EnoOutcome onPeerNonSyn(TcpOptions parsed, EnoOutcome outcome) {
        return outcome;
    }

    /** After the SYN exchange encrypted: ENO options owed on non-SYN segments start. */
    abstract void startNonSynOptions();

    /** Bytes of ENO option the next non-SYN segment carries. */
    abstract int pendingOptionLength();

    /** Writes the ENO option a non-SYN segment carries, if it fits; returns the index after it. */
    abstract int writeOptions(ByteBuffer buf, int index, int room);

    /** The stream the negotiation keys ({@code outcome} encrypting). */
    abstract FramedStream stream(EnoOutcome outcome);
}
