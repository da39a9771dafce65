package dev.tuncrypt.tcpstack.tcp.rfc;

import dev.tuncrypt.tcpstack.tcp.ListenEndpoint;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;

/** An accept queue of {@code backlog} entries; each accepted connection gets an {@link Events}. */
public final class Acceptor implements ListenEndpoint.AcceptSink {
    private final int backlog;
    public final Deque<TcpConnection> queue = new ArrayDeque<>();
    private final Map<TcpConnection, Events> events = new IdentityHashMap<>();
    public int accepted;

    public Acceptor(int backlog) {
        this.backlog = backlog;
    }

    @Override
    public boolean full() {
        return queue.size() >= backlog;
    }

    @Override
    public void accept(TcpConnection connection, TcpLayer layer) {
        accepted++;
        queue.add(connection);
        Events e = new Events();
        connection.setListener(e);
        events.put(connection, e);
    }

    /** The application's accept(): the oldest completed connection, or null. */
    public TcpConnection take() {
        return queue.poll();
    }

    public Events events(TcpConnection c) {
        return events.get(c);
    }
}
