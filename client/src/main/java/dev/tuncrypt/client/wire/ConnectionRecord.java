package dev.tuncrypt.client.wire;

import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One connection as tuncrypt's own options report it (TUNCRYPT_CONN_INFO and
 * TUNCRYPT_NETSTAT_WIDE): the tuple, the tcpcrypt session and transport details. Encoded in
 * network order: local and remote address (family byte 4/6, address, port), phase u8, flags u8
 * (bit 0 resumed, bit 1 peer application-aware), session ID (u16 length + bytes, empty unless
 * encrypted), dialect, TEP, cipher, plain reason, TCP state (each u16 length + UTF-8), owner uid
 * i32, then srtt in microseconds, cwnd bytes, retransmits, bytes in, bytes out and age in
 * milliseconds (each u64).
 *
 * @param local the application socket's address
 * @param remote its peer
 * @param phase where the connection stands
 * @param sessionId the session ID (empty unless {@link Phase#ENCRYPTED})
 * @param dialect "tcpcrypt-0.5", "rfc8548" or "plain"
 * @param tep the key-agreement scheme ("" unless encrypted)
 * @param cipher the AEAD cipher ("" unless encrypted)
 * @param resumed whether the session was resumed from the cache
 * @param peerAppAware whether the peer announced application support
 * @param plainReason why the connection runs in the clear ("" unless plain)
 * @param ownerUid the application socket's uid, -1 when unknown
 * @param state TCP state of the encrypted leg
 * @param srttMicros smoothed RTT, 0 when unknown
 * @param cwndBytes congestion window
 * @param retransmits segments retransmitted
 * @param bytesIn payload bytes delivered to the application
 * @param bytesOut payload bytes sent by the application
 * @param ageMillis time since the connection began
 */
public record ConnectionRecord(InetSocketAddress local, InetSocketAddress remote, Phase phase, byte[] sessionId,
        String dialect, String tep, String cipher, boolean resumed, boolean peerAppAware, String plainReason,
        int ownerUid, String state, long srttMicros, long cwndBytes, long retransmits, long bytesIn, long bytesOut,
        long ageMillis) {

    /** Where a connection stands (the daemon's ConnectionView.Phase). */
    public enum Phase {
        HANDSHAKING, ENCRYPTED, PLAIN, CLOSED
    }

    public ConnectionRecord {
        Objects.requireNonNull(local);
        Objects.requireNonNull(remote);
        Objects.requireNonNull(phase);
        Objects.requireNonNull(sessionId);
        Objects.requireNonNull(dialect);
        Objects.requireNonNull(tep);
        Objects.requireNonNull(cipher);
        Objects.requireNonNull(plainReason);
        Objects.requireNonNull(state);
    }

    /** Whether tcpcrypt protects the connection (keys agreed). */
    public boolean isEncrypted() {
        // a connection that ended encrypted stays listed with its session ID while the daemon holds it
        return phase == Phase.ENCRYPTED || (phase == Phase.CLOSED && sessionId.length > 0);
    }

    /** The session ID in upper-case hex ("" when none). */
    public String sessionIdHex() {
        return HexFormat.of().withUpperCase().formatHex(sessionId);
    }

    /** Appends the encoding. */
    public void encode(PayloadWriter w) {
        w.address(local).address(remote).u8(phase.ordinal()).u8((resumed ? 1 : 0) | (peerAppAware ? 2 : 0));
        w.bytes16(sessionId).string(dialect).string(tep).string(cipher).string(plainReason).string(state);
        w.i32(ownerUid).i64(srttMicros).i64(cwndBytes).i64(retransmits).i64(bytesIn).i64(bytesOut).i64(ageMillis);
    }

    /** Reads one record. */
    public static ConnectionRecord decode(PayloadReader r) throws MalformedMessageException {
        InetSocketAddress local = r.address();
        InetSocketAddress remote = r.address();
        int phase = r.u8();
        if (phase >= Phase.values().length) {
            throw new MalformedMessageException(MalformedMessageException.Reason.BAD_PAYLOAD, "phase " + phase);
        }
        int flags = r.u8();
        byte[] sid = r.bytes16();
        String dialect = r.string();
        String tep = r.string();
        String cipher = r.string();
        String plain = r.string();
        String state = r.string();
        return new ConnectionRecord(local, remote, Phase.values()[phase], sid, dialect, tep, cipher, (flags & 1) != 0,
                (flags & 2) != 0, plain, r.i32(), state, r.i64(), r.i64(), r.i64(), r.i64(), r.i64(), r.i64());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionRecord c && local.equals(c.local) && remote.equals(c.remote) && phase == c.phase
                && java.util.Arrays.equals(sessionId, c.sessionId) && dialect.equals(c.dialect) && tep.equals(c.tep)
                && cipher.equals(c.cipher) && resumed == c.resumed && peerAppAware == c.peerAppAware
                && plainReason.equals(c.plainReason) && ownerUid == c.ownerUid && state.equals(c.state)
                && srttMicros == c.srttMicros && cwndBytes == c.cwndBytes && retransmits == c.retransmits
                && bytesIn == c.bytesIn && bytesOut == c.bytesOut && ageMillis == c.ageMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(local, remote, phase);
    }

    @Override
    public String toString() {
        return "ConnectionRecord[" + local + " -> " + remote + " " + phase + " " + dialect + " sid=" + sessionIdHex()
                + "]";
    }
}
