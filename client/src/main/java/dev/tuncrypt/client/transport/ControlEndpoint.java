package dev.tuncrypt.client.transport;

import dev.tuncrypt.client.ControlAddress;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A datagram socket speaking the control protocol: the daemon's listening socket or a client's.
 * Unix datagram sockets report the sender's credentials; UDP reports none.
 */
public interface ControlEndpoint extends AutoCloseable {

    /** Where a datagram came from, to reply to. */
    interface Peer {}

    /**
     * A received datagram.
     *
     * @param length its real length (may exceed the buffer when {@code truncated})
     * @param truncated whether it was longer than the buffer
     * @param from the sender, or null when it has no address to reply to
     * @param credentials the sender's credentials, null over UDP
     */
    record Incoming(int length, boolean truncated, Peer from, Credentials credentials) {}

    /**
     * Waits up to {@code timeoutMillis} (negative: forever) for a datagram; its bytes are in
     * {@code into} from 0 to the limit.
     *
     * @return the datagram, or null on timeout
     */
    Incoming receive(ByteBuffer into, int timeoutMillis) throws IOException;

    /** Sends a datagram without waiting for a slow receiver (dropped replies raise an exception). */
    void send(byte[] data, Peer to) throws IOException;

    /** Sends to the address the endpoint was opened for (a client's daemon). */
    void sendToServer(byte[] data) throws IOException;

    @Override
    void close();

    /** Opens the daemon's side, bound to {@code address}. */
    static ControlEndpoint listen(ControlAddress address) throws IOException {
        return switch (address) {
            case ControlAddress.Udp u -> UdpEndpoint.listen(u.port());
            default -> UnixEndpoint.listen(address);
        };
    }

    /** Opens a client's side, talking to {@code address}. */
    static ControlEndpoint connect(ControlAddress address) throws IOException {
        return switch (address) {
            case ControlAddress.Udp u -> UdpEndpoint.connect(u.port());
            default -> UnixEndpoint.connect(address);
        };
    }
}
