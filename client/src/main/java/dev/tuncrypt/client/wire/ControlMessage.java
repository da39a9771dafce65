package dev.tuncrypt.client.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One {@code struct tcpcrypt_ctl} datagram of tcpcryptd 0.5's control protocol, request or reply.
 *
 * <p>Layout ({@code src/tcpcrypt_ctl.h}, natural alignment, 36-byte header): {@code seq} u32 at 0,
 * {@code src} in_addr at 4, {@code sport} u16 at 8, pad, {@code dst} in_addr at 12, {@code dport}
 * u16 at 16, pad, {@code flags} u32 at 20, {@code err} u32 at 24, {@code opt} u32 at 28,
 * {@code dlen} u32 at 32, then {@code dlen} bytes of data. The u32 fields are in the host's byte
 * order (the C code writes them without conversion); addresses and ports stay in network order
 * as {@code getsockname} returns them. A reply echoes the request's header with {@code err},
 * {@code dlen} and the data filled in.
 *
 * @param seq request number chosen by the client, echoed in the reply
 * @param src the application socket's local IPv4 address as a big-endian int (0 when unknown)
 * @param sport its local port
 * @param dst the peer's IPv4 address as a big-endian int (0 for an unconnected socket)
 * @param dport the peer's port (0 for an unconnected socket)
 * @param flags {@link #TCC_IN}, {@link #TCC_SET}
 * @param err 0, or an errno value in a reply
 * @param opt the option ({@link ControlOption})
 * @param data the option value (request) or the answer (reply); never null
 */
public record ControlMessage(int seq, int src, int sport, int dst, int dport, int flags, int err, int opt, byte[] data) {

    /** Header size of {@code struct tcpcrypt_ctl}. */
    public static final int HEADER_LENGTH = 36;
    /** {@code TCC_IN}: set by nothing in 0.5's library; carried through unchanged. */
    public static final int TCC_IN = 0x1;
    /** {@code TCC_SET}: a setsockopt (otherwise a getsockopt). */
    public static final int TCC_SET = 0x2;
    /** The byte order of the u32 header fields: the host's, as tcpcryptd's C structs use it. */
    public static final ByteOrder HOST_ORDER = ByteOrder.nativeOrder();

    public ControlMessage {
        Objects.requireNonNull(data, "data");
        checkPort(sport);
        checkPort(dport);
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** A request with zero addresses, e.g. for NETSTAT or daemon-wide options. */
    public static ControlMessage request(int seq, int opt, boolean set, byte[] data) {
        return new ControlMessage(seq, 0, 0, 0, 0, set ? TCC_SET : 0, 0, opt, data);
    }

    /** A request about the application socket {@code local} &rarr; {@code remote} (remote may be null). */
    public static ControlMessage request(int seq, InetSocketAddress local, InetSocketAddress remote, int opt,
            boolean set, byte[] data) {
        return new ControlMessage(seq, ipv4(local), local.getPort(), remote == null ? 0 : ipv4(remote),
                remote == null ? 0 : remote.getPort(), set ? TCC_SET : 0, 0, opt, data);
    }

    /** Whether this is a set (TCC_SET). */
    public boolean isSet() {
        return (flags & TCC_SET) != 0;
    }

    /** The reply to this request: the same header with {@code err} and {@code data}. */
    public ControlMessage reply(int errno, byte[] replyData) {
        return new ControlMessage(seq, src, sport, dst, dport, flags, errno, opt, replyData);
    }

    /** The local address the header names (0.0.0.0 when zero). */
    public InetSocketAddress local() {
        return new InetSocketAddress(inet(src), sport);
    }

    /** The remote address the header names, or null when address and port are zero (unconnected). */
    public InetSocketAddress remote() {
        return dst == 0 && dport == 0 ? null : new InetSocketAddress(inet(dst), dport);
    }

    /** Encoded size in bytes. */
    public int encodedLength() {
        return HEADER_LENGTH + data.length;
    }

    /** Writes the datagram at {@code out}'s position (advancing it). */
    public void encode(ByteBuffer out) {
        ByteOrder saved = out.order();
        out.order(HOST_ORDER);
        out.putInt(seq);
        out.order(ByteOrder.BIG_ENDIAN);
        out.putInt(src).putShort((short) sport).putShort((short) 0);
        out.putInt(dst).putShort((short) dport).putShort((short) 0);
        out.order(HOST_ORDER);
        out.putInt(flags).putInt(err).putInt(opt).putInt(data.length);
        out.put(data);
        out.order(saved);
    }

    /** The datagram as a new array. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(encodedLength());
        encode(b);
        return b.array();
    }

    /**
     * Parses one datagram (all of {@code in}'s remaining bytes).
     *
     * @throws MalformedMessageException if shorter than a header, or {@code dlen} disagrees with
     *     the datagram's length, or exceeds {@code maxData}
     */
    public static ControlMessage decode(ByteBuffer in, int maxData) throws MalformedMessageException {
        int length = in.remaining();
        if (length < HEADER_LENGTH) {
            throw new MalformedMessageException(MalformedMessageException.Reason.TRUNCATED_HEADER,
                    "datagram of " + length + " bytes is shorter than the 36-byte header");
        }
        ByteBuffer b = in.slice().order(HOST_ORDER);
        int seq = b.getInt(0);
        b.order(ByteOrder.BIG_ENDIAN);
        int src = b.getInt(4);
        int sport = Short.toUnsignedInt(b.getShort(8));
        int dst = b.getInt(12);
        int dport = Short.toUnsignedInt(b.getShort(16));
        b.order(HOST_ORDER);
        int flags = b.getInt(20);
        int err = b.getInt(24);
        int opt = b.getInt(28);
        long dlen = Integer.toUnsignedLong(b.getInt(32));
        if (dlen > maxData) {
            throw new MalformedMessageException(MalformedMessageException.Reason.DATA_TOO_LONG,
                    "dlen " + dlen + " exceeds the limit of " + maxData);
        }
        if (dlen != length - HEADER_LENGTH) {
            throw new MalformedMessageException(MalformedMessageException.Reason.LENGTH_MISMATCH,
                    "dlen " + dlen + " but " + (length - HEADER_LENGTH) + " data bytes");
        }
        byte[] data = new byte[(int) dlen];
        b.get(HEADER_LENGTH, data);
        in.position(in.limit());
        return new ControlMessage(seq, src, sport, dst, dport, flags, err, opt, data);
    }

    /** {@code seq} of a datagram too short or too odd to decode, 0 when under four bytes. */
    public static int peekSeq(ByteBuffer in) {
        return in.remaining() < 4 ? 0 : in.duplicate().order(HOST_ORDER).getInt(in.position());
    }

    /** The IPv4 address of {@code a} as a big-endian int; IPv4-mapped IPv6 is accepted. */
    public static int ipv4(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address " + a);
        }
        byte[] b = ip.getAddress();
        if (b.length == 16) {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            mapped &= b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            if (!mapped) {
                throw new IllegalArgumentException("not an IPv4 address: " + ip.getHostAddress());
            }
            b = Arrays.copyOfRange(b, 12, 16);
        }
        return ByteBuffer.wrap(b).getInt();
    }

    /** The address for a big-endian int. */
    public static Inet4Address inet(int address) {
        try {
            return (Inet4Address) InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(address).array());
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ControlMessage m && seq == m.seq && src == m.src && sport == m.sport && dst == m.dst
                && dport == m.dport && flags == m.flags && err == m.err && opt == m.opt && Arrays.equals(data, m.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, src, sport, dst, dport, flags, err, opt, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "ControlMessage[seq=" + seq + ", " + local() + " -> " + remote() + ", flags=" + flags + ", err=" + err
                + ", opt=" + opt + ", dlen=" + data.length + "]";
    }
}
