package dev.tuncrypt.tcpstack.tcp;

/**
 * What a connection tells its owner (a socket, a listener's accept queue), always on the loop
 * thread. Every method has a no-op default.
 */
public interface ConnectionListener {
    /** The handshake completed (ESTABLISHED). */
    default void onEstablished(TcpConnection c) {}

    /** In-order data became readable. */
    default void onReadable(TcpConnection c) {}

    /** Send buffer space became free. */
    default void onWritable(TcpConnection c) {}

    /** The peer closed its direction (FIN received in order): reads will reach end of stream. */
    default void onPeerClosed(TcpConnection c) {}

    /** The connection is gone; {@code reason} is null after an orderly close. */
    default void onClosed(TcpConnection c, TcpError reason) {}
}
