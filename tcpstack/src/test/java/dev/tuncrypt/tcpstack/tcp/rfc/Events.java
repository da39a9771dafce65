package dev.tuncrypt.tcpstack.tcp.rfc;

import dev.tuncrypt.tcpstack.tcp.ConnectionListener;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import java.util.ArrayList;
import java.util.List;

/** Records what a connection told its owner. */
public final class Events implements ConnectionListener {
    public final List<String> log = new ArrayList<>();
    public boolean established;
    public boolean peerClosed;
    public boolean closed;
    public TcpError reason;
    public int readable;

    @Override
    public void onEstablished(TcpConnection c) {
        established = true;
        log.add("established");
    }

    @Override
    public void onReadable(TcpConnection c) {
        readable++;
    }

    @Override
    public void onPeerClosed(TcpConnection c) {
        peerClosed = true;
        log.add("peerClosed");
    }

    @Override
    public void onClosed(TcpConnection c, TcpError r) {
        closed = true;
        reason = r;
        log.add("closed(" + r + ")");
    }

    @Override
    public String toString() {
        return log.toString();
    }
}
