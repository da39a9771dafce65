package dev.tuncrypt.client.transport;

import dev.tuncrypt.client.ControlAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** A control endpoint on an AF_UNIX datagram socket (path or abstract name). */
final class UnixEndpoint implements ControlEndpoint {
    private final LinuxDatagramSocket socket;
    private final byte[] server;

    private UnixEndpoint(LinuxDatagramSocket socket, byte[] server) {
        this.socket = socket;
        this.server = server;
    }

    static LinuxDatagramSocket.UnixAddress unixAddress(ControlAddress address) {
        return switch (address) {
            case ControlAddress.UnixPath p -> new LinuxDatagramSocket.UnixAddress(p.path().toString(), false);
            case ControlAddress.UnixAbstract a -> new LinuxDatagramSocket.UnixAddress(a.name(), true);
            case ControlAddress.Udp u -> throw new IllegalArgumentException("not a unix address: " + u);
        };
    }

    static UnixEndpoint listen(ControlAddress address) throws IOException {
        LinuxDatagramSocket s = LinuxDatagramSocket.bind(unixAddress(address));
        try {
            s.passCredentials();
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new UnixEndpoint(s, null);
    }

    static UnixEndpoint connect(ControlAddress address) throws IOException {
        // Autobind (an abstract name chosen by the kernel) so the daemon has an address to reply to,
        // as libtcpcrypt does.
        return new UnixEndpoint(LinuxDatagramSocket.bind(null), unixAddress(address).sockaddr());
    }

    private record UnixPeer(byte[] sockaddr) implements Peer {
        @Override
        public boolean equals(Object o) {
            return o instanceof UnixPeer p && Arrays.equals(sockaddr, p.sockaddr);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(sockaddr);
        }
    }

    @Override
    public Incoming receive(ByteBuffer into, int timeoutMillis) throws IOException {
        LinuxDatagramSocket.Received r = socket.receive(into, timeoutMillis);
        if (r == null) {
            return null;
        }
        return new Incoming(r.length(), r.truncated(), r.sender() == null ? null : new UnixPeer(r.sender()),
                r.credentials());
    }

    @Override
    public void send(byte[] data, Peer to) throws IOException {
        socket.send(data, ((UnixPeer) to).sockaddr(), true);
    }

    @Override
    public void sendToServer(byte[] data) throws IOException {
        socket.send(data, server, false);
    }

    @Override
    public void close() {
        socket.close();
    }
}
