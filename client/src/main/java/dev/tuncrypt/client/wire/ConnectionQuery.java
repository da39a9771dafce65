package dev.tuncrypt.client.wire;

import java.net.InetSocketAddress;

/**
 * TUNCRYPT_CONN_INFO request data: the application socket's local address, then a byte 1 and its
 * peer's address, or a byte 0 when unconnected (addresses as family byte 4/6, address, port).
 * Unlike the 0.5 header it carries IPv6 tuples. The reply's data is one {@link ConnectionRecord}.
 *
 * @param local the application socket's address
 * @param remote its peer, or null
 */
public record ConnectionQuery(InetSocketAddress local, InetSocketAddress remote) {

    public byte[] encode() {
        PayloadWriter w = new PayloadWriter().address(local);
        if (remote == null) {
            w.u8(0);
        } else {
            w.u8(1).address(remote);
        }
        return w.toByteArray();
    }

    public static ConnectionQuery decode(byte[] data) throws MalformedMessageException {
        PayloadReader r = new PayloadReader(data);
        InetSocketAddress local = r.address();
        int has = r.u8();
        InetSocketAddress remote = switch (has) {
            case 0 -> null;
            case 1 -> r.address();
            default -> throw new MalformedMessageException(MalformedMessageException.Reason.BAD_PAYLOAD,
                    "remote flag " + has);
        };
        r.end();
        return new ConnectionQuery(local, remote);
    }
}
