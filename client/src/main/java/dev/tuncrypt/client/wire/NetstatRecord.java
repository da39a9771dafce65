package dev.tuncrypt.client.wire;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One {@code struct tc_netstat} record of a TCP_CRYPT_NETSTAT reply: {@code sip} in_addr at 0,
 * {@code sport} at 4, pad, {@code dip} at 8, {@code dport} at 12, {@code len} at 14 (all network
 * order), then {@code len} session-ID bytes. Records are packed back to back.
 *
 * @param local the application socket's address
 * @param remote its peer
 * @param sessionId the session ID
 */
public record NetstatRecord(InetSocketAddress local, InetSocketAddress remote, byte[] sessionId) {
    /** Size of the record header. */
    public static final int HEADER_LENGTH = 16;

    /** Encoded size. */
    public int encodedLength() {
        return HEADER_LENGTH + sessionId.length;
    }

    /** Writes the record (network order) at {@code out}'s position. */
    public void encode(ByteBuffer out) {
        ByteOrder saved = out.order();
        out.order(ByteOrder.BIG_ENDIAN);
        out.putInt(ControlMessage.ipv4(local)).putShort((short) local.getPort()).putShort((short) 0);
        out.putInt(ControlMessage.ipv4(remote)).putShort((short) remote.getPort());
        out.putShort((short) sessionId.length).put(sessionId);
        out.order(saved);
    }

    /**
     * Encodes as many records as fit in {@code capacity} bytes, like tcpcryptd (which stops at the
     * first record that does not fit).
     */
    public static byte[] encodeAll(List<NetstatRecord> records, int capacity) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int used = 0;
        for (NetstatRecord r : records) {
            if (used + r.encodedLength() > capacity) {
                break;
            }
            ByteBuffer b = ByteBuffer.allocate(r.encodedLength());
            r.encode(b);
            out.writeBytes(b.array());
            used += r.encodedLength();
        }
        return out.toByteArray();
    }

    /** Parses a packed list. */
    public static List<NetstatRecord> decodeAll(byte[] data) throws MalformedMessageException {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        List<NetstatRecord> out = new ArrayList<>();
        while (b.remaining() > 0) {
            if (b.remaining() < HEADER_LENGTH) {
                throw new MalformedMessageException(MalformedMessageException.Reason.BAD_PAYLOAD,
                        "netstat record header cut short (" + b.remaining() + " bytes)");
            }
            int sip = b.getInt();
            int sport = Short.toUnsignedInt(b.getShort());
            b.getShort();
            int dip = b.getInt();
            int dport = Short.toUnsignedInt(b.getShort());
            int len = Short.toUnsignedInt(b.getShort());
            if (len > b.remaining()) {
                throw new MalformedMessageException(MalformedMessageException.Reason.BAD_PAYLOAD,
                        "netstat record says " + len + " session-ID bytes, " + b.remaining() + " left");
            }
            byte[] sid = new byte[len];
            b.get(sid);
            out.add(new NetstatRecord(new InetSocketAddress(ControlMessage.inet(sip), sport),
                    new InetSocketAddress(ControlMessage.inet(dip), dport), sid));
        }
        return out;
    }

    /** The session ID in upper-case hex, as tcnetstat prints it. */
    public String sessionIdHex() {
        return HexFormat.of().withUpperCase().formatHex(sessionId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetstatRecord r && local.equals(r.local) && remote.equals(r.remote)
                && java.util.Arrays.equals(sessionId, r.sessionId);
    }

    @Override
    public int hashCode() {
        return local.hashCode() * 31 + remote.hashCode();
    }
}
