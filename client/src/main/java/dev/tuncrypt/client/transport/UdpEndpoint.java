package dev.tuncrypt.client.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** A control endpoint on UDP at 127.0.0.1 (no credentials). */
final class UdpEndpoint implements ControlEndpoint {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final DatagramSocket socket;

    private UdpEndpoint(DatagramSocket socket) {
        this.socket = socket;
    }

    static UdpEndpoint listen(int port) throws IOException {
        return new UdpEndpoint(new DatagramSocket(new InetSocketAddress(LOOPBACK, port)));
    }

    static UdpEndpoint connect(int port) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        // Connected, so an ICMP port unreachable (no daemon) ends receive() with an exception.
        s.connect(new InetSocketAddress(LOOPBACK, port));
        return new UdpEndpoint(s);
    }

    private record UdpPeer(InetSocketAddress address) implements Peer {}

    @Override
    public Incoming receive(ByteBuffer into, int timeoutMillis) throws IOException {
        byte[] buf = new byte[Math.min(into.capacity(), 65536)];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.setSoTimeout(timeoutMillis < 0 ? 0 : Math.max(1, timeoutMillis));
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        into.clear();
        into.put(buf, 0, p.getLength()).flip();
        return new Incoming(p.getLength(), false, new UdpPeer((InetSocketAddress) p.getSocketAddress()), null);
    }

    @Override
    public void send(byte[] data, Peer to) throws IOException {
        socket.send(new DatagramPacket(data, data.length, ((UdpPeer) to).address()));
    }

    @Override
    public void sendToServer(byte[] data) throws IOException {
        socket.send(new DatagramPacket(data, data.length));
    }

    @Override
    public void close() {
        socket.close();
    }
}
