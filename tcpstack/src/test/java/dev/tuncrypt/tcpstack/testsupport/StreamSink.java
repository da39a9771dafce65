package dev.tuncrypt.tcpstack.testsupport;

import dev.tuncrypt.tcpstack.tcp.ConnectionListener;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpError;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Collects what a connection delivers and how it ended (loop thread, loop-level API). */
public final class StreamSink implements ConnectionListener {
    public final ByteArrayOutputStream data = new ByteArrayOutputStream();
    public TcpError closedWith;
    public boolean closed;
    public boolean eof;

    @Override
    public void onReadable(TcpConnection c) {
        drain(c);
    }

    @Override
    public void onPeerClosed(TcpConnection c) {
        drain(c);
    }

    private void drain(TcpConnection c) {
        ByteBuffer b = ByteBuffer.allocate(65536);
        int n;
        while ((n = c.receive(b.clear())) > 0) {
            data.write(b.array(), 0, n);
        }
        if (n < 0) {
            eof = true;
        }
    }

    @Override
    public void onClosed(TcpConnection c, TcpError reason) {
        closed = true;
        closedWith = reason;
    }
}
